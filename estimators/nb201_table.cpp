#include "estimators/nb201_table.h"

#include <zlib.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>

#include "core/errors.h"
#include "core/nb201_space.h"
#include "estimators/data_files.h"

namespace nas {
namespace {

// The whole file, inflated when it is gzip (gzread passes plain files through).
std::string read_maybe_gzipped(const std::string& path) {
  std::unique_ptr<gzFile_s, decltype(&gzclose)> file(gzopen(path.c_str(), "rb"), &gzclose);
  if (!file) throw Error("table " + path + ": cannot open the file");
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const int n = gzread(file.get(), buffer, sizeof buffer);
    if (n < 0) {
      int code = 0;
      throw Error("table " + path + ": cannot decompress (" + gzerror(file.get(), &code) + ")");
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

// Splits one CSV line; the table has no quoted fields, so quotes are refused.
std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    fields.push_back(line.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return fields;
}

int code_of(const Arch& arch) {
  int code = 0;
  for (int c : arch.choices) code = code * 5 + c;
  return code;
}

}  // namespace

std::string Nb201Table::shipped_path() {
  return shipped_data_file("estimators/data/nb201_acc_latency.csv.gz");
}

Nb201Table Nb201Table::load(const std::string& path) {
  const std::string text = read_maybe_gzipped(path);
  const SearchSpace space = nb201_space();
  Nb201Table table;
  table.row_by_code_.assign(5 * 5 * 5 * 5 * 5 * 5, -1);
  std::size_t line_no = 0, pos = 0, arch_col = 0;
  std::size_t num_fields = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto where = [&]() { return "table " + path + ":" + std::to_string(line_no) + ": "; };
    if (line.find('"') != std::string::npos) throw Error(where() + "quoted fields are not supported");
    std::vector<std::string> fields = split_fields(line);
    if (num_fields == 0) {  // header
      num_fields = fields.size();
      if (fields.size() < 3 || fields[0] != "arch_idx" || fields[1] != "arch_str") {
        throw Error(where() + "expected a header starting with arch_idx,arch_str");
      }
      arch_col = 1;
      table.columns_.assign(fields.begin() + 2, fields.end());
      continue;
    }
    if (fields.size() != num_fields) {
      throw Error(where() + "expected " + std::to_string(num_fields) + " fields, found " +
                  std::to_string(fields.size()));
    }
    Arch arch;
    try {
      arch = nb201_from_string(space, fields[arch_col]);
    } catch (const Error& e) {
      throw Error(where() + e.what());
    }
    const int code = code_of(arch);
    if (table.row_by_code_[static_cast<std::size_t>(code)] >= 0) {
      throw Error(where() + "cell " + fields[arch_col] + " appears twice");
    }
    table.row_by_code_[static_cast<std::size_t>(code)] =
        static_cast<int>(table.arch_strings_.size());
    table.arch_strings_.push_back(fields[arch_col]);
    table.archs_.push_back(arch);
    for (std::size_t f = 2; f < fields.size(); ++f) {
      if (fields[f].empty()) {
        table.values_.push_back(std::numeric_limits<double>::quiet_NaN());
        continue;
      }
      char* stop = nullptr;
      const double v = std::strtod(fields[f].c_str(), &stop);
      if (stop == fields[f].c_str() || *stop != '\0' || !std::isfinite(v)) {
        throw Error(where() + "column " + table.columns_[f - 2] + ": '" + fields[f] +
                    "' is not a number");
      }
      table.values_.push_back(v);
    }
  }
  if (num_fields == 0) throw Error("table " + path + ": the file is empty");
  return table;
}

std::optional<std::size_t> Nb201Table::column_index(const std::string& name) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == name) return i;
  }
  return std::nullopt;
}

std::optional<double> Nb201Table::value(std::size_t row, std::size_t column) const {
  const double v = values_.at(row * columns_.size() + column);
  if (std::isnan(v)) return std::nullopt;
  return v;
}

std::size_t Nb201Table::row_of(const Arch& arch) const {
  const int row = row_by_code_.at(static_cast<std::size_t>(code_of(arch)));
  if (row < 0) throw Error("the NB201 table has no row for this cell");
  return static_cast<std::size_t>(row);
}

}  // namespace nas
