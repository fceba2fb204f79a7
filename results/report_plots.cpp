#include "results/report_plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "core/errors.h"
#include "core/preferred_value.h"
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

const Store& store_of(const std::vector<const Store*>& stores, const RunReport& r) {
  for (const Store* s : stores) {
    if (s->path() == r.store) return *s;
  }
  throw Error("report: no open store " + r.store);
}

std::vector<std::string> labels_of(const std::vector<RunReport>& runs) {
  std::vector<std::pair<std::string, RunSummary>> ids;
  for (const RunReport& r : runs) ids.emplace_back(r.store, r.summary);
  return run_labels(ids);
}

// Every queried candidate's values of `metrics` (preferred source, as the
// tables show), in query order; a candidate without a value of some metric
// (excluded, or failed) gets an empty vector.
std::vector<std::vector<double>> queried_values(const Store& store, const RunReport& r,
                                                const std::vector<std::string>& metrics) {
  std::vector<std::vector<double>> out;
  for (const std::string& id : store.queried_archs(r.summary.id)) {
    const std::vector<Evaluation> values = store.evaluations(id);
    std::vector<double> row;
    for (const std::string& m : metrics) {
      const Evaluation* e = preferred_value(values, m);
      if (!e || !e->value || e->key.source == Source::kPredicted) break;
      row.push_back(*e->value);
    }
    if (row.size() != metrics.size()) row.clear();
    out.push_back(std::move(row));
  }
  return out;
}

bool spans_a_decade(const std::vector<PlotSeries>& series) {
  double low = HUGE_VAL, high = 0;
  for (const PlotSeries& s : series) {
    for (const auto& [x, y] : s.points) {
      if (x <= 0) return false;  // a log axis cannot show it
      low = std::min(low, x);
      high = std::max(high, x);
    }
  }
  return std::isfinite(low) && high > 10 * low;
}

// The staircase of the members' (x min, y per goal) front in this panel:
// the members no other beats on these two objectives (core/pareto.h),
// sorted by x.
std::vector<std::pair<double, double>> staircase(const std::vector<std::pair<double, double>>& members,
                                                 Goal y_goal) {
  std::vector<Point> minimised;
  for (const auto& [x, y] : members) minimised.push_back({x, to_minimised(y_goal, y)});
  std::vector<std::pair<double, double>> out;
  for (std::size_t i : non_dominated(minimised)) out.push_back(members[i]);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<Plot> front_plot(const std::vector<const Store*>& stores,
                               const std::vector<RunReport>& runs) {
  Plot plot;
  plot.name = "front";
  plot.title = "Pareto front over every queried candidate";
  const std::vector<std::string> labels = labels_of(runs);
  // Panels by latency metric, first seen first.
  std::vector<std::string> panel_metrics;
  std::map<std::string, PlotPanel> panels;
  for (std::size_t ri = 0; ri < runs.size(); ++ri) {
    const RunReport& r = runs[ri];
    std::optional<std::size_t> accuracy;
    std::vector<std::size_t> latencies;
    for (std::size_t c = 0; c < r.columns.size(); ++c) {
      if (!r.columns[c].objective) continue;
      const MetricKind kind = parse_metric(r.columns[c].metric).kind;
      if (!accuracy && kind == MetricKind::kAccuracy) accuracy = c;
      if (kind == MetricKind::kLatency) latencies.push_back(c);
    }
    if (!accuracy || latencies.empty()) continue;
    const report::Column& y_column = r.columns[*accuracy];
    for (std::size_t c : latencies) {
      const report::Column& x_column = r.columns[c];
      if (!panels.count(x_column.metric)) {
        panel_metrics.push_back(x_column.metric);
        PlotPanel& p = panels[x_column.metric];
        p.title = x_column.device;
        p.x_label = (x_column.device.empty() ? x_column.metric : x_column.device) + " latency (ms)";
        p.y_label = y_column.metric;
      }
      PlotPanel& panel = panels[x_column.metric];
      const std::string label = runs.size() > 1 ? labels[ri] : "";
      // One legend entry says what the light points are; each run's colour
      // is named by its front's entry.
      PlotSeries cloud{ri == 0 ? "all candidates" : "", SeriesStyle::kCloud, static_cast<int>(ri),
                       {}, {}};
      for (const auto& v : queried_values(store_of(stores, r), r, {x_column.metric, y_column.metric})) {
        if (!v.empty()) cloud.points.emplace_back(v[0], v[1]);
      }
      std::vector<std::pair<double, double>> members;
      for (const report::FrontRow& row : r.front) {
        const auto x = value_of(row.cells[c]), y = value_of(row.cells[*accuracy]);
        if (x && y) members.emplace_back(*x, *y);
      }
      if (!cloud.points.empty()) panel.series.push_back(std::move(cloud));
      if (members.empty()) continue;
      panel.series.push_back({label.empty() ? "front" : label, SeriesStyle::kStaircase,
                              static_cast<int>(ri), staircase(members, y_column.goal), {}});
    }
  }
  for (const std::string& m : panel_metrics) {
    PlotPanel& p = panels[m];
    if (p.series.empty()) continue;
    if (panel_metrics.size() == 1) p.title.clear();  // one chart needs no heading
    p.log_x = spans_a_decade(p.series);
    plot.panels.push_back(std::move(p));
  }
  if (plot.panels.empty()) return std::nullopt;
  return plot;
}

// The run's objective vectors (minimisation form) in query order; a
// candidate without every value gets +inf (it spent a query, adds no point).
std::vector<Point> queried_points(const Store& store, const RunReport& r,
                                  const std::vector<report::Column>& columns) {
  std::vector<std::string> metrics;
  for (const report::Column& c : columns) metrics.push_back(c.metric);
  std::vector<Point> points;
  for (const auto& values : queried_values(store, r, metrics)) {
    Point p(columns.size(), HUGE_VAL);
    for (std::size_t i = 0; i < values.size(); ++i) {
      p[i] = to_minimised(columns[i].goal, values[i]);
    }
    points.push_back(std::move(p));
  }
  return points;
}

// Hypervolume after each of `ks` queries (ascending, 1-based).
std::string group_key(const RunReport& r, const std::string& field) {
  if (field == "strategy") return r.summary.strategy;
  if (field == "name") return r.summary.name;
  if (field == "seed") return std::to_string(r.summary.seed);
  if (field == "status") return r.summary.status;
  if (field == "store") return std::filesystem::path(r.store).stem().string();
  throw UsageError("--group-by '" + field + "': not a run field (expected strategy, name, seed, "
                   "store or status)");
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

std::optional<Plot> hypervolume_plot(const std::vector<const Store*>& stores,
                                     const std::vector<RunReport>& runs,
                                     const PlotOptions& options) {
  Plot plot;
  plot.name = "hypervolume";
  plot.title = "Hypervolume of the front by queries";
  // The objectives of the first run with any; runs with others cannot share
  // a reference point.
  std::vector<report::Column> columns;
  for (const RunReport& r : runs) {
    for (const report::Column& c : r.columns) {
      if (c.objective) columns.push_back(c);
    }
    if (!columns.empty()) break;
  }
  if (columns.empty() || columns.size() > 4) return std::nullopt;  // exact HV stays cheap up to 4
  const std::vector<std::string> labels = labels_of(runs);
  std::vector<std::size_t> used;
  std::vector<std::vector<Point>> points;
  for (std::size_t ri = 0; ri < runs.size(); ++ri) {
    std::vector<report::Column> mine;
    for (const report::Column& c : runs[ri].columns) {
      if (c.objective) mine.push_back(c);
    }
    const bool same = mine.size() == columns.size() &&
                      std::equal(mine.begin(), mine.end(), columns.begin(), [](auto& a, auto& b) {
                        return a.metric == b.metric && a.goal == b.goal;
                      });
    if (!same) {
      if (!mine.empty()) plot.notes.push_back("hypervolume: " + labels[ri] + " left out (other objectives)");
      continue;
    }
    used.push_back(ri);
    points.push_back(queried_points(store_of(stores, runs[ri]), runs[ri], columns));
  }
  // One reference point for every run of the figure.
  const std::optional<Point> shared_reference = reference_beyond_worst(points);
  if (!shared_reference) return std::nullopt;
  const Point& reference = *shared_reference;
  std::string ref_text;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    ref_text += (i ? ", " : "") + columns[i].metric + " " +
                number(to_minimised(columns[i].goal, reference[i]));  // back to the metric's sign
  }
  plot.notes.insert(plot.notes.begin(), "hypervolume reference point (shared by every run of the "
                                        "figure; maximised objectives negated inside): " + ref_text);

  PlotPanel panel;
  panel.x_label = "queries";
  panel.y_label = "hypervolume";
  if (options.group_by.empty()) {
    for (std::size_t u = 0; u < used.size(); ++u) {
      PlotSeries series{labels[used[u]], SeriesStyle::kLine, static_cast<int>(used[u]), {}, {}};
      const std::vector<std::size_t> ks = query_grid(points[u].size());
      const std::vector<double> hv = hypervolume_curve(points[u], reference, ks);
      for (std::size_t i = 0; i < ks.size(); ++i) series.points.emplace_back(ks[i], hv[i]);
      panel.series.push_back(std::move(series));
    }
  } else {
    std::vector<std::string> order;
    std::map<std::string, std::vector<std::size_t>> groups;  // key -> indexes into used
    for (std::size_t u = 0; u < used.size(); ++u) {
      const std::string key = group_key(runs[used[u]], options.group_by);
      if (!groups.count(key)) order.push_back(key);
      groups[key].push_back(u);
    }
    plot.notes.push_back("final hypervolume by " + options.group_by + ":");
    plot.notes.push_back("| " + options.group_by + " | runs | queries | hypervolume mean ± std | min | max |");
    plot.notes.push_back("|---|---:|---:|---:|---:|---:|");
    for (std::size_t g = 0; g < order.size(); ++g) {
      const std::vector<std::size_t>& members = groups[order[g]];
      std::size_t shortest = SIZE_MAX;
      for (std::size_t u : members) shortest = std::min(shortest, points[u].size());
      const std::vector<std::size_t> ks = query_grid(shortest);
      if (ks.empty()) continue;
      std::vector<std::vector<double>> curves;
      for (std::size_t u : members) curves.push_back(hypervolume_curve(points[u], reference, ks));
      const double n = static_cast<double>(curves.size());
      PlotSeries series{order[g] + " (n=" + std::to_string(curves.size()) + ")", SeriesStyle::kBand,
                        static_cast<int>(g), {}, {}};
      double mean = 0, var = 0, low = 0, high = 0;
      for (std::size_t i = 0; i < ks.size(); ++i) {
        mean = 0, var = 0, low = HUGE_VAL, high = -HUGE_VAL;
        for (const auto& c : curves) {
          mean += c[i] / n;
          low = std::min(low, c[i]);
          high = std::max(high, c[i]);
        }
        for (const auto& c : curves) var += (c[i] - mean) * (c[i] - mean);
        var = curves.size() > 1 ? var / (n - 1) : 0;  // sample std over seeds
        series.points.emplace_back(ks[i], mean);
        series.band.emplace_back(low, high);
      }
      panel.series.push_back(std::move(series));
      plot.notes.push_back("| " + order[g] + " | " + std::to_string(curves.size()) + " | " +
                           std::to_string(ks.back()) + " | " + number(mean) + " ± " +
                           number(std::sqrt(var)) + " | " + number(low) + " | " + number(high) + " |");
    }
  }
  if (panel.series.empty()) return std::nullopt;
  plot.panels.push_back(std::move(panel));
  return plot;
}

std::optional<Plot> predicted_plot(const std::vector<const Store*>& stores,
                                   const std::vector<RunReport>& runs, const std::string& device) {
  Plot plot;
  plot.name = "predicted_vs_measured";
  plot.title = "Predicted against measured latency";
  PlotPanel panel;
  panel.x_label = "predicted latency (ms)";
  panel.y_label = "measured latency (ms)";
  std::map<std::string, PlotSeries> by_device;
  bool tabular = false;  // a table stood in for the board somewhere
  for (const RunReport& r : runs) {
    const Store& store = store_of(stores, r);
    for (const std::string& id : store.queried_archs(r.summary.id)) {
      struct Pair {
        std::optional<double> predicted, measured, table;
      };
      std::map<std::string, Pair> pairs;
      for (const Evaluation& e : store.evaluations(id)) {
        if (parse_metric(e.key.metric).kind != MetricKind::kLatency || !e.value) continue;
        if (!device.empty() && e.key.device != device) continue;
        Pair& pair = pairs[e.key.device.empty() ? e.key.metric : e.key.device];
        if (e.key.source == Source::kPredicted) pair.predicted = e.value;
        if (e.key.source == Source::kMeasured) pair.measured = e.value;
        if (e.key.source == Source::kTabular) pair.table = e.value;
      }
      for (const auto& [name, pair] : pairs) {
        const std::optional<double> truth = pair.measured ? pair.measured : pair.table;
        if (!pair.predicted || !truth) continue;
        tabular = tabular || !pair.measured;
        by_device[name].title = name;
        by_device[name].points.emplace_back(*pair.predicted, *truth);
      }
    }
  }
  if (tabular) panel.y_label = "measured or table latency (ms)";
  int colour = 0;
  for (auto& [name, series] : by_device) {
    series.colour = colour++;
    panel.series.push_back(std::move(series));
  }
  if (panel.series.empty()) return std::nullopt;
  panel.log_x = spans_a_decade(panel.series);
  plot.panels.push_back(std::move(panel));
  return plot;
}

}  // namespace

std::vector<std::string> run_labels(const std::vector<std::pair<std::string, RunSummary>>& runs) {
  auto all_differ = [&](auto key) {
    std::set<std::string> seen;
    for (const auto& r : runs) seen.insert(key(r));
    return seen.size() == runs.size();
  };
  auto varies = [&](auto key) {
    std::set<std::string> seen;
    for (const auto& r : runs) seen.insert(key(r));
    return seen.size() > 1;
  };
  const auto name = [](const auto& r) { return r.second.name; };
  const auto strategy = [](const auto& r) { return r.second.strategy; };
  const auto seed = [](const auto& r) { return std::to_string(r.second.seed); };
  const auto file = [](const auto& r) { return std::filesystem::path(r.first).stem().string(); };
  std::vector<std::string> out;
  if (runs.size() <= 1 || all_differ(name)) {
    for (const auto& r : runs) out.push_back(r.second.name);
    return out;
  }
  const bool by_strategy = varies(strategy), by_seed = varies(seed);
  const auto differing = [&](const auto& r) {
    std::string label = by_strategy ? r.second.strategy : "";
    if (by_seed) label += (label.empty() ? "seed " : " seed ") + std::to_string(r.second.seed);
    return label;
  };
  if ((by_strategy || by_seed) && all_differ(differing)) {
    for (const auto& r : runs) out.push_back(differing(r));
    return out;
  }
  if (all_differ(file)) {
    for (const auto& r : runs) out.push_back(file(r));
    return out;
  }
  for (const auto& r : runs) out.push_back(file(r) + " run " + std::to_string(r.second.id));
  return out;
}

std::vector<Plot> report_plots(const std::vector<const Store*>& stores,
                               const ReportOptions& options, const PlotOptions& plot_options) {
  if (!plot_options.group_by.empty()) group_key(RunReport{}, plot_options.group_by);  // throws if unknown
  const std::vector<RunReport> runs = report::gather(stores, options);
  std::vector<Plot> plots;
  if (auto p = front_plot(stores, runs)) plots.push_back(std::move(*p));
  if (auto p = hypervolume_plot(stores, runs, plot_options)) plots.push_back(std::move(*p));
  if (auto p = predicted_plot(stores, runs, options.device)) plots.push_back(std::move(*p));
  return plots;
}

}  // namespace nas
