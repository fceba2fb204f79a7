#include "search/search_loop.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "core/json_parse.h"
#include "core/errors.h"
#include "core/pareto.h"

namespace nas {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

struct SearchLoop::Scored {
  Outcome outcome;
  std::vector<Evaluation> values;  // one per metrics_ entry
  bool excluded = false;           // some value is unusable
  bool evaluated = false;          // the evaluator was called
  std::int64_t cache_hits = 0;
};

SearchLoop::SearchLoop(const SearchSpace& space, Strategy& strategy, Evaluator& evaluator,
                       Journal& journal, std::vector<Objective> objectives,
                       std::vector<Constraint> constraints, LoopOptions options)
    : space_(space),
      strategy_(strategy),
      evaluator_(evaluator),
      journal_(journal),
      objectives_(std::move(objectives)),
      constraints_(std::move(constraints)),
      options_(options) {
  if (objectives_.empty()) throw Error("a search needs at least one objective");
  if (options_.batch == 0) throw Error("the batch size must be at least 1");
  for (const auto& o : objectives_) metrics_.push_back(o.metric);
  for (const auto& c : constraints_) {
    if (std::find(metrics_.begin(), metrics_.end(), c.metric) == metrics_.end()) {
      metrics_.push_back(c.metric);
    }
  }
  for (const auto& m : metrics_) keys_.push_back(evaluator_.key(m));  // throws for unknown
}

SearchLoop::Scored SearchLoop::score(const Arch& arch, const std::string& id) {
  Scored s;
  s.outcome.arch = arch;
  s.values.resize(metrics_.size());
  const std::vector<Evaluation> stored = journal_.find(id);
  std::vector<Evaluation> fresh;
  for (std::size_t m = 0; m < metrics_.size(); ++m) {
    auto hit = std::find_if(stored.begin(), stored.end(),
                            [&](const Evaluation& e) { return e.key == keys_[m]; });
    // Else an answer standing in for the value: a prediction (screened
    // measuring) or a structural exclusion (estimators/structural_gate.h).
    for (const Source stand_in : {Source::kPredicted, Source::kAnalytic}) {
      if (hit != stored.end()) break;
      EvaluationKey key = keys_[m];
      key.source = stand_in;
      hit = std::find_if(stored.begin(), stored.end(),
                         [&](const Evaluation& e) { return e.key == key; });
    }
    if (hit != stored.end()) {
      s.values[m] = *hit;
      ++s.cache_hits;
    } else {
      s.values[m] = evaluator_.evaluate(arch, metrics_[m]);
      fresh.push_back(s.values[m]);
    }
  }
  // Written before it is used: a crash after this line never re-evaluates.
  if (!fresh.empty()) journal_.record(space_, arch, fresh);
  s.evaluated = !fresh.empty();

  for (std::size_t o = 0; o < objectives_.size(); ++o) {
    const auto& v = s.values[o].value;
    if (!v) {
      s.excluded = true;
      s.outcome.objectives.push_back(kInf);
    } else {
      s.outcome.objectives.push_back(to_minimised(objectives_[o].goal, *v));
    }
  }
  double violation = 0;
  for (const auto& c : constraints_) {
    const auto m = static_cast<std::size_t>(
        std::find(metrics_.begin(), metrics_.end(), c.metric) - metrics_.begin());
    const auto& v = s.values[m].value;
    if (!v) s.excluded = true;
    else violation += c.violation(*v);
  }
  s.outcome.violation = s.excluded ? kInf : violation;
  for (std::size_t m = 0; m < metrics_.size(); ++m) {
    if (s.values[m].value) s.outcome.values.emplace(metrics_[m], *s.values[m].value);
  }
  return s;
}

LoopResult SearchLoop::run() {
  LoopResult result;
  LoopStats& stats = result.stats;
  std::unordered_set<std::string> queried;
  std::unordered_map<std::string, Arch> known;  // archs seen by this session

  if (auto last = journal_.last_step()) {
    strategy_.load_state(last->strategy_state);
    stats.steps = last->step;
    stats.queries = last->queries;
    stats.resumed = true;
  }
  for (const auto& id : journal_.queried_archs()) queried.insert(id);
  if (static_cast<std::int64_t>(queried.size()) != stats.queries) {
    throw Error("the stored run is inconsistent: " + std::to_string(queried.size()) +
                " architectures in its history but " + std::to_string(stats.queries) +
                " queries in its last step");
  }

  std::size_t idle_steps = 0;
  while (stats.queries < options_.budget) {
    const auto room = static_cast<std::size_t>(options_.budget - stats.queries);
    const std::vector<Candidate> candidates = strategy_.ask(std::min(options_.batch, room));
    if (candidates.empty() || candidates.size() > std::min(options_.batch, room)) {
      if (candidates.empty()) {
        stats.exhausted = true;
        break;
      }
      throw Error("strategy " + strategy_.name() + " proposed more candidates than asked for");
    }
    stats.candidates += static_cast<std::int64_t>(candidates.size());
    StepRecord step;
    std::vector<Outcome> outcomes;
    std::size_t new_in_step = 0;
    for (const Candidate& c : candidates) {
      const Arch arch = space_.canonical(c.arch);
      const std::string id = space_.id(arch);
      known.emplace(id, arch);
      Scored s = score(arch, id);
      stats.cache_hits += s.cache_hits;
      step.cache_hits += s.cache_hits;
      if (s.evaluated) ++stats.evaluator_calls;
      HistoryEntry entry;
      entry.arch_id = id;
      for (const Arch& p : c.parents) entry.parent_ids.push_back(space_.id(space_.canonical(p)));
      entry.new_query = queried.insert(id).second;
      if (entry.new_query) {
        ++stats.queries;
        ++new_in_step;
      }
      step.entries.push_back(std::move(entry));
      outcomes.push_back(std::move(s.outcome));
    }
    strategy_.tell(outcomes);
    step.step = ++stats.steps;
    step.queries = stats.queries;
    step.strategy_state = strategy_.save_state();
    journal_.commit_step(step);
    if (progress_) progress_(stats);
    idle_steps = new_in_step == 0 ? idle_steps + 1 : 0;
    if (idle_steps >= options_.max_idle_steps) {
      stats.exhausted = true;
      break;
    }
  }

  // The front over everything this run queried, from stored values only.
  // While a front member has a predicted value, the first such member (in
  // the order the front is reported) is measured (Evaluator::measure) and the
  // front recomputed: one at a time, because a measured member often turns
  // out to dominate neighbours whose predictions then need no measuring.
  // Members the evaluator expects to fail (Evaluator::failure_risk) come
  // last: once only they are left predicted, they are dropped unmeasured
  // if the front keeps another member, and measured otherwise. A measurement
  // that fails teaches the risk, so a run of such cells at the front's corner
  // is not measured one by one.
  struct Member {
    std::string id;
    std::vector<Evaluation> values;
    std::vector<double> minimised;
  };
  std::vector<Member> feasible;
  std::int64_t excluded = 0;
  for (const auto& id : journal_.queried_archs()) {
    auto it = known.find(id);
    const Arch arch = it != known.end()
                          ? it->second
                          : space_.from_json(parse_json(journal_.arch_json(id)));
    Scored s = score(arch, id);
    if (s.excluded) ++excluded;
    if (!s.outcome.feasible()) continue;
    known.emplace(id, arch);
    feasible.push_back({id, std::move(s.values), std::move(s.outcome.objectives)});
  }
  const auto predicted = [](const Member& p) {
    return std::any_of(p.values.begin(), p.values.end(),
                       [](const Evaluation& e) { return e.key.source == Source::kPredicted; });
  };
  const auto first_better = [&](const Member& a, const Member& b) {
    const double va = *a.values[0].value, vb = *b.values[0].value;
    if (va != vb) return objectives_[0].goal == Goal::kMaximize ? va > vb : va < vb;
    return a.id < b.id;
  };
  std::vector<Member> front;
  for (;;) {
    std::vector<Point> points;
    points.reserve(feasible.size());
    for (const Member& p : feasible) points.push_back(p.minimised);
    front.clear();
    for (std::size_t i : non_dominated(points)) front.push_back(feasible[i]);
    std::sort(front.begin(), front.end(), first_better);
    const auto risky = [&](const Member& p) {
      for (std::size_t m = 0; m < metrics_.size(); ++m) {
        if (p.values[m].key.source == Source::kPredicted &&
            evaluator_.failure_risk(known.at(p.id), metrics_[m]) >= kPredictedToFail) {
          return true;
        }
      }
      return false;
    };
    auto next = std::find_if(front.begin(), front.end(),
                             [&](const Member& p) { return predicted(p) && !risky(p); });
    if (next == front.end()) {
      next = std::find_if(front.begin(), front.end(), predicted);
      if (next == front.end()) break;
      std::vector<std::string> dropped;
      for (const Member& p : front) {
        if (predicted(p)) dropped.push_back(p.id);  // every one left is risky
      }
      if (dropped.size() < front.size()) {
        for (const std::string& id : dropped) {
          feasible.erase(std::find_if(feasible.begin(), feasible.end(),
                                      [&](const Member& p) { return p.id == id; }));
        }
        stats.unconfirmed += static_cast<std::int64_t>(dropped.size());
        continue;
      }
    }
    const Arch& arch = known.at(next->id);
    std::vector<Evaluation> measured;
    for (std::size_t m = 0; m < metrics_.size(); ++m) {
      if (next->values[m].key.source != Source::kPredicted) continue;
      measured.push_back(evaluator_.measure(arch, metrics_[m]));
      ++stats.confirmations;
    }
    journal_.record(space_, arch, measured);
    // The member again, from its stored values now measured.
    auto at = std::find_if(feasible.begin(), feasible.end(),
                           [&](const Member& p) { return p.id == next->id; });
    Scored s = score(arch, next->id);
    if (s.excluded) ++excluded;
    if (s.outcome.feasible()) {
      at->values = std::move(s.values);
      at->minimised = std::move(s.outcome.objectives);
    } else {
      feasible.erase(at);
    }
  }
  stats.excluded = excluded;
  for (const Member& p : front) {
    FrontMember member;
    member.arch = known.at(p.id);
    member.arch_id = p.id;
    member.objectives.assign(p.values.begin(), p.values.begin() +
                                                   static_cast<std::ptrdiff_t>(objectives_.size()));
    result.front.push_back(std::move(member));
  }
  return result;
}

}  // namespace nas
