// Paper-style reports drawn from one or more fitness stores.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "results/store.h"

namespace nas {

enum class ReportFormat {
  kMarkdown,  // readable in a terminal; valid GitHub-flavoured Markdown
  kCsv,       // one header row, one line per front member (RFC 4180 quoting)
  kLatex,     // booktabs tabulars, no preamble (\usepackage{booktabs} needed)
  kJson,      // one document with every run, for scripts
};

// Parses "markdown" | "md", "csv", "latex" | "tex", "json". Throws nas::UsageError.
ReportFormat report_format_from_string(const std::string& name);

// A `--where` condition on a front member's value: "raspi4_ms<=15".
struct WhereCondition {
  std::string metric;
  std::string op;  // one of <= < >= > ==
  double bound = 0;
  std::string text;  // as written, for messages

  bool holds(double value) const;
};

// Parses METRIC OP NUMBER (spaces allowed around OP). Throws nas::UsageError
// naming the expression and what is wrong with it.
WhereCondition parse_where(const std::string& text);

struct ReportOptions {
  ReportFormat format = ReportFormat::kMarkdown;
  std::optional<std::int64_t> run_id;  // only this run (in every store given); all when absent
  // Only this device's latency and energy: other devices' objective columns,
  // fronts and measurement counts are left out. "" = every device.
  std::string device;
  // Front members whose value fails any condition are left out; a member
  // without a value of the metric is left out too.
  std::vector<WhereCondition> where;
};

// For each store and each of its runs (or only `run_id`): the Pareto front,
// one row per member with the arch id, a readable label, MACs and params
// (when known) and every objective's value with its source ("93.37
// (tabular)"); a measured latency with its spread from the measurements
// table ("12.345 ± 0.210, p90 12.700 (measured)"). When the run's objectives
// span several devices: the front per device (the members no other member
// beats on the device-free objectives and that device's), and the same
// architectures' latency and energy on every device the store has values for.
// Then a summary with the search cost (name, strategy, seed, status, queries,
// evaluator calls, cache hits and hit rate, excluded candidates, steps,
// wall time, supernet training time and device, hardware measurements per
// device, device values measured per device: during the search, to confirm
// the front, and wasted on failures; code version). With more than one run, a table compares the runs
// side by side first. Objectives and the space come from the run's stored
// configuration; a run whose configuration this build cannot read is listed
// with its summary and a note instead of its front.
//
// CSV has one line per front member with the run summary repeated in extra
// columns (a run without a front gets one line with the arch columns empty);
// metrics are the union over the runs reported, each as a value column
// (full precision), `<metric>_source`, and for latencies `<metric>_std` and
// `<metric>_p90` (empty unless measured).
//
// Throws nas::UsageError for an unknown run id (in a single store) or a
// `where` metric no reported front member has; nas::Error for store errors.
std::string render_report(const std::vector<const Store*>& stores, const ReportOptions& options);

// One store, every run or one, no filters.
std::string render_report(const Store& store, std::optional<std::int64_t> run_id,
                          ReportFormat format);

}  // namespace nas
