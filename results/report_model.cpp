#include "results/report_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/json_parse.h"
#include "core/config.h"
#include "core/errors.h"
#include "core/metric.h"
#include "core/pareto.h"
#include "core/preferred_value.h"
#include "core/space_registry.h"
#include "results/stored_run.h"

namespace nas::report {
namespace {

Cell pick(const std::vector<Evaluation>& evaluations, const std::string& metric) {
  const Evaluation* best = preferred_value(evaluations, metric);
  if (!best) return std::nullopt;
  return *best;
}

// A latency or energy on a device: what the across-devices table shows.
bool is_device_metric(const Evaluation& e) {
  const MetricKind kind = parse_metric(e.key.metric).kind;
  return !e.key.device.empty() && (kind == MetricKind::kLatency || kind == MetricKind::kEnergy);
}

// Minimisation form of a row's value for column `c`; +inf when absent.
double minimised(const FrontRow& row, const Column& column, std::size_t c) {
  const Cell& cell = row.cells[c];
  if (!cell || !cell->value) return HUGE_VAL;
  return to_minimised(column.goal, *cell->value);
}

// Members not beaten by another on the columns in `use`.
std::vector<std::size_t> non_dominated_on(const std::vector<FrontRow>& rows,
                                          const std::vector<Column>& columns,
                                          const std::vector<std::size_t>& use) {
  std::vector<Point> points;
  for (const FrontRow& row : rows) {
    Point p;
    for (std::size_t c : use) p.push_back(minimised(row, columns[c], c));
    points.push_back(std::move(p));
  }
  return non_dominated(points);
}

// What the run's stored configuration asks for: its objectives, the metrics
// of its objectives and constraints, and its space.
struct RunTargets {
  std::vector<Objective> objectives;
  std::vector<std::string> metrics;
  std::optional<SearchSpace> space;
};

// The run's configuration read back; a damaged one leaves `problem` set
// and the targets empty.
RunTargets read_targets(const Store& store, std::int64_t run_id, std::string& problem) {
  RunTargets targets;
  try {
    StoredRun run = load_run(store, run_id);
    targets.objectives = run.config.objectives;
    for (const Objective& o : run.config.objectives) targets.metrics.push_back(o.metric);
    for (const Constraint& c : run.config.constraints) {
      if (std::find(targets.metrics.begin(), targets.metrics.end(), c.metric) ==
          targets.metrics.end()) {
        targets.metrics.push_back(c.metric);
      }
    }
    targets.space = std::move(run.space);
  } catch (const StoredRunError& e) {
    // The report's heading names the store and run already.
    problem = e.problem();
  }
  return targets;
}

// The run's spend: excluded architectures, measurements and jobs per device
// (only options.device's when given), and the supernet's training epochs.
void add_spend(const Store& store, std::int64_t run_id, const std::vector<std::string>& metrics,
               const ReportOptions& options, RunReport& report) {
  report.excluded = store.count_excluded(run_id, metrics);
  for (const DeviceMeasurements& m : store.measurement_counts(run_id)) {
    if (options.device.empty() || m.device == options.device) report.measurements.push_back(m);
  }
  for (const DeviceSpend& d : store.measurement_spend(run_id)) {
    if (options.device.empty() || d.device == options.device) report.spend.push_back(d);
  }
  report.training_epochs = epoch_ends(store.training(run_id));
}

// The stored front's rows (labels, MACs, params) in order; returns each
// member's evaluations, parallel to report.front.
std::vector<std::vector<Evaluation>> read_front(const Store& store, std::int64_t run_id,
                                                const SearchSpace& space, RunReport& report) {
  std::vector<std::vector<Evaluation>> evaluations;
  std::int64_t position = 0;
  for (const std::string& arch_id : store.front(run_id)) {
    FrontRow row;
    row.position = ++position;
    row.arch_id = arch_id;
    const std::optional<StoredArch> arch = store.arch(arch_id);
    row.label = row.full_label = "?";
    try {
      if (arch) {
        const Arch decoded = space.from_json(parse_json(arch->canonical_json));
        row.label = arch_label(space, decoded);
        row.full_label = arch_full_label(space, decoded);
      }
    } catch (const std::exception&) {
      // An architecture of another space version: the id still identifies it.
    }
    evaluations.push_back(store.evaluations(arch_id));
    const auto& values = evaluations.back();
    for (const Evaluation& e : values) report.front_metrics.insert(e.key.metric);
    const Cell macs = pick(values, "macs"), params = pick(values, "params");
    row.macs = arch && arch->macs ? arch->macs : macs ? macs->value : std::nullopt;
    row.params = arch && arch->params ? arch->params : params ? params->value : std::nullopt;
    report.front.push_back(std::move(row));
  }
  report.front_stored = static_cast<std::int64_t>(report.front.size());
  return evaluations;
}

// Columns: the objectives, then the metrics only constraints name (what
// kept a member feasible: "coral_cpu_ops_int8 <= 0"), each with the device
// its values name (another device's are dropped under --device), then the
// accuracies the front was evaluated on after the search (test_acc).
void add_columns(const RunTargets& targets, const std::vector<std::vector<Evaluation>>& evaluations,
                 const ReportOptions& options, RunReport& report) {
  std::vector<Column> wanted;
  for (const Objective& objective : targets.objectives) {
    wanted.push_back(Column{objective.metric, objective.goal, ""});
  }
  for (const std::string& metric : targets.metrics) {
    const bool objective = std::any_of(wanted.begin(), wanted.end(),
                                       [&](const Column& c) { return c.metric == metric; });
    if (objective) continue;
    const Goal goal = parse_metric(metric).maximised() ? Goal::kMaximize : Goal::kMinimize;
    wanted.push_back(Column{metric, goal, "", false, false, true});
  }
  for (Column& column : wanted) {
    for (const auto& values : evaluations) {
      if (const Cell c = pick(values, column.metric)) column.device = c->key.device;
      if (!column.device.empty()) break;
    }
    if (!options.device.empty() && !column.device.empty() && column.device != options.device) {
      continue;
    }
    report.columns.push_back(column);
  }
  std::set<std::string> final_metrics;
  for (const auto& values : evaluations) {
    for (const Evaluation& e : values) {
      if (e.value && parse_metric(e.key.metric).kind == MetricKind::kAccuracy) {
        final_metrics.insert(e.key.metric);
      }
    }
  }
  for (const std::string& m : targets.metrics) final_metrics.erase(m);
  for (const std::string& m : final_metrics) {
    report.columns.push_back(Column{m, Goal::kMaximize, "", false});
  }
  // A fine-tuned column beside each accuracy some member was fine-tuned on.
  std::set<std::string> fine_tuned;
  for (const auto& values : evaluations) {
    for (const Evaluation& e : values) {
      if (e.key.source == Source::kFinetuned && e.value) fine_tuned.insert(e.key.metric);
    }
  }
  for (const std::string& m : fine_tuned) {
    report.columns.push_back(Column{m, Goal::kMaximize, "", false, true});
  }
}

// Each row's cells, one per column.
void fill_cells(const std::vector<std::vector<Evaluation>>& evaluations, RunReport& report) {
  for (std::size_t i = 0; i < report.front.size(); ++i) {
    for (const Column& c : report.columns) {
      if (c.fine_tuned) {
        const Evaluation* tuned = fine_tuned_value(evaluations[i], c.metric);
        report.front[i].cells.push_back(tuned ? Cell(*tuned) : std::nullopt);
      } else {
        report.front[i].cells.push_back(pick(evaluations[i], c.metric));
      }
    }
  }
}

// The latency and energy metrics the front was measured on (on options.device
// only, when given).
std::set<std::string> device_metrics_of(const std::vector<std::vector<Evaluation>>& evaluations,
                                        const ReportOptions& options) {
  std::set<std::string> device_metrics;
  for (const auto& values : evaluations) {
    for (const Evaluation& e : values) {
      if (is_device_metric(e) && (options.device.empty() || e.key.device == options.device)) {
        device_metrics.insert(e.key.metric);
      }
    }
  }
  return device_metrics;
}

// --where, on any value the member has: drops the rows (and their
// evaluations) that fail a condition.
void apply_where(const ReportOptions& options, RunReport& report,
                 std::vector<std::vector<Evaluation>>& evaluations) {
  std::vector<FrontRow> filtered;
  std::vector<std::vector<Evaluation>> filtered_evaluations;
  for (std::size_t i = 0; i < report.front.size(); ++i) {
    bool keep = true;
    for (const WhereCondition& w : options.where) {
      const Cell c = pick(evaluations[i], w.metric);
      keep = keep && c && c->value && w.holds(*c->value);
    }
    if (!keep) continue;
    filtered.push_back(std::move(report.front[i]));
    filtered_evaluations.push_back(std::move(evaluations[i]));
  }
  report.front = std::move(filtered);
  evaluations = std::move(filtered_evaluations);
}

// Devices among the objectives: a front per device when there are several.
void add_device_fronts(RunReport& report) {
  std::vector<std::string> devices;
  for (const Column& c : report.columns) {
    if (!c.device.empty() && std::find(devices.begin(), devices.end(), c.device) == devices.end()) {
      devices.push_back(c.device);
    }
  }
  if (devices.size() <= 1) return;
  for (const std::string& device : devices) {
    std::vector<std::size_t> use;
    for (std::size_t c = 0; c < report.columns.size(); ++c) {
      const Column& column = report.columns[c];
      if (column.objective && (column.device.empty() || column.device == device)) use.push_back(c);
    }
    report.device_fronts.push_back({device, non_dominated_on(report.front, report.columns, use)});
  }
}

// The across-devices table: `device_metrics` on every device that measured
// one of them, shown only when there are several.
void add_device_cells(const std::set<std::string>& device_metrics,
                      const std::vector<std::vector<Evaluation>>& evaluations,
                      RunReport& report) {
  std::set<std::string> metric_devices;
  for (const auto& values : evaluations) {
    for (const Evaluation& e : values) {
      if (device_metrics.count(e.key.metric)) metric_devices.insert(e.key.device);
    }
  }
  if (metric_devices.size() <= 1) return;
  report.device_metrics.assign(device_metrics.begin(), device_metrics.end());
  for (std::size_t i = 0; i < report.front.size(); ++i) {
    for (const std::string& m : report.device_metrics) {
      report.front[i].device_cells.push_back(pick(evaluations[i], m));
    }
  }
}

RunReport gather_run(const Store& store, const RunSummary& summary, const ReportOptions& options) {
  RunReport report;
  report.store = store.path();
  report.summary = summary;
  const RunTargets targets = read_targets(store, summary.id, report.problem);
  add_spend(store, summary.id, targets.metrics, options, report);
  if (!report.problem.empty()) return report;

  std::vector<std::vector<Evaluation>> evaluations =
      read_front(store, summary.id, *targets.space, report);
  add_columns(targets, evaluations, options, report);
  fill_cells(evaluations, report);
  // Over every stored member, before --where drops any.
  const std::set<std::string> device_metrics = device_metrics_of(evaluations, options);
  apply_where(options, report, evaluations);
  for (const FrontRow& row : report.front) {
    report.has_macs = report.has_macs || row.macs.has_value();
    report.has_params = report.has_params || row.params.has_value();
  }
  add_device_fronts(report);
  add_device_cells(device_metrics, evaluations, report);
  return report;
}

}  // namespace

std::vector<RunReport> gather(const std::vector<const Store*>& stores,
                              const ReportOptions& options) {
  std::vector<RunReport> runs;
  for (const Store* store : stores) {
    std::vector<RunSummary> summaries;
    if (options.run_id) {
      std::optional<RunSummary> one = store->run(*options.run_id);
      if (!one && stores.size() == 1) {
        throw UsageError("store " + store->path() + ": no run with id " +
                         std::to_string(*options.run_id));
      }
      if (one) summaries.push_back(std::move(*one));
    } else {
      summaries = store->list_runs();
    }
    for (const RunSummary& s : summaries) runs.push_back(gather_run(*store, s, options));
  }
  if (options.run_id && runs.empty()) {
    throw UsageError("no store given has a run with id " + std::to_string(*options.run_id));
  }

  // A where metric that no front member has is a typo, not an empty result.
  bool any_front = false;
  for (const RunReport& r : runs) any_front = any_front || r.front_stored > 0;
  for (const WhereCondition& w : options.where) {
    bool known = false;
    for (const RunReport& r : runs) known = known || r.front_metrics.count(w.metric) > 0;
    if (!known && any_front) {
      throw UsageError("--where '" + w.text + "': no front member has a value of metric '" +
                       w.metric + "'");
    }
  }
  return runs;
}

// ------------------------------------------------------------ formatting

std::vector<PrecisionDrop> precision_drops(const RunReport& r) {
  std::vector<PrecisionDrop> drops;
  for (std::size_t q = 0; q < r.columns.size(); ++q) {
    const Metric m = parse_metric(r.columns[q].metric);
    if (m.kind != MetricKind::kAccuracy || r.columns[q].fine_tuned ||
        m.precision == Precision::kUnspecified || m.precision == Precision::kFp32) {
      continue;
    }
    for (std::size_t f = 0; f < r.columns.size(); ++f) {
      if (r.columns[f].metric == m.base && !r.columns[f].fine_tuned) {
        drops.push_back({q, f, r.columns[q].metric + " drop (points)"});
      }
    }
  }
  return drops;
}

std::string drop_text(const FrontRow& row, const PrecisionDrop& drop) {
  const Cell& quantized = row.cells[drop.quantized];
  const Cell& full = row.cells[drop.full];
  if (!quantized || !quantized->value || !full || !full->value) return "n/a";
  // Fractions (the supernet's) in points; percentages (tables) are points already.
  const double scale = std::fabs(*full->value) <= 1 ? 100 : 1;
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", scale * (*full->value - *quantized->value));
  return text;
}

std::string format_value(const std::string& metric, double value) {
  char text[64];
  // Accuracies come as percentages (tables) or fractions (supernet): four
  // decimals keep a fraction's 0.01 % steps.
  const bool accuracy = parse_metric(metric).kind == MetricKind::kAccuracy;
  const char* format = !accuracy ? "%.3f" : std::fabs(value) <= 1 ? "%.4f" : "%.2f";
  std::snprintf(text, sizeof text, format, value);
  return text;
}

CellText cell_text(const std::string& metric, const Cell& cell) {
  CellText out;
  out.value = "n/a";
  if (!cell) return out;
  const Evaluation& e = *cell;
  if (!e.value) {
    out.source = e.note;
    return out;
  }
  out.value = format_value(metric, *e.value);
  out.source = to_string(e.key.source);
  // The spread belongs to the value only when the value is the median.
  if (e.measurement && parse_metric(metric).kind == MetricKind::kLatency &&
      e.measurement->median_ms == *e.value) {
    const MeasurementRecord& m = *e.measurement;
    if (m.reported("std_ms")) out.spread = format_value(metric, m.std_ms);
    if (m.reported("p90_ms")) out.p90 = format_value(metric, m.p90_ms);
    if (m.reported("std_ms") && m.std_ms >= m.median_ms) out.flag = "noisy: std >= median";
  }
  return out;
}

std::string join_cell(const CellText& t, const std::string& pm) {
  std::string out = t.value;
  if (!t.spread.empty()) out += " " + pm + " " + t.spread;
  if (!t.p90.empty()) out += ", p90 " + t.p90;
  if (!t.flag.empty()) out += " [" + t.flag + "]";
  if (!t.source.empty()) out += " (" + t.source + ")";
  return out;
}

std::string goal_name(Goal goal) { return goal == Goal::kMaximize ? "max" : "min"; }

std::string format_count(double value) {
  char text[32];
  if (value >= 1e9) std::snprintf(text, sizeof text, "%.2fG", value / 1e9);
  else if (value >= 1e6) std::snprintf(text, sizeof text, "%.2fM", value / 1e6);
  else if (value >= 1e3) std::snprintf(text, sizeof text, "%.1fk", value / 1e3);
  else std::snprintf(text, sizeof text, "%.0f", value);
  return text;
}

std::string format_duration(double seconds) {
  // Short runs (a tabular search takes well under a second) keep their precision.
  if (seconds < 60) {
    char short_text[32];
    std::snprintf(short_text, sizeof short_text, "%.2f s", std::max(0.0, seconds));
    return short_text;
  }
  const auto total = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  char text[64];
  std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60,
                total % 60);
  return text;
}

std::string format_time(double unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%SZ", &utc);
  return text;
}

namespace {

std::string format_hits(const RunSummary& s) {
  const std::int64_t lookups = s.cache_hits + s.evaluator_calls;
  std::string out = std::to_string(s.cache_hits);
  if (lookups > 0) {
    char rate[64];
    std::snprintf(rate, sizeof rate, " (hit rate %.1f%%)",
                  100.0 * static_cast<double>(s.cache_hits) / static_cast<double>(lookups));
    out += rate;
  }
  return out;
}

std::string format_supernet(const RunSummary& s) {
  if (!s.supernet_seconds) return "-";
  return format_duration(*s.supernet_seconds) +
         (s.supernet_device.empty() ? "" : " on " + s.supernet_device);
}

std::string format_measurements(const RunReport& r) {
  if (r.measurements.empty()) return "none";
  std::string out;
  for (const DeviceMeasurements& m : r.measurements) {
    if (!out.empty()) out += "; ";
    out += m.device + ": " + std::to_string(m.count);
    if (m.with_energy > 0) out += " (" + std::to_string(m.with_energy) + " with energy)";
  }
  return out;
}

// "raspi4: 88 (40 during the search, 48 confirming the front), 3 wasted on failures";
// values read from a device's table say so: "raspi4 (table): ..."
std::string format_spend(const RunReport& r) {
  if (r.spend.empty()) return "none";
  std::string out;
  for (const DeviceSpend& d : r.spend) {
    if (!out.empty()) out += "; ";
    out += d.device + (d.from_table ? " (table)" : "") + ": " +
           std::to_string(d.search + d.confirmations) + " (" +
           std::to_string(d.search) + " during the search, " + std::to_string(d.confirmations) +
           " confirming the front), " + std::to_string(d.failed) + " wasted on failures";
  }
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> summary_fields(const RunReport& r) {
  const RunSummary& s = r.summary;
  return {
      {"run", std::to_string(s.id) + " (" + s.name + ")"},
      {"status", s.status},
      {"strategy", s.strategy},
      {"seed", std::to_string(s.seed)},
      {"queries", std::to_string(s.queries)},
      {"evaluator calls", std::to_string(s.evaluator_calls)},
      {"cache hits", format_hits(s)},
      {"excluded candidates", std::to_string(r.excluded)},
      {"steps", std::to_string(s.steps)},
      {"sessions", std::to_string(s.sessions)},
      {"wall time", format_duration(s.wall_seconds)},
      {"supernet training", format_supernet(s)},
      {"hardware measurements", format_measurements(r)},
      {"device values", format_spend(r)},
      {"created", format_time(s.created_at)},
      {"finished", s.finished_at ? format_time(*s.finished_at) : "-"},
      {"code version", s.code_version},
      {"config hash", s.config_hash},
  };
}

std::string front_title(const RunReport& r) {
  std::string out = "Pareto front: " + std::to_string(r.front.size()) +
                    (r.front.size() == 1 ? " architecture" : " architectures");
  if (static_cast<std::int64_t>(r.front.size()) != r.front_stored) {
    out += " of " + std::to_string(r.front_stored) + " (filtered)";
  }
  return out;
}

bool several_stores(const std::vector<RunReport>& runs) {
  for (const RunReport& r : runs) {
    if (r.store != runs.front().store) return true;
  }
  return false;
}

std::string run_title(const RunReport& r, bool with_store) {
  return (with_store ? r.store + ", run " : "Run ") + std::to_string(r.summary.id) + ": " +
         r.summary.name;
}

std::vector<std::string> all_metrics(const std::vector<RunReport>& runs) {
  std::vector<std::string> metrics;
  for (const RunReport& r : runs) {
    for (const Column& c : r.columns) {
      if (std::find(metrics.begin(), metrics.end(), c.key()) == metrics.end()) {
        metrics.push_back(c.key());
      }
    }
  }
  return metrics;
}

std::vector<std::string> comparison_header(const std::vector<RunReport>& runs) {
  std::vector<std::string> header = {"store", "run", "name", "strategy", "queries", "front"};
  for (const std::string& m : all_metrics(runs)) header.push_back("best " + m);
  for (const char* h : {"wall time", "supernet", "measurements"}) header.push_back(h);
  return header;
}

std::vector<std::vector<std::string>> comparison_rows(const std::vector<RunReport>& runs) {
  const std::vector<std::string> metrics = all_metrics(runs);
  std::vector<std::vector<std::string>> rows;
  for (const RunReport& r : runs) {
    std::vector<std::string> row = {r.store, std::to_string(r.summary.id), r.summary.name,
                                    r.summary.strategy, std::to_string(r.summary.queries),
                                    std::to_string(r.front.size())};
    for (const std::string& m : metrics) {
      std::optional<double> best;
      std::string metric = m;
      for (std::size_t c = 0; c < r.columns.size(); ++c) {
        if (r.columns[c].key() != m) continue;
        metric = r.columns[c].metric;
        for (const FrontRow& f : r.front) {
          if (!f.cells[c] || !f.cells[c]->value) continue;
          const double v = *f.cells[c]->value;
          const bool better = r.columns[c].goal == Goal::kMaximize ? v > best.value_or(-HUGE_VAL)
                                                                   : v < best.value_or(HUGE_VAL);
          if (better) best = v;
        }
      }
      row.push_back(best ? format_value(metric, *best) : "-");
    }
    row.push_back(format_duration(r.summary.wall_seconds));
    row.push_back(format_supernet(r.summary));
    row.push_back(format_measurements(r));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace nas::report
