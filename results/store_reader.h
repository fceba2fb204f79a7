// The reads of a fitness store, in either open mode. Each is one or two
// queries through the connection's cached statements, reset before they
// return so that no read snapshot stays open. The contracts are Store's
// (results/store.h); Store forwards to these. Internal to the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/journal.h"
#include "results/store.h"

namespace nas {

class StoreConnection;
namespace sqlite {
class Statement;
}

class StoreReader {
 public:
  // REQUIRES: `connection` outlives the reader.
  explicit StoreReader(StoreConnection& connection) : connection_(connection) {}

  std::vector<RunSummary> list_runs() const;
  std::optional<RunSummary> run(std::int64_t run_id) const;
  std::optional<ResumableRun> find_resumable_run(const std::string& name) const;
  std::string run_config(std::int64_t run_id) const;
  std::vector<std::string> front(std::int64_t run_id) const;
  std::vector<std::string> queried_archs(std::int64_t run_id) const;
  std::vector<Evaluation> evaluations(const std::string& arch_id) const;
  std::optional<StoredArch> arch(const std::string& arch_id) const;
  std::optional<std::string> arch_json(const std::string& arch_id) const;
  std::vector<DeviceMeasurements> measurement_counts(std::int64_t run_id) const;
  std::vector<DeviceSpend> measurement_spend(std::int64_t run_id) const;
  std::vector<TrainProgress> training(std::int64_t run_id) const;
  std::int64_t count_excluded(std::int64_t run_id, const std::vector<std::string>& metrics) const;
  std::optional<std::int64_t> session_run(std::int64_t session_id) const;
  std::optional<StepRecord> last_step(std::int64_t run_id) const;

 private:
  // The first row of `sql`, with `key` bound to its one parameter, read by
  // `read`; absent when there is none.
  template <typename Key, typename Read>
  auto first_row(const char* sql, const Key& key, Read read) const
      -> std::optional<decltype(read(std::declval<const sqlite::Statement&>()))>;

  StoreConnection& connection_;
};

}  // namespace nas
