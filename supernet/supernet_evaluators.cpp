#include "supernet/supernet_evaluators.h"

#include "core/errors.h"

namespace nas {

SupernetAccuracyEvaluator::SupernetAccuracyEvaluator(std::shared_ptr<Supernet> supernet,
                                                     SupernetEvaluatorOptions options)
    : supernet_(std::move(supernet)), options_(options) {}

std::vector<std::string> SupernetAccuracyEvaluator::metrics() const {
  return {"val_acc", "test_acc"};
}

EvaluationKey SupernetAccuracyEvaluator::key(const std::string& metric) const {
  if (metric != "val_acc" && metric != "test_acc") {
    throw Error("the supernet has no metric \"" + metric + "\" (it has: val_acc, test_acc)");
  }
  EvaluationKey k;
  k.metric = metric;
  k.source = Source::kSupernet;
  k.fidelity = supernet_->checkpoint_id() + "/bn" + std::to_string(options_.bn_batches) + "x" +
               std::to_string(options_.bn_batch_size) +
               (metric == "val_acc" && options_.val_images > 0
                    ? "/val" + std::to_string(options_.val_images)
                    : std::string());
  return k;
}

Evaluation SupernetAccuracyEvaluator::evaluate(const Arch& arch, const std::string& metric) {
  Evaluation e;
  e.key = key(metric);
  if (!supernet_->trained()) throw Error("supernet " + supernet_->checkpoint_id() + ": not trained");
  e.value = supernet_->accuracy(arch, metric == "val_acc" ? Split::kValidation : Split::kTest,
                                options_);
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
