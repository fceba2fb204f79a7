// An evaluator wrapper for benchmarks: adds up the time spent inside the
// evaluator, so that the search loop's own cost can be told apart from it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "estimators/evaluator.h"

namespace nas::bench {

class TimedEvaluator : public Evaluator {
 public:
  explicit TimedEvaluator(Evaluator& inner) : inner_(inner) {}
  std::vector<std::string> metrics() const override { return inner_.metrics(); }
  EvaluationKey key(const std::string& metric) const override { return inner_.key(metric); }
  Evaluation evaluate(const Arch& arch, const std::string& metric) override {
    const auto start = std::chrono::steady_clock::now();
    Evaluation e = inner_.evaluate(arch, metric);
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return e;
  }
  double seconds() const { return seconds_; }

 private:
  Evaluator& inner_;
  double seconds_ = 0;
};

}  // namespace nas::bench
