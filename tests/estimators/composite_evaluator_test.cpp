#include "estimators/composite_evaluator.h"

#include <doctest/doctest.h>

#include "core/errors.h"
#include "core/mbv3_space.h"
#include "estimators/analytic_evaluator.h"
#include "estimators/mbv3_cost.h"

namespace nas {
namespace {

// A real second evaluator: a constant-valued metric.
class ConstantEvaluator : public Evaluator {
 public:
  std::vector<std::string> metrics() const override { return {"one", "macs"}; }
  EvaluationKey key(const std::string& metric) const override {
    EvaluationKey k;
    k.metric = metric;
    k.source = Source::kPredicted;
    return k;
  }
  Evaluation evaluate(const Arch&, const std::string& metric) override {
    return {key(metric), 1.0, "", nullptr};
  }
};

TEST_CASE("the composite routes each metric to the first evaluator that has it") {
  Mbv3Options options;
  Mbv3StageOptions stage;
  stage.width = 16;
  options.stages = {stage};
  const Mbv3Layout layout = mbv3_layout(options, 1, 10);
  const SearchSpace space = mbv3_space(layout);
  std::vector<std::unique_ptr<Evaluator>> parts;
  parts.push_back(std::make_unique<Mbv3AnalyticEvaluator>(space, layout));
  parts.push_back(std::make_unique<ConstantEvaluator>());
  CompositeEvaluator composite(std::move(parts));
  CHECK(composite.metrics() == std::vector<std::string>{"macs", "params", "peak_act_bytes", "one"});
  CHECK(composite.key("macs").source == Source::kAnalytic);
  CHECK(composite.key("one").source == Source::kPredicted);
  const Arch arch = largest_arch(space);
  const Evaluation macs = composite.evaluate(arch, "macs");
  REQUIRE(macs.value);
  CHECK(*macs.value == static_cast<double>(mbv3_cost(layout, decode_mbv3(space, layout, arch)).macs));
  CHECK(composite.evaluate(arch, "one").value == 1.0);
  CHECK_THROWS_WITH_AS(composite.key("joules"),
                       doctest::Contains("no evaluator provides metric \"joules\" (there are: macs, "
                                         "params, peak_act_bytes, one)"),
                       Error);
}

}  // namespace
}  // namespace nas
