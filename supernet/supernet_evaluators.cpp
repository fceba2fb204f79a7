#include "supernet/supernet_evaluators.h"

#include <fmt/format.h>

#include "core/errors.h"
#include "core/metric.h"

namespace nas {

SupernetAccuracyEvaluator::SupernetAccuracyEvaluator(std::shared_ptr<Supernet> supernet,
                                                     SupernetEvaluatorOptions options)
    : supernet_(std::move(supernet)), options_(options) {}

std::vector<std::string> SupernetAccuracyEvaluator::metrics() const {
  return {"val_acc", "test_acc", "val_acc_int8", "test_acc_int8", "val_acc_fp16", "test_acc_fp16"};
}

namespace {

// The split and precision an accuracy metric of the supernet asks for;
// throws for a metric the supernet does not give.
Metric supernet_accuracy_metric(const std::string& name) {
  const Metric m = parse_metric(name);
  const bool known = (m.base == "val_acc" || m.base == "test_acc") &&
                     (m.precision == Precision::kUnspecified || m.precision == Precision::kInt8 ||
                      m.precision == Precision::kFp16);
  if (!known) {
    throw Error("the supernet has no metric \"" + name +
                "\" (it has: val_acc, test_acc, and each with _int8 or _fp16)");
  }
  return m;
}

}  // namespace

EvaluationKey SupernetAccuracyEvaluator::key(const std::string& metric) const {
  const Metric m = supernet_accuracy_metric(metric);
  const bool validation = m.base == "val_acc";
  EvaluationKey k;
  k.metric = metric;
  k.source = Source::kSupernet;
  k.fidelity = supernet_->checkpoint_id() + "/bn" + std::to_string(options_.bn_batches) + "x" +
               std::to_string(options_.bn_batch_size) +
               (validation && options_.val_images > 0
                    ? "/val" + std::to_string(options_.val_images)
                    : std::string());
  // What a quantized figure depends on beyond the float one.
  if (m.precision == Precision::kInt8) {
    const QuantizationOptions& q = options_.quantization;
    k.fidelity += "/int8-" + std::string(to_string(q.rule)) +
                  (q.rule == CalibrationRule::kPercentile ? fmt::format("{:g}", q.percentile)
                                                          : std::string()) +
                  "-c" + std::to_string(q.calibration_images);
  } else if (m.precision == Precision::kFp16) {
    k.fidelity += "/fp16";
  }
  return k;
}

Evaluation SupernetAccuracyEvaluator::evaluate(const Arch& arch, const std::string& metric) {
  Evaluation e;
  e.key = key(metric);
  if (!supernet_->trained()) throw Error("supernet " + supernet_->checkpoint_id() + ": not trained");
  const Metric m = parse_metric(metric);
  const Precision precision =
      m.precision == Precision::kUnspecified ? Precision::kFp32 : m.precision;
  e.value = supernet_->accuracy(arch, m.base == "val_acc" ? Split::kValidation : Split::kTest,
                                options_, precision);
  return e;
}

CpuLatencyEvaluator::CpuLatencyEvaluator(std::shared_ptr<Supernet> supernet, LatencyOptions options)
    : supernet_(std::move(supernet)), options_(options) {}

std::vector<std::string> CpuLatencyEvaluator::metrics() const { return {"cpu_ms"}; }

EvaluationKey CpuLatencyEvaluator::key(const std::string& metric) const {
  if (metric != "cpu_ms") {
    throw Error("the cpu latency evaluator has no metric \"" + metric + "\" (it has: cpu_ms)");
  }
  const Mbv3Layout& layout = supernet_->layout();
  EvaluationKey k;
  k.metric = metric;
  k.source = Source::kMeasured;
  k.device = "cpu";
  // Latency does not depend on the weights, only on the shapes: the
  // protocol and the data's shape identify it.
  k.fidelity = "torch-inproc/b" + std::to_string(options_.batch) + "/t" +
               std::to_string(options_.threads) + "/r" + std::to_string(options_.repeats) +
               "/in" + std::to_string(layout.in_channels) + "c" + std::to_string(layout.classes);
  return k;
}

Evaluation CpuLatencyEvaluator::evaluate(const Arch& arch, const std::string& metric) {
  Evaluation e;
  e.key = key(metric);
  const LatencyStats stats = supernet_->measure_cpu_latency(arch, options_);
  e.value = stats.median_ms;
  return e;
}

}  // namespace nas
