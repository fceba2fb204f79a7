#include "estimators/structural_gate.h"

#include "core/errors.h"
#include "estimators/nb201_cost.h"

namespace nas {

StructuralCheck structural_check(const SearchSpace& space) {
  if (space.name() != "nb201") return {};
  return [&space](const Arch& arch) -> std::string {
    if (!nb201_cost(space, arch).degenerate) return "";
    return "the cell's output is not reachable from its input";
  };
}

StructuralGate::StructuralGate(std::unique_ptr<Evaluator> inner, StructuralCheck check)
    : inner_(std::move(inner)), check_(std::move(check)) {
  if (!inner_) throw Error("structural gate: no inner evaluator");
  if (!check_) throw Error("structural gate: no check");
}

bool StructuralGate::computes_nothing(const Arch& arch, const std::string& metric,
                                      Evaluation& answer) {
  const std::string reason = check_(arch);
  if (reason.empty()) return false;
  std::string key;
  for (int c : arch.choices) key += std::to_string(c) + '.';
  excluded_.insert(key);
  answer.key = inner_->key(metric);
  answer.key.source = Source::kAnalytic;
  answer.note = "computes nothing: " + reason + " (no job sent)";
  return true;
}

Evaluation StructuralGate::evaluate(const Arch& arch, const std::string& metric) {
  Evaluation answer;
  if (computes_nothing(arch, metric, answer)) return answer;
  return inner_->evaluate(arch, metric);
}

Evaluation StructuralGate::measure(const Arch& arch, const std::string& metric) {
  Evaluation answer;
  if (computes_nothing(arch, metric, answer)) return answer;
  return inner_->measure(arch, metric);
}

double StructuralGate::failure_risk(const Arch& arch, const std::string& metric) {
  if (!check_(arch).empty()) return 1.0;
  return inner_->failure_risk(arch, metric);
}

}  // namespace nas
