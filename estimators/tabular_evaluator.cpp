#include "estimators/tabular_evaluator.h"

#include <cstdio>

#include "core/errors.h"
#include "core/metric.h"

namespace nas {
namespace {

// Latency columns are "<device>_ms" ("raspi4", "1080ti_32" for batch 32 on
// a 1080 Ti).
bool is_latency(const std::string& metric) {
  return parse_metric(metric).kind == MetricKind::kLatency;
}

}  // namespace

TabularEvaluator::TabularEvaluator(std::shared_ptr<const Nb201Table> table)
    : table_(std::move(table)) {}

std::vector<std::string> TabularEvaluator::metrics() const { return table_->columns(); }

std::size_t TabularEvaluator::column_of(const std::string& metric) const {
  auto column = table_->column_index(metric);
  if (!column) {
    std::string known;
    for (const auto& c : table_->columns()) known += (known.empty() ? "" : ", ") + c;
    throw Error("the nb201 table has no metric \"" + metric + "\" (it has: " + known + ")");
  }
  return *column;
}

EvaluationKey TabularEvaluator::key(const std::string& metric) const {
  column_of(metric);
  EvaluationKey k;
  k.metric = metric;
  k.source = Source::kTabular;
  k.device = parse_metric(metric).device;
  k.fidelity = "nb201";
  return k;
}

Evaluation TabularEvaluator::evaluate(const Arch& arch, const std::string& metric) {
  Evaluation e;
  e.key = key(metric);
  const std::size_t row = table_->row_of(arch);
  const auto value = table_->value(row, column_of(metric));
  if (!value) {
    e.note = "missing in the table";
  } else if (is_latency(metric) && *value < kDegenerateLatencyMs) {
    char text[160];
    std::snprintf(text, sizeof text,
                  "degenerate: %.4g ms is below %.2g ms (the cell's output is cut off by none "
                  "edges)",
                  *value, kDegenerateLatencyMs);
    e.note = text;
  } else {
    e.value = value;
  }
  return e;
}

}  // namespace nas
