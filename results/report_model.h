// What a report shows, gathered from the stores once and rendered by each
// format (report_markdown.cpp, report_latex.cpp, report_tables.cpp). Internal
// to results/.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/objectives.h"
#include "results/report.h"

namespace nas::report {

// A value shown in a cell; absent when nothing is stored.
using Cell = std::optional<Evaluation>;

struct FrontRow {
  std::int64_t position = 0;  // on the stored front, 1 = best
  std::string arch_id;
  std::string label;       // arch_label: compact, for tables read by people
  std::string full_label;  // arch_full_label: every decision, for CSV and JSON
  std::optional<double> macs, params;  // analytic
  std::vector<Cell> cells;             // one per RunReport::columns entry
  // Latency and energy of the arch on every device (RunReport::device_metrics).
  std::vector<Cell> device_cells;
};

struct Column {
  std::string metric;
  Goal goal = Goal::kMinimize;
  std::string device;  // "" when the metric belongs to no device
  // False for an accuracy measured after the search (the front's test
  // accuracy): shown beside the objectives, never used to rank.
  bool objective = true;
  // The latest fine-tuned value of the metric (`nas finetune`), shown beside
  // the inherited one; never an objective.
  bool fine_tuned = false;
  // A metric only the run's constraints name, shown for what kept a member
  // feasible; never an objective.
  bool constraint = false;
  // The column's name where columns are keyed (CSV, JSON, comparisons):
  // the metric, with "_finetuned" appended for a fine-tuned column.
  std::string key() const { return fine_tuned ? metric + "_finetuned" : metric; }
};

struct DeviceFront {
  std::string device;
  std::vector<std::size_t> rows;  // indexes into RunReport::front
};

struct RunReport {
  std::string store;  // the store's path
  RunSummary summary;
  std::vector<Column> columns;  // the objectives shown, in the config's order
  std::vector<FrontRow> front;  // after the --where filter
  std::int64_t front_stored = 0;  // before it
  std::int64_t excluded = 0;
  std::string problem;  // why the front is missing; "" when fine
  bool has_macs = false, has_params = false;
  // Fronts per device, when the objectives span more than one device.
  std::vector<DeviceFront> device_fronts;
  // Latency/energy metrics of the front members over all devices, when
  // they span more than one device ("edgegpu_ms", "raspi4_ms", ...).
  std::vector<std::string> device_metrics;
  std::vector<DeviceMeasurements> measurements;
  std::vector<DeviceSpend> spend;  // device values measured: search, confirmations, waste
  std::set<std::string> front_metrics;  // every metric the stored front members have
  // The supernet training's closing report of every epoch, in epoch order
  // (the last one written per epoch, should a resumed session repeat one).
  std::vector<TrainProgress> training_epochs;
};

// Gathers every run of every store (or `options.run_id`), applying the
// device and where filters. Throws as render_report says.
std::vector<RunReport> gather(const std::vector<const Store*>& stores,
                              const ReportOptions& options);

// ---- formatting shared by the renderers

std::string format_value(const std::string& metric, double value);

// A cell in parts, so that each format can join them its own way.
struct CellText {
  std::string value;   // "93.37", "n/a"
  std::string spread;  // "0.210" (std of a measured latency), "" if none
  std::string p90;     // "12.700", "" if none
  std::string source;  // "tabular", a note for n/a, or ""
  // Set when a measured latency's std is as large as its median: the value
  // is too noisy to read as a figure ("noisy: std >= median").
  std::string flag;
};
CellText cell_text(const std::string& metric, const Cell& cell);
// Joined plainly: "12.345 ± 0.210, p90 12.700 (measured)"; `pm` is the ± sign.
std::string join_cell(const CellText& text, const std::string& pm);

// A quantized accuracy column beside the float one it drops from
// ("test_acc_int8" and "test_acc"), for the drop tables show.
struct PrecisionDrop {
  std::size_t quantized = 0, full = 0;  // indexes into RunReport::columns
  std::string title;                    // "test_acc_int8 drop (points)"
};
std::vector<PrecisionDrop> precision_drops(const RunReport& r);
// The drop of `row` in accuracy points, "n/a" when either value is missing.
std::string drop_text(const FrontRow& row, const PrecisionDrop& drop);

std::string goal_name(Goal goal);
std::string format_count(double value);  // 4.1M, 560k, 12
std::string format_duration(double seconds);
std::string format_time(double unix_seconds);
std::string front_title(const RunReport& r);
std::string run_title(const RunReport& r, bool with_store);

// The summary with the search cost, as (field, value) pairs.
std::vector<std::pair<std::string, std::string>> summary_fields(const RunReport& r);

// One line per run for the side-by-side table: header, then rows.
std::vector<std::string> comparison_header(const std::vector<RunReport>& runs);
std::vector<std::vector<std::string>> comparison_rows(const std::vector<RunReport>& runs);

// The per-epoch training table (report_training.cpp): header, then rows.
std::vector<std::string> training_header();
std::vector<std::vector<std::string>> training_rows(const RunReport& r);
// The epochs' closing reports among a run's training reports.
std::vector<TrainProgress> epoch_ends(const std::vector<TrainProgress>& reports);

// The objectives' metrics over all runs, first seen first.
std::vector<std::string> all_metrics(const std::vector<RunReport>& runs);
// More than one store among the runs.
bool several_stores(const std::vector<RunReport>& runs);

}  // namespace nas::report
