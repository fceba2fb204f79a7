// The run's writes to a fitness store. Each call is one transaction, rolled
// back whole when it throws, and first checks that the store is open
// kReadWrite (nas::UsageError otherwise). The contracts are Store's
// (results/store.h); Store forwards to these. Internal to the store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/journal.h"
#include "results/sqlite.h"
#include "results/store.h"

namespace nas {

class StoreConnection;
class StoreReader;

class StoreWriter {
 public:
  // REQUIRES: `connection` and `reader` (over the same connection) outlive
  // the writer.
  StoreWriter(StoreConnection& connection, const StoreReader& reader)
      : connection_(connection), reader_(reader) {}

  std::int64_t begin_run(const RunInfo& info);
  std::int64_t begin_session(std::int64_t run_id);
  void finish_run(std::int64_t run_id);
  void record_supernet(std::int64_t run_id, double seconds, const std::string& device);
  void record_training(std::int64_t run_id, std::int64_t session_id, const TrainProgress& p);
  void write_front(std::int64_t run_id, const std::vector<std::string>& arch_ids);
  void record_evaluations(std::int64_t run_id, std::int64_t session_id, const SearchSpace& space,
                          const Arch& arch, const std::vector<Evaluation>& fresh);
  void write_step(std::int64_t run_id, std::int64_t session_id, const StepRecord& step);
  std::int64_t record_finetuned(std::int64_t run_id, const std::string& arch_id,
                                const std::vector<Evaluation>& values);

 private:
  // Checks that the store is writable (nas::UsageError naming `what`) and
  // begins the call's transaction.
  sqlite::Transaction begin_write(const char* what);

  // The pieces of record_evaluations, each inside its transaction.
  void insert_arch_once(const SearchSpace& space, const Arch& arch, const std::string& arch_id);
  std::int64_t insert_measurement(std::int64_t run_id, std::int64_t session_id,
                                  const std::string& arch_id, const MeasurementRecord& m,
                                  double now);
  // session_id: absent for a value no search session made (a fine-tune).
  void insert_evaluation(std::int64_t run_id, std::optional<std::int64_t> session_id,
                         const std::string& arch_id,
                         const Evaluation& e, std::optional<std::int64_t> measurement_id,
                         double now);

  StoreConnection& connection_;
  const StoreReader& reader_;
};

}  // namespace nas
