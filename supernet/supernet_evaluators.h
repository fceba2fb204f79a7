// Evaluators over a trained supernet (estimators/evaluator.h contract):
//   SupernetAccuracyEvaluator: "val_acc" (validation split) and "test_acc"
//     (test split, for the final front), source kSupernet; the fidelity names
//     the checkpoint and the BN recalibration ("<checkpoint id>/bn<N>x<B>"),
//     so stored accuracies are reused exactly when both match. Each also
//     with "_int8" or "_fp16": the subnet post-training quantized, simulated
//     in float (supernet/fake_quant.h); the int8 fidelity adds the
//     calibration ("/int8-mse-c256").
//   CpuLatencyEvaluator: "cpu_ms", the median latency of the extracted subnet
//     measured in-process on this machine's CPU, source kMeasured, device
//     "cpu", fidelity the measuring protocol and the data shape.
// Torch-free header.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/supernet_options.h"
#include "estimators/evaluator.h"
#include "supernet/supernet.h"

namespace nas {

class SupernetAccuracyEvaluator : public Evaluator {
 public:
  // REQUIRES: `supernet` is trained before evaluate() is called.
  SupernetAccuracyEvaluator(std::shared_ptr<Supernet> supernet, SupernetEvaluatorOptions options);
  std::vector<std::string> metrics() const override;
  EvaluationKey key(const std::string& metric) const override;
  Evaluation evaluate(const Arch& arch, const std::string& metric) override;

 private:
  std::shared_ptr<Supernet> supernet_;
  SupernetEvaluatorOptions options_;
};

class CpuLatencyEvaluator : public Evaluator {
 public:
  CpuLatencyEvaluator(std::shared_ptr<Supernet> supernet, LatencyOptions options);
  std::vector<std::string> metrics() const override;
  EvaluationKey key(const std::string& metric) const override;
  Evaluation evaluate(const Arch& arch, const std::string& metric) override;

 private:
  std::shared_ptr<Supernet> supernet_;
  LatencyOptions options_;
};

}  // namespace nas
