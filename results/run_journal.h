// The search loop's Journal over the fitness store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "results/store.h"
#include "core/journal.h"

namespace nas {

// Implements nas::Journal for one session of one run. Every method is one
// SQLite transaction at most, so a crash leaves the store at a step boundary
// plus the evaluations recorded since (which later runs find in the cache).
class RunJournal : public Journal {
 public:
  // REQUIRES: `store` is open read-write and outlives the journal; the
  // session belongs to the run (Store::begin_run / begin_session). Throws
  // nas::UsageError otherwise.
  RunJournal(Store& store, std::int64_t run_id, std::int64_t session_id);

  // Every stored evaluation of `arch_id`, whatever run made it, oldest first.
  // One indexed look-up through a cached prepared statement.
  std::vector<Evaluation> find(const std::string& arch_id) override;

  // In one transaction: the architecture's row (if new; an existing id with
  // another canonical JSON is an id collision and throws), one row per
  // evaluation, and the session's evaluator_calls + 1 if the session had
  // stored nothing of the architecture yet. An evaluation whose
  // (arch, metric, source, device, fidelity) is already stored throws
  // nas::Error and nothing of the call is stored. An evaluation that carries
  // a measurement gets its row in the measurements table (once per record,
  // shared records included) linked by measurement_id; analytic `macs` and
  // `params` values are also copied onto the architecture's row.
  void record(const SearchSpace& space, const Arch& arch,
              const std::vector<Evaluation>& fresh) override;

  // In one transaction: the step row (counters, strategy state), its history
  // rows, and the session's cache_hits + step.cache_hits. A step number
  // already committed for the run throws.
  void commit_step(const StepRecord& step) override;

  // The run's highest committed step with its history entries.
  std::optional<StepRecord> last_step() override;

  // Distinct arch ids the run's committed steps marked as new queries, in the
  // order first queried (step, then position in the step).
  std::vector<std::string> queried_archs() override;

  // The canonical JSON stored for `arch_id` (by any run); throws nas::Error
  // if the architecture was never recorded.
  std::string arch_json(const std::string& arch_id) override;

  std::int64_t run_id() const { return run_id_; }
  std::int64_t session_id() const { return session_id_; }

 private:
  std::int64_t insert_measurement(const std::string& arch_id, const MeasurementRecord& m,
                                  double now);

  Store& store_;
  std::int64_t run_id_;
  std::int64_t session_id_;
};

}  // namespace nas
