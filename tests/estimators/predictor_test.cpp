#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "core/errors.h"
#include "core/nb201_space.h"
#include "core/random.h"
#include "estimators/gp_predictor.h"
#include "estimators/nb201_cost.h"
#include "estimators/prediction_quality.h"
#include "estimators/screened_evaluator.h"
#include "estimators/tabular_evaluator.h"

namespace {

// An additive cost per (decision, choice), as a look-up table has.
double additive(const nas::Arch& a) {
  double v = 5;
  for (std::size_t i = 0; i < a.choices.size(); ++i) v += 0.7 * (i + 1) * a.choices[i];
  return v;
}

}  // namespace

TEST_CASE("gp predictor learns an additive cost from 60 points and is sure where it has data") {
  const nas::SearchSpace space = nas::nb201_space();
  nas::Rng rng(3);
  std::vector<nas::Arch> archs;
  std::vector<double> values;
  for (int i = 0; i < 60; ++i) {
    archs.push_back(space.sample(rng));
    values.push_back(additive(archs.back()));
  }
  nas::GpOptions options;
  options.log_target = true;
  nas::GpPredictor gp(space, options);
  CHECK_FALSE(gp.fitted());
  CHECK_THROWS_WITH_AS(gp.predict(archs[0]), doctest::Contains("before fit"), nas::Error);
  gp.fit(archs, values);
  CHECK(gp.fitted());
  CHECK(gp.size() == 60);
  std::vector<double> truth, predicted;
  double held_out_std = 0;
  for (int i = 0; i < 200; ++i) {
    const nas::Arch a = space.sample(rng);
    const nas::Prediction p = gp.predict(a);
    truth.push_back(additive(a));
    predicted.push_back(p.mean);
    held_out_std += p.std / 200;
  }
  const nas::PredictionQuality q = nas::prediction_quality(truth, predicted);
  CHECK(q.spearman > 0.95);
  CHECK(q.within10 > 0.9);
  // Less uncertain at a training point than on average away from the data.
  CHECK(gp.predict(archs[0]).std < held_out_std);
  // Refitting is deterministic.
  nas::GpPredictor again(space, options);
  again.fit(archs, values);
  CHECK(again.predict(archs[5]).mean == gp.predict(archs[5]).mean);
}

TEST_CASE("gp predictor rejects bad training data") {
  const nas::SearchSpace space = nas::nb201_space();
  nas::Rng rng(1);
  const nas::Arch a = space.sample(rng), b = space.sample(rng);
  nas::GpOptions options;
  options.log_target = true;
  nas::GpPredictor gp(space, options);
  CHECK_THROWS_WITH_AS(gp.fit({a, b}, {1.0}), doctest::Contains("2 architectures but 1 values"), nas::Error);
  CHECK_THROWS_WITH_AS(gp.fit({a}, {1.0}), doctest::Contains("at least 2"), nas::Error);
  CHECK_THROWS_WITH_AS(gp.fit({a, b}, {1.0, -2.0}), doctest::Contains("above 0"), nas::Error);
}

TEST_CASE("prediction quality: Spearman, share within 10 %, MAPE") {
  const nas::PredictionQuality q = nas::prediction_quality({10, 20, 30, 40}, {10.5, 25, 29, 80});
  CHECK(q.count == 4);
  CHECK(q.spearman == doctest::Approx(1.0));
  CHECK(q.within10 == doctest::Approx(0.5));
  CHECK(q.mape == doctest::Approx(100.0 * (0.05 + 0.25 + 1.0 / 30 + 1.0) / 4));
  CHECK(nas::spearman({1, 2, 3}, {3, 2, 1}) == doctest::Approx(-1.0));
  CHECK_THROWS_AS(nas::prediction_quality({1, 2}, {1}), nas::Error);
}

TEST_CASE("nb201 cost: live edges, degenerate cells") {
  const nas::SearchSpace space = nas::nb201_space();
  // Output fed only through node 2 <- node 1, and node 1 <- input by a conv.
  const nas::Arch a = nas::nb201_from_string(
      space, "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|avg_pool_3x3~2|");
  const nas::Nb201Cost c = nas::nb201_cost(space, a);
  CHECK_FALSE(c.degenerate);
  CHECK(c.live_conv3x3 == 1);
  CHECK(c.live_skip == 1);
  CHECK(c.live_pool == 1);
  CHECK(c.macs == doctest::Approx(5.0 * (32 * 32 * 16 * 16 * 9 + 16 * 16 * 32 * 32 * 9 + 8 * 8 * 64 * 64 * 9) +
                                  5.0 * (32 * 32 * 16 * 9 + 16 * 16 * 32 * 9 + 8 * 8 * 64 * 9)));
  const nas::Arch dead = nas::nb201_from_string(
      space, "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|");
  const nas::Nb201Cost d = nas::nb201_cost(space, dead);
  CHECK(d.degenerate);
  CHECK(d.all[0] == 2);
  CHECK(d.from_input[0] == 1);  // the first conv: its input is the cell's
  CHECK(d.to_output[0] == 1);   // the last conv: it feeds the output
}

TEST_CASE("screened evaluator: measures within its budget, labels predictions, measure() measures") {
  const nas::SearchSpace space = nas::nb201_space();
  auto table = std::make_shared<const nas::Nb201Table>(
      nas::Nb201Table::load(nas::Nb201Table::shipped_path()));
  nas::ScreeningOptions options;
  options.metric = "raspi4_ms";
  options.objectives = {{"cifar10_test_acc", nas::Goal::kMaximize}, {"raspi4_ms", nas::Goal::kMinimize}};
  options.budget = 15;
  options.warmup = 8;
  nas::ScreenedEvaluator screened(std::make_unique<nas::TabularEvaluator>(table), space, options);
  CHECK(screened.key("raspi4_ms").source == nas::Source::kTabular);
  nas::Rng rng(7);
  int predicted = 0;
  for (int i = 0; i < 80; ++i) {
    const nas::Arch a = space.sample(rng);
    const nas::Evaluation acc = screened.evaluate(a, "cifar10_test_acc");
    CHECK(acc.key.source == nas::Source::kTabular);
    const nas::Evaluation lat = screened.evaluate(a, "raspi4_ms");
    if (lat.key.source == nas::Source::kPredicted) {
      ++predicted;
      REQUIRE(lat.value);
      CHECK(lat.note.find("predicted") != std::string::npos);
      const nas::Evaluation m = screened.measure(a, "raspi4_ms");
      CHECK(m.key.source == nas::Source::kTabular);
    }
  }
  CHECK(screened.stats().measured == 15);
  CHECK(screened.stats().predicted == predicted);
  CHECK(predicted == 80 - 15);
  CHECK(screened.stats().confirmations == predicted);
  CHECK_THROWS_WITH_AS(
      nas::ScreenedEvaluator(std::make_unique<nas::TabularEvaluator>(table), space,
                             [] {
                               nas::ScreeningOptions o;
                               o.metric = "pixel3_ms";
                               o.objectives = {{"raspi4_ms", nas::Goal::kMinimize}};
                               return o;
                             }()),
      doctest::Contains("not an objective"), nas::Error);
}
