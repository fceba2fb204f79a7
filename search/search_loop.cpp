#include "search/search_loop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "core/errors.h"
#include "core/json_parse.h"
#include "core/pareto.h"

namespace nas {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// How long one collect() of a batch waits before the loop looks again.
constexpr std::chrono::milliseconds kCollectWait(100);

bool predicted(const std::vector<Evaluation>& values) {
  return std::any_of(values.begin(), values.end(),
                     [](const Evaluation& e) { return e.key.source == Source::kPredicted; });
}

}  // namespace

struct SearchLoop::Scored {
  Outcome outcome;
  std::vector<Evaluation> values;  // one per metrics_ entry
  bool excluded = false;           // some value is unusable
  bool evaluated = false;          // the evaluator was called
  std::int64_t cache_hits = 0;
};

// What one run() keeps between its phases.
struct SearchLoop::Session {
  LoopResult result;
  std::unordered_set<std::string> queried;
  std::unordered_map<std::string, Arch> known;  // archs seen by this session
  std::size_t idle_steps = 0;
  std::int64_t excluded = 0;  // queried archs with an unusable value, at the end
};

// A feasible candidate of the final front.
struct SearchLoop::Member {
  std::string id;
  std::vector<Evaluation> values;
  std::vector<double> minimised;
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

const Evaluation* SearchLoop::stored_value(const std::vector<Evaluation>& stored,
                                           std::size_t m) const {
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
  return hit == stored.end() ? nullptr : &*hit;
}

std::vector<SearchLoop::Scored> SearchLoop::score(const std::vector<Arch>& archs,
                                                  const std::vector<std::string>& ids) {
  std::vector<Scored> out(archs.size());
  std::unordered_map<std::string, std::size_t> first;  // id -> its first index
  std::vector<EvaluationRequest> requests;
  std::vector<std::pair<std::size_t, std::size_t>> slots;  // request -> (arch, metric)
  for (std::size_t i = 0; i < archs.size(); ++i) {
    out[i].outcome.arch = archs[i];
    out[i].values.resize(metrics_.size());
    if (!first.emplace(ids[i], i).second) continue;  // a repeat: copied below
    const std::vector<Evaluation> stored = journal_.find(ids[i]);
    for (std::size_t m = 0; m < metrics_.size(); ++m) {
      if (const Evaluation* hit = stored_value(stored, m)) {
        out[i].values[m] = *hit;
        ++out[i].cache_hits;
      } else {
        requests.push_back({archs[i], metrics_[m]});
        slots.emplace_back(i, m);
      }
    }
  }
  if (!requests.empty()) {
    auto batch = evaluator_.submit(std::move(requests));
    while (!batch->done()) {
      std::map<std::size_t, std::vector<Evaluation>> arrived;  // by arch index
      for (Answer& a : batch->collect(kCollectWait)) {
        const auto [i, m] = slots.at(a.request);
        out[i].values[m] = a.evaluation;
        arrived[i].push_back(std::move(a.evaluation));
      }
      // Written before it is used: a crash after this line never
      // re-evaluates these values.
      for (const auto& [i, fresh] : arrived) {
        journal_.record(space_, archs[i], fresh);
        out[i].evaluated = true;
      }
    }
  }
  for (std::size_t i = 0; i < archs.size(); ++i) {
    const std::size_t f = first.at(ids[i]);
    if (f != i) {  // the same arch earlier in the batch: its values, as from the store
      out[i].values = out[f].values;
      out[i].cache_hits = static_cast<std::int64_t>(metrics_.size());
    }
    judge(out[i]);
  }
  return out;
}

void SearchLoop::judge(Scored& s) const {
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
}

void SearchLoop::resume(Session& session) {
  LoopStats& stats = session.result.stats;
  if (auto last = journal_.last_step()) {
    strategy_.load_state(last->strategy_state);
    stats.steps = last->step;
    stats.queries = last->queries;
    stats.resumed = true;
  }
  for (const auto& id : journal_.queried_archs()) session.queried.insert(id);
  if (static_cast<std::int64_t>(session.queried.size()) != stats.queries) {
    throw Error("the stored run is inconsistent: " + std::to_string(session.queried.size()) +
                " architectures in its history but " + std::to_string(stats.queries) +
                " queries in its last step");
  }
}

bool SearchLoop::step(Session& session) {
  LoopStats& stats = session.result.stats;
  const std::size_t asked =
      std::min(options_.batch, static_cast<std::size_t>(options_.budget - stats.queries));
  const std::vector<Candidate> candidates = strategy_.ask(asked);
  if (candidates.empty()) {
    stats.exhausted = true;
    return false;
  }
  if (candidates.size() > asked) {
    throw Error("strategy " + strategy_.name() + " proposed more candidates than asked for");
  }
  stats.candidates += static_cast<std::int64_t>(candidates.size());
  std::vector<Arch> archs;
  std::vector<std::string> ids;
  for (const Candidate& c : candidates) {
    archs.push_back(space_.canonical(c.arch));
    ids.push_back(space_.id(archs.back()));
    session.known.emplace(ids.back(), archs.back());
  }
  std::vector<Scored> scored = score(archs, ids);

  StepRecord step;
  std::vector<Outcome> outcomes;
  std::size_t new_in_step = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    Scored& s = scored[i];
    stats.cache_hits += s.cache_hits;
    step.cache_hits += s.cache_hits;
    if (s.evaluated) ++stats.evaluator_calls;
    HistoryEntry entry;
    entry.arch_id = ids[i];
    for (const Arch& p : candidates[i].parents) {
      entry.parent_ids.push_back(space_.id(space_.canonical(p)));
    }
    entry.new_query = session.queried.insert(ids[i]).second;
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
  session.idle_steps = new_in_step == 0 ? session.idle_steps + 1 : 0;
  if (session.idle_steps >= options_.max_idle_steps) {
    stats.exhausted = true;
    return false;
  }
  return true;
}

bool SearchLoop::confirm(Session& session, Member& member) {
  LoopStats& stats = session.result.stats;
  const Arch& arch = session.known.at(member.id);
  std::vector<Evaluation> measured;
  for (std::size_t m = 0; m < metrics_.size(); ++m) {
    if (member.values[m].key.source != Source::kPredicted) continue;
    measured.push_back(evaluator_.measure(arch, metrics_[m]));
    ++stats.confirmations;
  }
  journal_.record(space_, arch, measured);
  // The member again, from its stored values now measured.
  Scored s = std::move(score({arch}, {member.id}).front());
  if (s.excluded) ++session.excluded;
  if (!s.outcome.feasible()) return false;
  member.values = std::move(s.values);
  member.minimised = std::move(s.outcome.objectives);
  return true;
}

// While a front member has a predicted value, the first such member (in the
// order the front is reported) is measured (Evaluator::measure) and the front
// recomputed: one at a time, because a measured member often turns out to
// dominate neighbours whose predictions then need no measuring. Members the
// evaluator expects to fail (Evaluator::failure_risk) come last: once only
// they are left predicted, they are dropped unmeasured if the front keeps
// another member, and measured otherwise. A measurement that fails teaches
// the risk, so a run of such cells at the front's corner is not measured one
// by one.
std::vector<SearchLoop::Member> SearchLoop::final_front(Session& session) {
  LoopStats& stats = session.result.stats;
  std::vector<std::string> ids = journal_.queried_archs();
  std::vector<Arch> archs;
  for (const auto& id : ids) {
    auto it = session.known.find(id);
    archs.push_back(it != session.known.end()
                        ? it->second
                        : space_.from_json(parse_json(journal_.arch_json(id))));
    session.known.emplace(id, archs.back());
  }
  std::vector<Member> feasible;
  std::vector<Scored> scored = score(archs, ids);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (scored[i].excluded) ++session.excluded;
    if (!scored[i].outcome.feasible()) continue;
    feasible.push_back({ids[i], std::move(scored[i].values),
                        std::move(scored[i].outcome.objectives)});
  }
  const auto first_better = [&](const Member& a, const Member& b) {
    const double va = *a.values[0].value, vb = *b.values[0].value;
    if (va != vb) return objectives_[0].goal == Goal::kMaximize ? va > vb : va < vb;
    return a.id < b.id;
  };
  const auto risky = [&](const Member& p) {
    for (std::size_t m = 0; m < metrics_.size(); ++m) {
      if (p.values[m].key.source == Source::kPredicted &&
          evaluator_.failure_risk(session.known.at(p.id), metrics_[m]) >= kPredictedToFail) {
        return true;
      }
    }
    return false;
  };
  const auto is_predicted = [](const Member& p) { return predicted(p.values); };
  std::vector<Member> front;
  for (;;) {
    std::vector<Point> points;
    points.reserve(feasible.size());
    for (const Member& p : feasible) points.push_back(p.minimised);
    front.clear();
    for (std::size_t i : non_dominated(points)) front.push_back(feasible[i]);
    std::sort(front.begin(), front.end(), first_better);
    auto next = std::find_if(front.begin(), front.end(),
                             [&](const Member& p) { return is_predicted(p) && !risky(p); });
    if (next == front.end()) {
      next = std::find_if(front.begin(), front.end(), is_predicted);
      if (next == front.end()) break;
      std::vector<std::string> dropped;
      for (const Member& p : front) {
        if (is_predicted(p)) dropped.push_back(p.id);  // every one left is risky
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
    auto at = std::find_if(feasible.begin(), feasible.end(),
                           [&](const Member& p) { return p.id == next->id; });
    if (!confirm(session, *at)) feasible.erase(at);
  }
  return front;
}

LoopResult SearchLoop::run() {
  Session session;
  resume(session);
  while (session.result.stats.queries < options_.budget && step(session)) {
  }
  const std::vector<Member> front = final_front(session);
  session.result.stats.excluded = session.excluded;
  for (const Member& p : front) {
    FrontMember member;
    member.arch = session.known.at(p.id);
    member.arch_id = p.id;
    member.objectives.assign(p.values.begin(),
                             p.values.begin() + static_cast<std::ptrdiff_t>(objectives_.size()));
    session.result.front.push_back(std::move(member));
  }
  return std::move(session.result);
}

}  // namespace nas
