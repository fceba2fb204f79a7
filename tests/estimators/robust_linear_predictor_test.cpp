#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/errors.h"
#include "core/nb201_space.h"
#include "core/random.h"
#include "estimators/nb201_cost.h"
#include "estimators/robust_linear_predictor.h"

namespace {

// A cost per op type (conv3x3, conv1x1, avg_pool, skip) over one of the
// NB201 count views, plus a fixed overhead.
double op_cost(const nas::OpCounts& c) { return 2 + 3 * c[0] + 1 * c[1] + 0.5 * c[2] + 0.1 * c[3]; }

struct Data {
  std::vector<nas::Arch> archs;
  std::vector<double> values;
};

// `n` random cells costed over the ops reaching the output (or all ops);
// every `wild_every`-th value is corrupted to 1.6x or 0.3x, as the heavy
// tails of real measurements are.
Data sample(const nas::SearchSpace& space, nas::Rng& rng, int n, bool all_ops, int wild_every) {
  Data d;
  for (int i = 0; i < n; ++i) {
    d.archs.push_back(space.sample(rng));
    const nas::Nb201Cost c = nas::nb201_cost(space, d.archs.back());
    double v = op_cost(all_ops ? c.all : c.to_output);
    if (wild_every > 0 && i % wild_every == 0) v *= (i / wild_every) % 2 ? 1.6 : 0.3;
    d.values.push_back(v);
  }
  return d;
}

nas::RobustLinearOptions count_views(const nas::SearchSpace& space) {
  nas::RobustLinearOptions options;
  options.views = nas::nb201_count_views(space);
  return options;
}

}  // namespace

TEST_CASE("robust linear predictor recovers per-op costs exactly despite 14 % wild values") {
  const nas::SearchSpace space = nas::nb201_space();
  nas::Rng rng(5);
  const Data train = sample(space, rng, 150, false, 7);
  nas::RobustLinearPredictor model(count_views(space));
  CHECK_FALSE(model.fitted());
  CHECK_THROWS_WITH_AS(model.predict(train.archs[0]), doctest::Contains("before fit"), nas::Error);
  model.fit(train.archs, train.values);
  REQUIRE(model.fitted());
  CHECK(model.size() == 150);
  CHECK(model.view() == 1);  // "ops reaching the output"
  CHECK(model.describe().find("ops reaching the output") != std::string::npos);
  const std::vector<double> expected{2, 3, 1, 0.5, 0.1};
  REQUIRE(model.weights().size() == expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k) CHECK(model.weights()[k] == doctest::Approx(expected[k]).epsilon(1e-6));
  const Data test = sample(space, rng, 200, false, 0);
  for (std::size_t i = 0; i < test.archs.size(); ++i) {
    const nas::Prediction p = model.predict(test.archs[i]);
    CHECK(p.mean == doctest::Approx(test.values[i]).epsilon(1e-6));
    CHECK(p.std >= 0);
  }
}

TEST_CASE("robust linear predictor picks the view the costs follow") {
  const nas::SearchSpace space = nas::nb201_space();
  nas::Rng rng(8);
  const Data train = sample(space, rng, 120, true, 9);
  nas::RobustLinearPredictor model(count_views(space));
  model.fit(train.archs, train.values);
  CHECK(model.view() == 0);  // "all ops"
}

TEST_CASE("robust linear predictor: uncertainty follows the relative noise") {
  const nas::SearchSpace space = nas::nb201_space();
  nas::Rng rng(11);
  Data train = sample(space, rng, 200, false, 0);
  for (double& v : train.values) v *= 1 + 0.1 * (nas::uniform_unit(rng) - 0.5);  // +-5 %
  nas::RobustLinearPredictor model(count_views(space));
  model.fit(train.archs, train.values);
  const nas::Prediction p = model.predict(train.archs[0]);
  // Uniform +-5 % has a robust sd of about 3.7 %; the kept 80 % look tighter.
  CHECK(p.std / p.mean > 0.005);
  CHECK(p.std / p.mean < 0.05);
}

TEST_CASE("robust linear predictor rejects bad options and training data") {
  const nas::SearchSpace space = nas::nb201_space();
  nas::Rng rng(2);
  const auto make = [](const nas::RobustLinearOptions& options) { nas::RobustLinearPredictor p(options); };
  CHECK_THROWS_WITH_AS(make(nas::RobustLinearOptions{}), doctest::Contains("no feature view"), nas::Error);
  nas::RobustLinearOptions bad_keep = count_views(space);
  bad_keep.keep = 0;
  CHECK_THROWS_WITH_AS(make(bad_keep), doctest::Contains("keep"), nas::Error);
  nas::RobustLinearPredictor model(count_views(space));
  const Data d = sample(space, rng, 5, false, 0);
  CHECK_THROWS_WITH_AS(model.fit(d.archs, {1.0, 2.0}), doctest::Contains("5 architectures but 2 values"),
                       nas::Error);
  CHECK_THROWS_WITH_AS(model.fit(d.archs, d.values), doctest::Contains("needs at least 6 training points, got 5"),
                       nas::Error);
  std::vector<double> with_nan = d.values;
  with_nan[3] = std::nan("");
  CHECK_THROWS_WITH_AS(model.fit(d.archs, with_nan), doctest::Contains("training value 3"), nas::Error);
  CHECK_FALSE(model.fitted());
}
