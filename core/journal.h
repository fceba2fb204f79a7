// What the search loop needs from persistent storage, as an interface so that
// search/ never touches SQLite: results::RunJournal implements it over the
// fitness store, MemoryJournal in memory (benchmarks, quick studies).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/evaluation.h"
#include "core/search_space.h"

namespace nas {

// One candidate of a step, as kept in the search history.
struct HistoryEntry {
  std::string arch_id;
  std::vector<std::string> parent_ids;
  bool new_query = false;  // first time this run evaluated this architecture
};

// The state after a completed ask/tell step.
struct StepRecord {
  std::int64_t step = 0;     // 1 for the first completed step
  std::int64_t queries = 0;  // distinct architectures this run has evaluated so far
  std::int64_t cache_hits = 0;  // values this step took from the store
  nlohmann::json strategy_state;
  std::vector<HistoryEntry> entries;
};

class Journal {
 public:
  virtual ~Journal() = default;

  // Every stored evaluation of `arch_id`, whatever run made it.
  virtual std::vector<Evaluation> find(const std::string& arch_id) = 0;

  // Stores `fresh` evaluations of `arch` (and the architecture itself)
  // durably, in one transaction, before the loop uses them. An architecture
  // counts as one evaluator call of the current session, however many
  // records its values arrive in.
  virtual void record(const SearchSpace& space, const Arch& arch,
                      const std::vector<Evaluation>& fresh) = 0;

  // Stores a completed step atomically: history entries, counters, strategy
  // state. After a crash the run resumes from the last committed step.
  virtual void commit_step(const StepRecord& step) = 0;

  // The last committed step of this run, or nullopt for a fresh run.
  virtual std::optional<StepRecord> last_step() = 0;

  // Ids of the architectures this run has queried in committed steps, in the
  // order first queried.
  virtual std::vector<std::string> queried_archs() = 0;

  // The canonical JSON (SearchSpace::canonical_json) stored for `arch_id` by
  // record(); throws nas::Error if the architecture was never recorded.
  virtual std::string arch_json(const std::string& arch_id) = 0;
};

}  // namespace nas
