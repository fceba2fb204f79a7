// The NAS-Bench-201 table shipped with nas: accuracy on three data sets and
// latency measured on real devices for all 15,625 cells (see
// estimators/data/README.md for its columns and provenance).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/search_space.h"

namespace nas {

class Nb201Table {
 public:
  // Reads a CSV file, gzip-compressed or not. Throws nas::Error naming the
  // file and line for a file that cannot be read, a header without
  // arch_str, a row with the wrong number of fields, a number that does not
  // parse, or a cell string that is not of the NB201 space.
  static Nb201Table load(const std::string& path);

  // The table shipped with nas (estimators/data/nb201_acc_latency.csv.gz).
  static std::string shipped_path();

  // Value columns: every column after arch_idx and arch_str, in file order.
  const std::vector<std::string>& columns() const { return columns_; }
  std::optional<std::size_t> column_index(const std::string& name) const;

  std::size_t num_rows() const { return arch_strings_.size(); }
  const std::string& arch_string(std::size_t row) const { return arch_strings_.at(row); }
  const Arch& arch(std::size_t row) const { return archs_.at(row); }

  // The value at (row, column); nullopt where the file leaves it empty.
  std::optional<double> value(std::size_t row, std::size_t column) const;

  // The row holding `arch` of nb201_space(). Every cell of the space has one.
  std::size_t row_of(const Arch& arch) const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::string> arch_strings_;
  std::vector<Arch> archs_;
  std::vector<double> values_;     // row-major, NaN = missing
  std::vector<int> row_by_code_;  // base-5 code of the arch -> row, -1 = none
};

}  // namespace nas
