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
  CHECK(composite.metrics() == std::vector<std::string>{"macs", "params", "peak_act_bytes",
                                                      "model_kib", "model_kib_fp16",
                                                      "model_kib_int8", "one"});
  CHECK(composite.key("macs").source == Source::kAnalytic);
  CHECK(composite.key("one").source == Source::kPredicted);
  const Arch arch = largest_arch(space);
  const Evaluation macs = composite.evaluate(arch, "macs");
  REQUIRE(macs.value);
  CHECK(*macs.value == static_cast<double>(mbv3_cost(layout, decode_mbv3(space, layout, arch)).macs));
  CHECK(composite.evaluate(arch, "one").value == 1.0);
  CHECK_THROWS_WITH_AS(composite.key("joules"),
                       doctest::Contains("no evaluator provides metric \"joules\" (there are: macs, "
                                         "params, peak_act_bytes, model_kib, model_kib_fp16, "
                                         "model_kib_int8, one)"),
                       Error);
}

}  // namespace
}  // namespace nas

namespace nas {
namespace {

// An evaluator of one metric that writes what happens to it into `log`:
// "<metric> starts" when a batch is submitted (its own submit, for remote
// and quiet-host work) and "<metric> value" for each value computed here.
class LoggingEvaluator : public Evaluator {
 public:
  LoggingEvaluator(std::string metric, Workload workload, std::vector<std::string>& log)
      : metric_(std::move(metric)), workload_(workload), log_(log) {}
  std::vector<std::string> metrics() const override { return {metric_}; }
  EvaluationKey key(const std::string& metric) const override {
    EvaluationKey k;
    k.metric = metric;
    k.source = Source::kMeasured;
    return k;
  }
  Evaluation evaluate(const Arch&, const std::string& metric) override {
    log_.push_back(metric_ + " value");
    return {key(metric), 1.0, "", nullptr};
  }
  Workload workload() const override { return workload_; }
  std::unique_ptr<PendingBatch> submit(std::vector<EvaluationRequest> requests) override {
    if (workload_ != Workload::kHost) log_.push_back(metric_ + " starts");
    return Evaluator::submit(std::move(requests));
  }

 private:
  std::string metric_;
  Workload workload_;
  std::vector<std::string>& log_;
};

TEST_CASE("a batch starts the boards first, and measures on this machine's CPU only once every "
          "value computed here is done") {
  std::vector<std::string> log;
  std::vector<std::unique_ptr<Evaluator>> parts;
  parts.push_back(std::make_unique<LoggingEvaluator>("cpu_ms", Workload::kQuietHost, log));
  parts.push_back(std::make_unique<LoggingEvaluator>("val_acc", Workload::kHost, log));
  parts.push_back(std::make_unique<LoggingEvaluator>("jetson_ms", Workload::kRemote, log));
  CompositeEvaluator composite(std::move(parts));
  const Arch arch;
  std::vector<EvaluationRequest> requests;
  for (int i = 0; i < 3; ++i) {
    for (const char* metric : {"cpu_ms", "val_acc", "jetson_ms"}) requests.push_back({arch, metric});
  }
  auto batch = composite.submit(requests);
  std::vector<std::size_t> answered;
  while (!batch->done()) {
    for (const Answer& a : batch->collect(std::chrono::milliseconds(10))) {
      answered.push_back(a.request);
      CHECK(a.evaluation.key.metric == requests[a.request].metric);
    }
  }
  std::sort(answered.begin(), answered.end());
  CHECK(answered == std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8});
  REQUIRE(!log.empty());
  CHECK(log.front() == "jetson_ms starts");  // before anything is computed here
  const auto quiet = std::find(log.begin(), log.end(), "cpu_ms starts");
  REQUIRE(quiet != log.end());
  CHECK(std::count(log.begin(), quiet, "val_acc value") == 3);  // every score before it
  CHECK(std::count(quiet, log.end(), "val_acc value") == 0);
}

}  // namespace
}  // namespace nas
