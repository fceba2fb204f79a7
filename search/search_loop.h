// The loop that drives a run: ask the strategy, evaluate (store first, then
// the evaluator), tell, commit; repeat until the budget of distinct
// architectures is spent. Resumes from the journal's last committed step.
// A step's values that are not stored go to the evaluator as one batch
// (Evaluator::submit), so the farm measures them concurrently; each value is
// recorded in the journal as it arrives, before anything uses it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/objectives.h"
#include "core/search_space.h"
#include "estimators/evaluator.h"
#include "core/journal.h"
#include "search/strategy.h"

namespace nas {

struct LoopOptions {
  std::int64_t budget = 300;  // distinct architectures to evaluate
  std::size_t batch = 1;      // candidates per ask
  // Steps in a row that bring no new architecture before the space is taken
  // as exhausted and the loop ends early.
  std::size_t max_idle_steps = 100;
};

struct LoopStats {
  std::int64_t steps = 0;
  std::int64_t candidates = 0;       // candidates asked this session, repeats included
  std::int64_t queries = 0;          // distinct architectures evaluated by this run
  std::int64_t evaluator_calls = 0;  // architectures sent to the evaluator this session
  std::int64_t cache_hits = 0;       // values taken from the store
  std::int64_t excluded = 0;         // queried architectures with an unusable value
  // Predicted values of front members measured before the front was reported
  // (predictor-screened measuring; see Evaluator::measure).
  std::int64_t confirmations = 0;
  // Front members with a predicted value that the evaluator expects to fail
  // (Evaluator::failure_risk), left out of the front unmeasured while other
  // members were left.
  std::int64_t unconfirmed = 0;
  bool exhausted = false;            // ended before the budget: nothing new to propose
  bool resumed = false;              // continued from a stored step
};

// A member of the final front: feasible, every objective present.
struct FrontMember {
  Arch arch;
  std::string arch_id;
  std::vector<Evaluation> objectives;  // in the config's order
};

struct LoopResult {
  LoopStats stats;
  std::vector<FrontMember> front;  // sorted by the first objective, best first
};

class SearchLoop {
 public:
  // The references must outlive the loop. Throws nas::Error if an objective
  // or constraint names a metric the evaluator does not provide.
  SearchLoop(const SearchSpace& space, Strategy& strategy, Evaluator& evaluator,
             Journal& journal, std::vector<Objective> objectives,
             std::vector<Constraint> constraints, LoopOptions options);

  // Called after every step with the stats so far.
  void on_progress(std::function<void(const LoopStats&)> callback) {
    progress_ = std::move(callback);
  }

  LoopResult run();

 private:
  struct Scored;
  struct Session;
  struct Member;

  // The phases of run(), in order.
  // Continues from the journal's last committed step, if any.
  void resume(Session& session);
  // One step: ask, score, tell, commit. False when the search is over (the
  // space is exhausted).
  bool step(Session& session);
  // The front over everything the run queried, from stored values only,
  // with predicted values of its members measured first.
  std::vector<Member> final_front(Session& session);

  // The values of every metric for each arch: stored ones first, the rest
  // from one evaluator batch, each recorded in the journal as it arrives.
  std::vector<Scored> score(const std::vector<Arch>& archs, const std::vector<std::string>& ids);
  // Fills the outcome (objectives, violation, exclusion) from the values.
  void judge(Scored& s) const;
  // The stored value of metric m among `stored`, or a stand-in for it.
  const Evaluation* stored_value(const std::vector<Evaluation>& stored, std::size_t m) const;
  // Measures one predicted front member; false when it is no longer feasible.
  bool confirm(Session& session, Member& member);

  const SearchSpace& space_;
  Strategy& strategy_;
  Evaluator& evaluator_;
  Journal& journal_;
  std::vector<Objective> objectives_;
  std::vector<Constraint> constraints_;
  std::vector<std::string> metrics_;  // objectives' metrics, then constraints' not already there
  std::vector<EvaluationKey> keys_;   // the evaluator's key of each metric
  LoopOptions options_;
  std::function<void(const LoopStats&)> progress_;
};

}  // namespace nas
