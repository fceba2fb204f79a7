// Paper-style reports drawn from a fitness store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "results/store.h"

namespace nas {

enum class ReportFormat {
  kMarkdown,  // readable in a terminal; valid GitHub-flavoured Markdown
  kCsv,       // one header row, one line per front member (RFC 4180 quoting)
  kLatex,     // booktabs tabulars, no preamble (\usepackage{booktabs} needed)
};

// Parses "markdown" | "md", "csv", "latex" | "tex". Throws nas::UsageError.
ReportFormat report_format_from_string(const std::string& name);

// For each run (or only `run_id`): its Pareto front, one row per member with
// the arch id, a readable label and every objective's value with its source
// ("93.37 (tabular)"); then a summary (name, strategy, seed, status, queries,
// evaluator calls, cache hits and hit rate, excluded candidates, steps, wall
// time, code version). Objectives and the space come from the run's stored
// configuration; a run whose configuration this build cannot read is listed
// with its summary and a note instead of its front.
//
// CSV has one line per front member with the run summary repeated in extra
// columns (a run without a front gets one line with the arch columns empty);
// metrics are the union over the runs reported, each as a value column
// (full precision) and a `<metric>_source` column.
//
// Throws nas::UsageError for an unknown run id, nas::Error for store errors.
std::string render_report(const Store& store, std::optional<std::int64_t> run_id,
                          ReportFormat format);

}  // namespace nas
