// The structural check before any measurement: NB201 cells that compute
// nothing are answered without asking the evaluator inside.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "core/nb201_space.h"
#include "estimators/structural_gate.h"
#include "estimators/tabular_evaluator.h"

using namespace nas;

namespace {

// The real table, with a count of the requests that reach it.
class Requests : public Evaluator {
 public:
  explicit Requests(std::shared_ptr<const Nb201Table> table) : table_(std::move(table)) {}
  std::vector<std::string> metrics() const override { return table_.metrics(); }
  EvaluationKey key(const std::string& metric) const override { return table_.key(metric); }
  Evaluation evaluate(const Arch& arch, const std::string& metric) override {
    ++*count;
    return table_.evaluate(arch, metric);
  }
  std::shared_ptr<int> count = std::make_shared<int>(0);

 private:
  TabularEvaluator table_;
};

}  // namespace

TEST_CASE("an nb201 cell whose output its input never reaches is excluded without a request") {
  const SearchSpace space = nb201_space();
  auto table = std::make_shared<const Nb201Table>(Nb201Table::load(Nb201Table::shipped_path()));
  auto requests = std::make_unique<Requests>(table);
  const auto count = requests->count;
  StructuralGate gate(std::move(requests), structural_check(space));

  // Edges into node 3 all none: the output is cut off.
  const Arch dead = nb201_from_string(
      space, "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|");
  for (const std::string metric : {"raspi4_ms", "cifar10_test_acc"}) {
    const Evaluation e = gate.evaluate(dead, metric);
    CHECK_FALSE(e.value);
    CHECK(e.key.source == Source::kAnalytic);
    CHECK(e.key.metric == metric);
    CHECK(e.note.rfind("computes nothing: ", 0) == 0);
  }
  CHECK_FALSE(gate.measure(dead, "raspi4_ms").value);
  CHECK(gate.failure_risk(dead, "raspi4_ms") == 1.0);
  CHECK(*count == 0);
  CHECK(gate.excluded() == 1);

  const Arch live = nb201_from_string(
      space, "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|skip_connect~2|");
  const Evaluation e = gate.evaluate(live, "raspi4_ms");
  CHECK(e.value);
  CHECK(e.key.source == Source::kTabular);
  CHECK(*count == 1);
  CHECK(gate.failure_risk(live, "raspi4_ms") == 0.0);
}

TEST_CASE("the nb201 check excludes exactly the cells that compute nothing, the table's degenerate ones among them") {
  const SearchSpace space = nb201_space();
  const Nb201Table table = Nb201Table::load(Nb201Table::shipped_path());
  const StructuralCheck check = structural_check(space);
  REQUIRE(check);
  const std::size_t raspi4 = *table.column_index("raspi4_ms");
  const std::size_t accuracy = *table.column_index("cifar10_test_acc");
  int excluded = 0, degenerate = 0, degenerate_excluded = 0;
  for (std::size_t r = 0; r < table.num_rows(); ++r) {
    const bool nothing = !check(table.arch(r)).empty();
    excluded += nothing;
    const bool degenerate_here = *table.value(r, raspi4) < kDegenerateLatencyMs;
    degenerate += degenerate_here;
    degenerate_excluded += degenerate_here && nothing;
    if (nothing) CHECK(*table.value(r, accuracy) < 11.0);  // chance on CIFAR-10
  }
  CHECK(excluded == 341);
  CHECK(degenerate > 0);
  CHECK(degenerate_excluded == degenerate);
}

TEST_CASE("a space whose every network computes something (mbv3) has no check") {
  const SearchSpace space("mbv3-0000test", {Decision{"stage_1_depth", {"2", "3", "4"}, "", {}}});
  CHECK_FALSE(structural_check(space));
}
