#include "results/report_plots.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "results/report_model.h"
#include "core/hypervolume.h"
#include "core/metric.h"
#include "core/pareto.h"

namespace nas {
namespace {

using report::RunReport;

std::optional<double> value_of(const report::Cell& cell) {
  return cell && cell->value ? cell->value : std::nullopt;
}

std::optional<Plot> front_plot(const std::vector<RunReport>& runs) {
  Plot plot{"front", "Pareto front", "", "", false, {}};
  for (const RunReport& r : runs) {
    std::optional<std::size_t> accuracy;
    std::vector<std::size_t> latencies;
    for (std::size_t c = 0; c < r.columns.size(); ++c) {
      const MetricKind kind = parse_metric(r.columns[c].metric).kind;
      if (!accuracy && kind == MetricKind::kAccuracy) accuracy = c;
      if (kind == MetricKind::kLatency) latencies.push_back(c);
    }
    if (!accuracy || latencies.empty()) continue;
    if (runs.size() > 1) latencies.resize(1);
    for (std::size_t c : latencies) {
      PlotSeries series;
      series.title = runs.size() > 1 ? report::run_title(r, report::several_stores(runs))
                                     : r.columns[c].device.empty() ? r.columns[c].metric
                                                                   : r.columns[c].device;
      for (const report::FrontRow& row : r.front) {
        const auto x = value_of(row.cells[c]), y = value_of(row.cells[*accuracy]);
        if (x && y) series.points.emplace_back(*x, *y);
      }
      if (plot.x_label.empty()) {
        plot.x_label = runs.size() > 1 ? r.columns[c].metric : "latency (ms)";
        plot.y_label = r.columns[*accuracy].metric;
      }
      if (!series.points.empty()) plot.series.push_back(std::move(series));
    }
  }
  if (plot.series.empty()) return std::nullopt;
  return plot;
}

// The run's objective vectors (minimisation form) in query order.
std::vector<Point> queried_points(const Store& store, const RunReport& r) {
  std::vector<Point> points;
  for (const std::string& id : store.queried_archs(r.summary.id)) {
    const std::vector<Evaluation> values = store.evaluations(id);
    Point p;
    for (const report::Column& c : r.columns) {
      std::optional<double> v;
      for (const Evaluation& e : values) {
        if (e.key.metric == c.metric && e.value && e.key.source != Source::kPredicted) v = e.value;
      }
      if (!v) break;
      p.push_back(to_minimised(c.goal, *v));
    }
    // An excluded candidate still spent a query: it adds a point to no front.
    if (p.size() != r.columns.size()) p.assign(r.columns.size(), HUGE_VAL);
    points.push_back(std::move(p));
  }
  return points;
}

std::optional<Plot> hypervolume_plot(const std::vector<const Store*>& stores,
                                     const std::vector<RunReport>& runs) {
  Plot plot{"hypervolume", "Hypervolume of the front by queries", "queries", "hypervolume",
            true, {}};
  for (const RunReport& r : runs) {
    if (r.columns.empty() || r.columns.size() > 4) continue;  // exact HV stays cheap up to 4
    const Store* store = nullptr;
    for (const Store* s : stores) {
      if (s->path() == r.store) store = s;
    }
    const std::vector<Point> points = queried_points(*store, r);
    Point worst(r.columns.size(), -HUGE_VAL), best(r.columns.size(), HUGE_VAL);
    for (const Point& p : points) {
      for (std::size_t i = 0; i < p.size() && std::isfinite(p[0]); ++i) {
        worst[i] = std::max(worst[i], p[i]);
        best[i] = std::min(best[i], p[i]);
      }
    }
    if (!std::isfinite(worst[0])) continue;
    Point reference(worst.size());
    for (std::size_t i = 0; i < worst.size(); ++i) {
      const double range = worst[i] - best[i];
      reference[i] = worst[i] + (range > 0 ? 0.1 * range : 1.0);
    }
    PlotSeries series;
    series.title = report::run_title(r, report::several_stores(runs));
    // At most about 200 evaluations of the hypervolume per run.
    const std::size_t stride = std::max<std::size_t>(1, points.size() / 200);
    std::vector<Point> seen;
    for (std::size_t k = 0; k < points.size(); ++k) {
      if (std::isfinite(points[k][0])) seen.push_back(points[k]);
      if ((k + 1) % stride == 0 || k + 1 == points.size()) {
        series.points.emplace_back(static_cast<double>(k + 1), hypervolume(seen, reference));
      }
    }
    plot.series.push_back(std::move(series));
  }
  if (plot.series.empty()) return std::nullopt;
  return plot;
}

std::optional<Plot> predicted_plot(const std::vector<const Store*>& stores,
                                   const std::vector<RunReport>& runs, const std::string& device) {
  Plot plot{"predicted_vs_measured", "Predicted against measured latency",
            "predicted latency (ms)", "measured latency (ms)", false, {}};
  std::map<std::string, PlotSeries> by_device;
  for (const RunReport& r : runs) {
    for (const Store* store : stores) {
      if (store->path() != r.store) continue;
      for (const std::string& id : store->queried_archs(r.summary.id)) {
        std::map<std::string, std::pair<std::optional<double>, std::optional<double>>> pairs;
        for (const Evaluation& e : store->evaluations(id)) {
          if (parse_metric(e.key.metric).kind != MetricKind::kLatency || !e.value) continue;
          if (!device.empty() && e.key.device != device) continue;
          auto& pair = pairs[e.key.device.empty() ? e.key.metric : e.key.device];
          if (e.key.source == Source::kPredicted) pair.first = e.value;
          if (e.key.source == Source::kMeasured) pair.second = e.value;
        }
        for (const auto& [name, pair] : pairs) {
          if (!pair.first || !pair.second) continue;
          by_device[name].title = name;
          by_device[name].points.emplace_back(*pair.first, *pair.second);
        }
      }
    }
  }
  for (auto& [name, series] : by_device) plot.series.push_back(std::move(series));
  if (plot.series.empty()) return std::nullopt;
  return plot;
}

}  // namespace

std::vector<Plot> report_plots(const std::vector<const Store*>& stores,
                               const ReportOptions& options) {
  const std::vector<RunReport> runs = report::gather(stores, options);
  std::vector<Plot> plots;
  if (auto p = front_plot(runs)) plots.push_back(std::move(*p));
  if (auto p = hypervolume_plot(stores, runs)) plots.push_back(std::move(*p));
  if (auto p = predicted_plot(stores, runs, options.device)) plots.push_back(std::move(*p));
  return plots;
}

}  // namespace nas
