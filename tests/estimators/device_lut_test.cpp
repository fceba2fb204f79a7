#include "estimators/device_lut.h"

#include <doctest/doctest.h>

#include <cmath>

#include "core/errors.h"
#include "core/random.h"
#include "estimators/lut_predictor.h"

namespace nas {
namespace {

Mbv3Layout small_layout() {
  Mbv3Layout layout;
  layout.stem_width = 8;
  layout.stem_stride = 2;
  layout.stages = {{16, 2, {1, 2}, false, {false}}, {24, 2, {1, 2}, true, {false}}};
  layout.kernels = {3, 5};
  layout.expand_ratios = {3, 4};
  layout.resolutions = {28};
  return layout;
}

// A table whose entry grows with the block's work, so sums differ.
DeviceLut synthetic_lut(const Mbv3Layout& layout) {
  DeviceLut lut;
  for (const Mbv3BlockConfig& b : mbv3_distinct_blocks(layout)) {
    lut.blocks().set(b.key(), {10, 0.01 * b.kernel * b.expand + 0.001 * b.out_channels, 0.001});
  }
  return lut;
}

}  // namespace

TEST_CASE("the overhead fit recovers an offset and a scale, and falls back to an offset") {
  const std::vector<double> sums{1.0, 2.0, 3.5, 5.0};
  std::vector<double> measured;
  for (double s : sums) measured.push_back(0.3 + 1.2 * s);
  const LutFit fit = fit_lut_overhead(sums, measured);
  CHECK(fit.overhead_ms == doctest::Approx(0.3));
  CHECK(fit.scale == doctest::Approx(1.2));
  CHECK(fit.subnets == 4);
  CHECK(fit.residual_ms == doctest::Approx(0).epsilon(1e-9));

  // Two subnets: too few for a slope; the offset is the mean of the gaps.
  const LutFit two = fit_lut_overhead({1.0, 2.0}, {1.5, 2.3});
  CHECK(two.scale == 1.0);
  CHECK(two.overhead_ms == doctest::Approx(0.4));
  CHECK(two.residual_ms == doctest::Approx(0.1));

  // Equal sums carry no slope either.
  CHECK(fit_lut_overhead({2.0, 2.0, 2.0}, {2.1, 2.2, 2.3}).scale == 1.0);

  CHECK_THROWS_WITH_AS(fit_lut_overhead({1.0}, {1.0, 2.0}), doctest::Contains("1 block sums but 2"),
                       Error);
  CHECK_THROWS_WITH_AS(fit_lut_overhead({}, {}), doctest::Contains("no measured subnet"), Error);
  CHECK_THROWS_WITH_AS(fit_lut_overhead({1.0, NAN}, {1.0, 2.0}), doctest::Contains("not finite"),
                       Error);
}

TEST_CASE("a subnet's predicted latency is overhead + scale x the sum of its blocks") {
  const Mbv3Layout layout = small_layout();
  const SearchSpace space = mbv3_space(layout);
  DeviceLut lut = synthetic_lut(layout);
  Rng rng(3);
  const Arch arch = space.sample(rng);
  const auto blocks = mbv3_subnet_blocks(layout, decode_mbv3(space, layout, arch));
  double sum = 0;
  for (const auto& b : blocks) sum += lut.blocks().find(b.key())->mean;
  CHECK(lut.block_sum(blocks).mean == doctest::Approx(sum));
  lut.set_fit({0.25, 1.5, 5, 0.0});
  CHECK(lut.predict(blocks).mean == doctest::Approx(0.25 + 1.5 * sum));
  CHECK(lut.predict(blocks).std > 0);

  // A block the table lacks is named.
  Mbv3BlockConfig unknown = blocks[0];
  unknown.kernel = 9;
  CHECK_THROWS_WITH_AS(lut.block_sum({unknown}), doctest::Contains("-k:9-"), Error);
}

TEST_CASE("the look-up table predictor learns the overhead from whole subnets") {
  const Mbv3Layout layout = small_layout();
  const SearchSpace space = mbv3_space(layout);
  const DeviceLut lut = synthetic_lut(layout);
  // Truth: 0.4 ms of stem and head plus 1.1 x the blocks, with +-1 % noise.
  Rng rng(11);
  std::vector<Arch> archs;
  std::vector<double> values;
  for (int i = 0; i < 30; ++i) {
    archs.push_back(space.sample(rng));
    const double sum = lut.block_sum(mbv3_subnet_blocks(layout, decode_mbv3(space, layout, archs.back()))).mean;
    values.push_back((0.4 + 1.1 * sum) * (1 + 0.02 * (uniform_unit(rng) - 0.5)));
  }
  LutPredictor predictor(space, layout, lut);
  CHECK_FALSE(predictor.fitted());
  CHECK_THROWS_AS(predictor.predict(archs[0]), Error);
  predictor.fit(std::vector<Arch>(archs.begin(), archs.begin() + 10),
                std::vector<double>(values.begin(), values.begin() + 10));
  CHECK(predictor.size() == 10);
  CHECK(predictor.lut().fit().overhead_ms == doctest::Approx(0.4).epsilon(0.05));
  CHECK(predictor.lut().fit().scale == doctest::Approx(1.1).epsilon(0.05));
  for (std::size_t i = 10; i < archs.size(); ++i) {
    CHECK(std::abs(predictor.predict(archs[i]).mean - values[i]) / values[i] < 0.02);
  }

  // As an evaluator its values are labelled predicted.
  LutEvaluator evaluator(std::make_shared<const LutPredictor>(predictor), "cpu", "abc");
  const Evaluation e = evaluator.evaluate(archs[12], "cpu_ms");
  CHECK(e.key.source == Source::kPredicted);
  CHECK(e.key.fidelity == "lut:abc");
  REQUIRE(e.value);
  CHECK(*e.value == doctest::Approx(predictor.predict(archs[12]).mean));
  CHECK_THROWS_WITH_AS(evaluator.key("cpu_mj"), doctest::Contains("predicts \"cpu_ms\""), Error);
}

}  // namespace nas
