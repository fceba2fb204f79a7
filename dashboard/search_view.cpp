#include "dashboard/search_view.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/config.h"
#include "core/errors.h"
#include "core/preferred_value.h"
#include "core/hypervolume.h"
#include "core/json_parse.h"
#include "core/pareto.h"
#include "results/stored_run.h"

namespace nas {
namespace {

nlohmann::json number_or_null(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// Hypervolume after about 200 evenly spread query counts, the last included.
nlohmann::json hypervolume_json(const std::vector<Point>& points, const Point& reference) {
  nlohmann::json out = nlohmann::json::array();
  const std::vector<std::size_t> ks = query_grid(points.size());
  const std::vector<double> hv = hypervolume_curve(points, reference, ks);
  for (std::size_t i = 0; i < ks.size(); ++i) out.push_back({ks[i], hv[i]});
  return out;
}

}  // namespace

std::optional<nlohmann::json> candidates_json(const Store& store, std::int64_t run_id) {
  const std::optional<RunSummary> summary = store.run(run_id);
  if (!summary) return std::nullopt;
  nlohmann::json out = {{"run", run_id},
                        {"objectives", nlohmann::json::array()},
                        {"candidates", nlohmann::json::array()},
                        {"hypervolume", {{"reference", nullptr}, {"points", nlohmann::json::array()}}}};
  RunConfig config;
  try {
    config = load_run(store, run_id).config;
  } catch (const StoredRunError& e) {
    out["note"] = e.problem();
    return out;
  }
  for (const Objective& o : config.objectives) {
    out["objectives"].push_back(
        {{"metric", o.metric}, {"goal", o.goal == Goal::kMaximize ? "maximize" : "minimize"}});
  }
  // Objective vectors in minimisation form, empty for an infeasible candidate.
  std::vector<Point> points;
  for (const std::string& arch_id : store.queried_archs(run_id)) {
    std::vector<Evaluation> values = store.evaluations(arch_id);
    // Values taken for real only: a prediction is a screen, not a result.
    values.erase(std::remove_if(values.begin(), values.end(),
                                [](const Evaluation& e) { return e.key.source == Source::kPredicted; }),
                 values.end());
    nlohmann::json shown = nlohmann::json::object();
    Point point;
    bool feasible = true;
    for (const Objective& o : config.objectives) {
      const Evaluation* e = preferred_value(values, o.metric);
      const std::optional<double> v = e ? e->value : std::nullopt;
      shown[o.metric] = number_or_null(v);
      if (!v) feasible = false;
      else point.push_back(to_minimised(o.goal, *v));
    }
    for (const Constraint& c : config.constraints) {
      const Evaluation* e = preferred_value(values, c.metric);
      if (!e || !e->value || c.violation(*e->value) > 0) feasible = false;
    }
    if (!feasible) point.clear();
    points.push_back(point);
    out["candidates"].push_back({{"arch_id", arch_id}, {"values", shown}, {"feasible", feasible}});
  }
  const std::size_t d = config.objectives.size();
  // Exact hypervolume stays cheap up to four objectives (core/hypervolume.h).
  const std::optional<Point> reference = reference_beyond_worst({points});
  if (d == 0 || d > 4 || !reference) return out;
  nlohmann::json shown_reference = nlohmann::json::array();
  for (std::size_t i = 0; i < d; ++i) {
    shown_reference.push_back(to_minimised(config.objectives[i].goal, (*reference)[i]));
  }
  out["hypervolume"] = {{"reference", shown_reference},
                        {"points", hypervolume_json(points, *reference)}};
  return out;
}

std::optional<nlohmann::json> training_json(const Store& store, std::int64_t run_id) {
  const std::optional<RunSummary> summary = store.run(run_id);
  if (!summary) return std::nullopt;
  const std::vector<TrainProgress> reports = store.training(run_id);
  nlohmann::json out = {{"run", run_id},
                        {"status", summary->status},
                        {"reports", nlohmann::json::array()},
                        {"epochs", nlohmann::json::array()},
                        {"latest", nullptr},
                        {"eta_seconds", nullptr},
                        {"training", false}};
  if (reports.empty()) return out;
  const std::size_t stride = std::max<std::size_t>(1, reports.size() / 400);
  for (std::size_t i = 0; i < reports.size(); ++i) {
    if (reports[i].epoch_end) out["epochs"].push_back(nlohmann::json(reports[i]));
    if (!reports[i].epoch_end && (i % stride == 0 || i + 1 == reports.size())) {
      out["reports"].push_back(nlohmann::json(reports[i]));
    }
  }
  const TrainProgress& latest = reports.back();
  out["latest"] = nlohmann::json(latest);
  const bool going = summary->status == "running" && latest.images_done < latest.images_total;
  out["training"] = going;
  if (going && latest.images_per_second > 0) {
    out["eta_seconds"] =
        static_cast<double>(latest.images_total - latest.images_done) / latest.images_per_second;
  }
  return out;
}

std::optional<nlohmann::json> arch_values_json(const Store& store, const std::string& arch_id) {
  const std::optional<StoredArch> arch = store.arch(arch_id);
  if (!arch) return std::nullopt;
  nlohmann::json values = nlohmann::json::array();
  for (const Evaluation& e : store.evaluations(arch_id)) {
    values.push_back({{"metric", e.key.metric},
                      {"value", number_or_null(e.value)},
                      {"source", to_string(e.key.source)},
                      {"device", e.key.device},
                      {"fidelity", e.key.fidelity},
                      {"note", e.note}});
  }
  nlohmann::json architecture;
  try {
    architecture = parse_json(arch->canonical_json);
  } catch (const JsonParseError&) {
    architecture = nlohmann::json::value_t::discarded;
  }
  return nlohmann::json{{"arch_id", arch_id},
                        {"space", arch->space},
                        {"architecture", architecture.is_discarded() ? nlohmann::json(arch->canonical_json)
                                                                     : architecture},
                        {"macs", number_or_null(arch->macs)},
                        {"params", number_or_null(arch->params)},
                        {"values", values}};
}

}  // namespace nas
