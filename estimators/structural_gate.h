// Structural checks before any measurement: a network whose output does not
// depend on its input computes nothing, so no job is sent for it.
//
// NB201: a cell whose output node no path of non-none edges reaches from its
// input (341 of the 15,625 cells). Its accuracy is chance and a runtime that
// accepts it times only the stem and head, so a screening predictor would put
// it at the predicted front's fast corner and the farm would be asked to
// measure it. mbv3: every subnet is a chain from the stem through its blocks
// to the head, so its output always depends on its input and nothing is
// checked.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "estimators/evaluator.h"

namespace nas {

// Why `arch` computes nothing ("the cell's output is not reachable from its
// input"), or "" when it computes something.
using StructuralCheck = std::function<std::string(const Arch&)>;

// The check for `space`; empty for a space in which every architecture
// computes something (mbv3). `space` must outlive the function.
StructuralCheck structural_check(const SearchSpace& space);

// An Evaluator wrapper that answers every metric of an architecture failing
// the check without asking `inner` (no job is sent, nothing is predicted):
// no value, the inner key with Source::kAnalytic (decided from the
// architecture), and a note that starts with "computes nothing: ". The loop
// counts such a candidate as excluded, as it does a degenerate table entry.
// Every other request goes to `inner` unchanged. Not thread safe.
class StructuralGate : public Evaluator {
 public:
  // Throws nas::Error if inner is null or check is empty.
  StructuralGate(std::unique_ptr<Evaluator> inner, StructuralCheck check);

  std::vector<std::string> metrics() const override { return inner_->metrics(); }
  EvaluationKey key(const std::string& metric) const override { return inner_->key(metric); }
  Evaluation evaluate(const Arch& arch, const std::string& metric) override;
  Evaluation measure(const Arch& arch, const std::string& metric) override;
  double failure_risk(const Arch& arch, const std::string& metric) override;

  // Distinct architectures excluded so far.
  std::int64_t excluded() const { return static_cast<std::int64_t>(excluded_.size()); }

 private:
  // Whether `arch` computes nothing; if so, fills `answer` and counts the arch.
  bool computes_nothing(const Arch& arch, const std::string& metric, Evaluation& answer);

  std::unique_ptr<Evaluator> inner_;
  StructuralCheck check_;
  std::unordered_set<std::string> excluded_;  // choice strings of excluded archs
};

}  // namespace nas
