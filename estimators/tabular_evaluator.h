// Scores NB201 cells by looking them up in the NAS-Bench-201 table: test
// accuracy ("cifar10_test_acc", ...) and latency measured on a real device
// ("raspi4_ms", "pixel3_ms", ...). Values have source `tabular`.
//
// Latency below kDegenerateLatencyMs marks a cell whose output is cut off by
// `none` edges: such a value is returned without a value and with a note, so
// the candidate is excluded and counted, never used.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "estimators/evaluator.h"
#include "estimators/nb201_table.h"

namespace nas {

constexpr double kDegenerateLatencyMs = 0.05;

class TabularEvaluator : public Evaluator {
 public:
  // `table` is shared so several evaluators (and benchmarks) read one copy.
  explicit TabularEvaluator(std::shared_ptr<const Nb201Table> table);

  std::vector<std::string> metrics() const override;
  EvaluationKey key(const std::string& metric) const override;
  Evaluation evaluate(const Arch& arch, const std::string& metric) override;

 private:
  std::size_t column_of(const std::string& metric) const;

  std::shared_ptr<const Nb201Table> table_;
};

}  // namespace nas
