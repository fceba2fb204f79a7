#include "estimators/composite_evaluator.h"

#include <algorithm>

#include "core/errors.h"

namespace nas {

CompositeEvaluator::CompositeEvaluator(std::vector<std::unique_ptr<Evaluator>> parts)
    : parts_(std::move(parts)) {
  if (parts_.empty()) throw Error("a composite evaluator needs at least one evaluator");
  for (const auto& p : parts_) {
    if (!p) throw Error("a composite evaluator got a null evaluator");
  }
}

std::vector<std::string> CompositeEvaluator::metrics() const {
  std::vector<std::string> out;
  for (const auto& p : parts_) {
    for (const std::string& m : p->metrics()) {
      if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
    }
  }
  return out;
}

Evaluator& CompositeEvaluator::route(const std::string& metric) const {
  for (const auto& p : parts_) {
    const auto m = p->metrics();
    if (std::find(m.begin(), m.end(), metric) != m.end()) return *p;
  }
  std::string known;
  for (const std::string& m : metrics()) known += (known.empty() ? "" : ", ") + m;
  throw Error("no evaluator provides metric \"" + metric + "\" (there are: " + known + ")");
}

EvaluationKey CompositeEvaluator::key(const std::string& metric) const {
  return route(metric).key(metric);
}

Evaluation CompositeEvaluator::evaluate(const Arch& arch, const std::string& metric) {
  return route(metric).evaluate(arch, metric);
}

}  // namespace nas
