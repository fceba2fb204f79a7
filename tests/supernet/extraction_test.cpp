#include "supernet/subnet.h"

#include <doctest/doctest.h>

#include <map>
#include <string>

#include "core/random.h"
#include "estimators/mbv3_cost.h"
#include "supernet/mbv3_supernet.h"
#include "tests/supernet/perturbed_supernet.h"
#include "tests/supernet/tiny_options.h"

namespace nas {
namespace {

Mbv3Options tiny_options() { return test::tiny_mbv3_options(); }

TEST_CASE("an extracted subnet computes what the supernet's active path computes") {
  torch::manual_seed(3);
  const Mbv3Layout layout = mbv3_layout(tiny_options(), 2, 5);
  const SearchSpace space = mbv3_space(layout);
  Mbv3Supernet supernet(layout);
  test::perturb(supernet, layout, space);
  Rng rng(11);
  std::vector<Arch> archs = {largest_arch(space), smallest_arch(space)};
  for (int i = 0; i < 8; ++i) archs.push_back(space.sample(rng));
  for (const Arch& arch : archs) {
    CAPTURE(space.canonical_json(arch));
    const Mbv3Subnet spec = decode_mbv3(space, layout, arch);
    Subnet net = extract_subnet(*supernet, spec);
    const torch::Tensor x = torch::randn({4, 2, spec.resolution, spec.resolution});
    torch::NoGradGuard no_grad;
    const torch::Tensor expected = supernet->forward(x, spec);
    const torch::Tensor got = net->forward(x);
    CHECK(got.sizes() == expected.sizes());
    CHECK((got - expected).abs().max().item<double>() <= 1e-5);
    // Scoring's channels-last layout computes the same logits.
    net->activation_format = at::MemoryFormat::ChannelsLast;
    CHECK((net->forward(x) - expected).abs().max().item<double>() <= 1e-5);
    net->activation_format = at::MemoryFormat::Contiguous;
    // The standalone module owns its weights: nothing aliases the supernet.
    for (const auto& p : net->parameters()) {
      for (const auto& q : supernet->parameters()) {
        CHECK(p.data_ptr() != q.data_ptr());
      }
    }
  }
}

TEST_CASE("an activation decided per arch: the extracted subnet runs the choice the supernet ran") {
  torch::manual_seed(4);
  const Mbv3Layout layout = mbv3_layout(test::tiny_options_deciding_activation(), 2, 5);
  const SearchSpace space = mbv3_space(layout);
  Mbv3Supernet supernet(layout);
  test::perturb(supernet, layout, space);
  nlohmann::json j = space.to_json(largest_arch(space));
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({4, 2, 16, 16});
  std::map<std::string, torch::Tensor> logits;
  for (const char* activation : {"relu", "hswish"}) {
    j["s2_act"] = activation;
    const Mbv3Subnet spec = decode_mbv3(space, layout, space.from_json(j));
    Subnet net = extract_subnet(*supernet, spec);
    CHECK_FALSE(net->stem_hswish);
    CHECK(net->blocks.back()->hswish == (std::string(activation) == "hswish"));
    logits[activation] = supernet->forward(x, spec);
    CHECK((net->forward(x) - logits[activation]).abs().max().item<double>() <= 1e-5);
  }
  // The same weights under the other activation compute something else.
  CHECK((logits["relu"] - logits["hswish"]).abs().max().item<double>() > 1e-3);
}

TEST_CASE("analytic cost equals what counting the extracted module finds") {
  const Mbv3Layout layout = mbv3_layout(tiny_options(), 3, 10);
  const SearchSpace space = mbv3_space(layout);
  Mbv3Supernet supernet(layout);
  Rng rng(2);
  std::vector<Arch> archs = {largest_arch(space), smallest_arch(space)};
  for (int i = 0; i < 10; ++i) archs.push_back(space.sample(rng));
  for (const Arch& arch : archs) {
    CAPTURE(space.canonical_json(arch));
    const Mbv3Subnet spec = decode_mbv3(space, layout, arch);
    Subnet net = extract_subnet(*supernet, spec);
    CostTrace trace;
    torch::NoGradGuard no_grad;
    net->forward(torch::randn({2, 3, spec.resolution, spec.resolution}), &trace);
    std::int64_t params = 0;
    for (const auto& p : net->parameters()) params += p.numel();
    // The deployed network: weights of convolutions and linear layers, and
    // one bias per output channel once BN is folded.
    std::int64_t weights = 0, channels = 0;
    for (const auto& m : net->modules(false)) {
      if (auto* c = m->as<torch::nn::Conv2d>()) weights += c->weight.numel(), channels += c->weight.size(0);
      if (auto* l = m->as<torch::nn::Linear>()) weights += l->weight.numel(), channels += l->weight.size(0);
    }
    const Mbv3Cost cost = mbv3_cost(layout, spec);
    CHECK(cost.macs == trace.macs);
    CHECK(cost.params == params);
    CHECK(cost.weights == weights);
    CHECK(cost.output_channels == channels);
    CHECK(deployed_kib(cost, Precision::kFp32) == doctest::Approx(4.0 * (weights + channels) / 1024));
    CHECK(deployed_kib(cost, Precision::kFp16) == doctest::Approx(2.0 * (weights + channels) / 1024));
    CHECK(deployed_kib(cost, Precision::kInt8) == doctest::Approx((weights + 8.0 * channels) / 1024));
    CHECK(deployed_kib(cost, Precision::kInt8) < deployed_kib(cost, Precision::kFp16));
    CHECK(cost.peak_activation_elements == trace.peak_elements);
  }
  // Larger choices cost more.
  const Mbv3Cost big = mbv3_cost(layout, decode_mbv3(space, layout, largest_arch(space)));
  const Mbv3Cost small = mbv3_cost(layout, decode_mbv3(space, layout, smallest_arch(space)));
  CHECK(big.macs > small.macs);
  CHECK(big.params > small.params);
}

}  // namespace
}  // namespace nas
