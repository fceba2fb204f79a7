#include "supernet/fake_quant.h"

#include <doctest/doctest.h>

#include <vector>

#include "supernet/mbv3_supernet.h"
#include "tests/supernet/perturbed_supernet.h"
#include "tests/supernet/tiny_options.h"

namespace nas {
namespace {

// A supernet whose weights and BN statistics are off their initial values,
// and the largest subnet extracted from it.
struct Fixture {
  Mbv3Layout layout = mbv3_layout(test::tiny_mbv3_options(), 2, 5);
  SearchSpace space = mbv3_space(layout);
  Mbv3Supernet supernet{layout};
  Mbv3Subnet spec;

  Fixture() {
    torch::manual_seed(7);
    test::perturb(supernet, layout, space);
    spec = decode_mbv3(space, layout, largest_arch(space));
  }
  Subnet subnet() { return extract_subnet(*supernet, spec); }
  torch::Tensor images(std::int64_t n) {
    return torch::randn({n, 2, spec.resolution, spec.resolution});
  }
};

// The tap sites a forward pass of `net` visits: input, stem, head, pooled
// features, and per block its convolutions, squeeze-excite and residual.
std::size_t expected_sites(const SubnetImpl& net) {
  std::size_t sites = 4;
  for (const auto& block : net.blocks) {
    sites += 3 + (block->se_reduce ? 4 : 0) + (block->residual ? 1 : 0);
  }
  return sites;
}

double relative_error(const torch::Tensor& got, const torch::Tensor& expected) {
  return ((got - expected).norm() / expected.norm()).item<double>();
}

TEST_CASE("int8 calibration gives every tap site a range holding zero; clipping rules narrow it") {
  Fixture f;
  Subnet net = f.subnet();
  const std::vector<torch::Tensor> batches = {f.images(16), f.images(16)};
  QuantizationOptions minmax;
  minmax.rule = CalibrationRule::kMinMax;
  const std::vector<ActivationRange> full = calibrate_activations(*net, batches, minmax);
  REQUIRE(full.size() == expected_sites(*net));
  CHECK_FALSE(net->tap);  // calibration leaves the net as it was
  std::size_t nonzero = 0;
  for (const ActivationRange& r : full) {
    CHECK(r.lo <= 0);
    CHECK(r.hi >= 0);
    nonzero += r.hi > r.lo ? 1 : 0;
  }
  CHECK(nonzero == full.size());

  for (const CalibrationRule rule : {CalibrationRule::kPercentile, CalibrationRule::kMse}) {
    CAPTURE(to_string(rule));
    QuantizationOptions options;
    options.rule = rule;
    options.percentile = 99.0;
    const std::vector<ActivationRange> clipped = calibrate_activations(*net, batches, options);
    REQUIRE(clipped.size() == full.size());
    std::size_t narrower = 0;
    for (std::size_t i = 0; i < full.size(); ++i) {
      CHECK(clipped[i].lo <= 0);
      CHECK(clipped[i].lo >= full[i].lo - 1e-6);
      CHECK(clipped[i].hi <= full[i].hi + 1e-6);
      narrower += clipped[i].hi - clipped[i].lo < 0.999 * (full[i].hi - full[i].lo) ? 1 : 0;
    }
    // Cutting 1 % of the values, or trading outliers for finer steps,
    // narrows some range.
    CHECK(narrower > 0);
  }
}

TEST_CASE("int8 weights are whole steps of a per-channel scale; activations take 256 values") {
  Fixture f;
  Subnet net = f.subnet();
  const torch::Tensor x = f.images(32);
  torch::NoGradGuard no_grad;
  const torch::Tensor expected = net->forward(x);
  std::vector<torch::Tensor> before;
  for (const auto& p : net->parameters()) before.push_back(p.clone());

  QuantizationOptions options;
  options.rule = CalibrationRule::kMinMax;
  fake_quantize_int8(*net, {f.images(16), f.images(16)}, options);
  std::size_t rounded = 0;
  for (const auto& module : net->modules(false)) {
    torch::Tensor w;
    if (auto* conv = module->as<torch::nn::Conv2d>()) w = conv->weight;
    if (auto* linear = module->as<torch::nn::Linear>()) w = linear->weight;
    if (!w.defined()) continue;
    const torch::Tensor rows = w.reshape({w.size(0), -1});
    const torch::Tensor scale = rows.abs().amax(1, true) / 127;
    const torch::Tensor steps = rows / scale;
    CHECK((steps - steps.round()).abs().max().item<double>() < 1e-3);
    CHECK(steps.abs().max().item<double>() <= 127.001);
    ++rounded;
  }
  std::size_t se_blocks = 0;
  for (const auto& block : net->blocks) se_blocks += block->se_reduce ? 1 : 0;
  CHECK(se_blocks > 0);
  CHECK(rounded == 3 * net->blocks.size() + 2 * se_blocks + 3);  // + stem, head, classifier

  // Wrap the quantizing tap to count the values each site lets through.
  REQUIRE(net->tap);
  const ActivationTap quantize = net->tap;
  std::int64_t most_values = 0;
  net->tap = [&](const torch::Tensor& a) {
    const torch::Tensor q = quantize(a);
    most_values = std::max(most_values, std::get<0>(at::_unique(q.flatten())).numel());
    return q;
  };
  const torch::Tensor got = net->forward(x);
  CHECK(most_values <= 256);
  CHECK(most_values > 16);
  const double error = relative_error(got, expected);
  CHECK(error > 0);     // something was rounded
  CHECK(error < 0.15);  // and int8 keeps the logits close

  // Parameters other than weights (BN, biases) keep their float values.
  std::size_t i = 0, unchanged = 0;
  for (const auto& p : net->parameters()) unchanged += p.equal(before[i++]) ? 1 : 0;
  CHECK(unchanged > 0);
}

TEST_CASE("fp16 rounds parameters and activations to half precision") {
  Fixture f;
  Subnet net = f.subnet();
  const torch::Tensor x = f.images(8);
  torch::NoGradGuard no_grad;
  const torch::Tensor expected = net->forward(x);
  round_to_fp16(*net);
  for (const auto& p : net->parameters()) {
    CHECK(p.equal(p.to(torch::kHalf).to(torch::kFloat32)));
  }
  const torch::Tensor got = net->forward(x);
  const double error = relative_error(got, expected);
  CHECK(error > 0);
  CHECK(error < 1e-2);
}

}  // namespace
}  // namespace nas
