#include "dashboard/run_view.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/json_parse.h"
#include "core/config.h"
#include "core/errors.h"
#include "core/metric.h"
#include "core/pareto.h"
#include "core/preferred_value.h"
#include "core/space_registry.h"
#include "results/run_summary_json.h"
#include "results/stored_run.h"

namespace nas {
namespace {

// The parts of a run's stored configuration the views need.
struct RunSetup {
  std::vector<Objective> objectives;
  std::vector<Constraint> constraints;
  std::int64_t budget = 0;
  std::optional<SearchSpace> space;
  std::string problem;  // why the configuration could not be read; "" when fine
};

RunSetup read_setup(const Store& store, const RunSummary& summary) {
  RunSetup setup;
  try {
    StoredRun run = load_run(store, summary.id);
    setup.objectives = run.config.objectives;
    setup.constraints = run.config.constraints;
    setup.budget = run.config.search.budget;
    setup.space = std::move(run.space);
  } catch (const StoredRunError& e) {
    // A run of another build version: its summary is still worth showing,
    // under the run it belongs to.
    setup.problem = e.problem();
  }
  return setup;
}

const char* goal_name(Goal goal) { return goal == Goal::kMaximize ? "maximize" : "minimize"; }

nlohmann::json objectives_json(const RunSetup& setup) {
  nlohmann::json out = nlohmann::json::array();
  for (const Objective& o : setup.objectives) {
    out.push_back({{"metric", o.metric},
                   {"goal", goal_name(o.goal)},
                   {"kind", to_string(parse_metric(o.metric).kind)}});
  }
  return out;
}

nlohmann::json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json summary_json(const RunSummary& s, const RunSetup& setup) {
  const std::int64_t lookups = s.evaluator_calls + s.cache_hits;
  nlohmann::json constraints = nlohmann::json::array();
  for (const Constraint& c : setup.constraints) constraints.push_back(c.text);
  nlohmann::json out = run_identity_json(s);
  out["objectives"] = objectives_json(setup);
  out["constraints"] = constraints;
  out["progress"] = {
      {"steps", s.steps},
      {"queries", s.queries},
      {"budget", setup.problem.empty() ? nlohmann::json(setup.budget) : nlohmann::json(nullptr)},
      {"evaluator_calls", s.evaluator_calls},
      {"cache_hits", s.cache_hits},
      {"hit_rate", lookups > 0 ? nlohmann::json(static_cast<double>(s.cache_hits) /
                                                static_cast<double>(lookups))
                               : nlohmann::json(nullptr)},
      {"sessions", s.sessions},
      {"wall_seconds", s.wall_seconds}};
  if (!setup.problem.empty()) out["note"] = setup.problem;
  return out;
}

const Evaluation* pick(const std::vector<Evaluation>& evaluations, const std::string& metric) {
  return preferred_value(evaluations, metric);
}

nlohmann::json value_json(const Evaluation* e) {
  if (!e) return {{"value", nullptr}, {"source", nullptr}, {"note", "no value stored"}};
  return {{"value", optional_number(e->value)},
          {"source", to_string(e->key.source)},
          {"device", e->key.device},
          {"fidelity", e->key.fidelity},
          {"note", e->note}};
}

std::string label_of(const Store& store, const RunSetup& setup, const std::string& arch_id) {
  try {
    const std::optional<std::string> json = store.arch_json(arch_id);
    if (json && setup.space) {
      return arch_label(*setup.space, setup.space->from_json(parse_json(*json)));
    }
  } catch (const std::exception&) {
    // An architecture of another space version: its id still identifies it.
  }
  return "?";
}

nlohmann::json member_json(const Store& store, const RunSetup& setup, std::int64_t position,
                           const std::string& arch_id,
                           const std::vector<Evaluation>& evaluations) {
  nlohmann::json values = nlohmann::json::object();
  for (const Objective& o : setup.objectives) values[o.metric] = value_json(pick(evaluations, o.metric));
  return {{"position", position},
          {"arch_id", arch_id},
          {"label", label_of(store, setup, arch_id)},
          {"values", values}};
}

struct Candidate {
  std::string arch_id;
  std::vector<Evaluation> evaluations;  // predictions removed
  Point point;                          // objectives in minimisation form
};

// The non-dominated feasible candidates among what the run queried so far,
// in query order before sorting by the first objective.
std::vector<Candidate> provisional_front(const Store& store, std::int64_t run_id,
                                         const RunSetup& setup) {
  std::vector<Candidate> usable_candidates;
  for (const std::string& arch_id : store.queried_archs(run_id)) {
    Candidate c;
    c.arch_id = arch_id;
    c.evaluations = store.evaluations(arch_id);
    // A front shows values taken for real; a prediction is only a screen.
    c.evaluations.erase(std::remove_if(c.evaluations.begin(), c.evaluations.end(),
                                       [](const Evaluation& e) {
                                         return e.key.source == Source::kPredicted;
                                       }),
                        c.evaluations.end());
    bool usable = true;
    for (const Objective& o : setup.objectives) {
      const Evaluation* e = pick(c.evaluations, o.metric);
      if (!e || !e->value) {
        usable = false;
        break;
      }
      c.point.push_back(to_minimised(o.goal, *e->value));
    }
    for (const Constraint& k : setup.constraints) {
      const Evaluation* e = usable ? pick(c.evaluations, k.metric) : nullptr;
      if (!e || !e->value || k.violation(*e->value) > 0) usable = false;
    }
    if (usable) usable_candidates.push_back(std::move(c));
  }
  std::vector<Point> points;
  for (const Candidate& c : usable_candidates) points.push_back(c.point);
  std::vector<Candidate> front;
  for (std::size_t i : non_dominated(points)) front.push_back(std::move(usable_candidates[i]));
  std::stable_sort(front.begin(), front.end(), [](const Candidate& a, const Candidate& b) {
    return a.point.front() < b.point.front();
  });
  return front;
}

}  // namespace

nlohmann::json runs_json(const Store& store) {
  nlohmann::json runs = nlohmann::json::array();
  for (const RunSummary& s : store.list_runs()) runs.push_back(summary_json(s, read_setup(store, s)));
  return {{"store", store.path()}, {"runs", runs}};
}

std::optional<nlohmann::json> run_json(const Store& store, std::int64_t run_id) {
  const std::optional<RunSummary> summary = store.run(run_id);
  if (!summary) return std::nullopt;
  return summary_json(*summary, read_setup(store, *summary));
}

std::optional<nlohmann::json> front_json(const Store& store, std::int64_t run_id) {
  const std::optional<RunSummary> summary = store.run(run_id);
  if (!summary) return std::nullopt;
  const RunSetup setup = read_setup(store, *summary);
  nlohmann::json out = {{"run", run_id},
                        {"status", summary->status},
                        {"objectives", objectives_json(setup)},
                        {"provisional", false},
                        {"front", nlohmann::json::array()}};
  if (!setup.problem.empty()) {
    out["note"] = setup.problem;
    return out;
  }
  const std::vector<std::string> stored = store.front(run_id);
  std::int64_t position = 0;
  if (!stored.empty() || summary->status != "running") {
    for (const std::string& arch_id : stored) {
      out["front"].push_back(
          member_json(store, setup, ++position, arch_id, store.evaluations(arch_id)));
    }
    return out;
  }
  out["provisional"] = true;
  for (const Candidate& c : provisional_front(store, run_id, setup)) {
    out["front"].push_back(member_json(store, setup, ++position, c.arch_id, c.evaluations));
  }
  return out;
}

}  // namespace nas
