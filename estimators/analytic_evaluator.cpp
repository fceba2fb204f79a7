#include "estimators/analytic_evaluator.h"

#include <algorithm>

#include "core/errors.h"
#include "core/metric.h"
#include "estimators/mbv3_cost.h"

namespace nas {

Mbv3AnalyticEvaluator::Mbv3AnalyticEvaluator(SearchSpace space, Mbv3Layout layout)
    : space_(std::move(space)), layout_(std::move(layout)), fingerprint_(layout_.fingerprint()) {}

std::vector<std::string> Mbv3AnalyticEvaluator::metrics() const {
  return {"macs", "params", "peak_act_bytes", "model_kib", "model_kib_fp16", "model_kib_int8"};
}

EvaluationKey Mbv3AnalyticEvaluator::key(const std::string& metric) const {
  const std::vector<std::string> known = metrics();
  if (std::find(known.begin(), known.end(), metric) == known.end()) {
    throw Error("the analytic cost has no metric \"" + metric +
                "\" (it has: macs, params, peak_act_bytes, model_kib, model_kib_fp16, "
                "model_kib_int8)");
  }
  EvaluationKey k;
  k.metric = metric;
  k.source = Source::kAnalytic;
  k.fidelity = "mbv3-" + fingerprint_;
  return k;
}

Evaluation Mbv3AnalyticEvaluator::evaluate(const Arch& arch, const std::string& metric) {
  Evaluation e;
  e.key = key(metric);
  const Mbv3Cost cost = mbv3_cost(layout_, decode_mbv3(space_, layout_, arch));
  const Metric m = parse_metric(metric);
  if (m.base == "model_kib") {
    e.value = deployed_kib(cost, m.precision);
  } else {
    e.value = static_cast<double>(metric == "macs"     ? cost.macs
                                  : metric == "params" ? cost.params
                                                       : cost.peak_activation_bytes());
  }
  return e;
}

}  // namespace nas
