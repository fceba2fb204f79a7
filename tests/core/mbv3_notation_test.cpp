#include "core/mbv3_notation.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/mbv3_space.h"
#include "core/space_registry.h"

namespace nas {
namespace {

// Three stages (depths 2..4, 2..3, 1..2), kernels 3/5/7, expands 3/4/6, two resolutions.
SearchSpace three_stage_space() {
  Mbv3Options options;
  options.stages = {{24, 2, {2, 3, 4}, false, {"relu"}},
                    {40, 2, {2, 3}, true, {"hswish"}},
                    {80, 2, {1, 2}, true, {"hswish"}}};
  options.kernels = {3, 5, 7};
  options.expand_ratios = {3, 4, 6};
  options.resolutions = {24, 28};
  return mbv3_space(mbv3_layout(options, 1, 10));
}

TEST_CASE("the mbv3 notation spells depth, kernels and expands per stage and parses back") {
  const SearchSpace space = three_stage_space();
  REQUIRE(is_mbv3_space(space));
  const Arch arch = space.from_json(nlohmann::json::parse(R"({
    "resolution": "28",
    "s1_depth": "3", "s1_b1_kernel": "7", "s1_b1_expand": "6", "s1_b2_kernel": "7",
    "s1_b2_expand": "6", "s1_b3_kernel": "5", "s1_b3_expand": "3",
    "s2_depth": "2", "s2_b1_kernel": "3", "s2_b1_expand": "4", "s2_b2_kernel": "5",
    "s2_b2_expand": "6",
    "s3_depth": "1", "s3_b1_kernel": "7", "s3_b1_expand": "3"})"));
  const std::string text = mbv3_notation(space, arch);
  CHECK(text == "r28 | d3 k775 e663 | d2 k35 e46 | d1 k7 e3");
  CHECK(arch_label(space, arch) == text);
  CHECK(parse_mbv3_notation(space, text) == arch);
  CHECK(parse_mbv3_notation(space, "r28|d3 k775 e663|d2 k35 e46|  d1 k7 e3 ") == arch);
  // The full form stays decision by decision.
  CHECK(arch_full_label(space, arch).find("s1_b3_kernel=5") != std::string::npos);
  // Every arch of a sample round-trips.
  Rng rng(5);
  for (int i = 0; i < 50; ++i) {
    const Arch a = space.sample(rng);
    CHECK(parse_mbv3_notation(space, mbv3_notation(space, a)) == a);
  }
}

TEST_CASE("a stage that decides its activation ends in relu or hswish") {
  Mbv3Options options;
  options.stages = {{24, 2, {2, 3}, false, {"relu", "hswish"}}, {40, 2, {1, 2}, true, {"hswish"}}};
  options.kernels = {3, 5};
  options.expand_ratios = {3, 6};
  const SearchSpace space = mbv3_space(mbv3_layout(options, 1, 10));
  REQUIRE(is_mbv3_space(space));
  nlohmann::json j = space.to_json(largest_arch(space));
  j["s1_act"] = "relu";
  const Arch arch = space.from_json(j);
  // Kernels and expands stay packed: only they count for the digits.
  CHECK(mbv3_notation(space, arch) == "r28 | d3 k555 e666 relu | d2 k55 e66");
  CHECK(parse_mbv3_notation(space, "r28 | d3 k555 e666 relu | d2 k55 e66") == arch);
  CHECK(mbv3_notation(space, largest_arch(space)) == "r28 | d3 k555 e666 hswish | d2 k55 e66");
  Rng rng(9);
  for (int i = 0; i < 30; ++i) {
    const Arch a = space.sample(rng);
    CHECK(parse_mbv3_notation(space, mbv3_notation(space, a)) == a);
  }
  CHECK_THROWS_WITH_AS(parse_mbv3_notation(space, "r28 | d3 k555 e666 | d2 k55 e66"),
                       doctest::Contains("stage 1 decides its activation: it ends in 'relu' or 'hswish'"),
                       UsageError);
  CHECK_THROWS_WITH_AS(parse_mbv3_notation(space, "r28 | d3 k555 e666 relu | d2 k55 e66 relu"),
                       doctest::Contains("stage 2 is not 'd<depth> k<kernels> e<expands>'"),
                       UsageError);
}

TEST_CASE("a malformed mbv3 notation is refused with what is wrong") {
  const SearchSpace space = three_stage_space();
  CHECK_THROWS_WITH_AS(parse_mbv3_notation(space, "r28 | d3 k777 e666"),
                       doctest::Contains("has 2 groups, the space needs 4"), UsageError);
  CHECK_THROWS_WITH_AS(parse_mbv3_notation(space, "r28 | d3 k77 e666 | d2 k33 e33 | d1 k3 e3"),
                       doctest::Contains("stage 1: depth 3 needs 3 kernels"), UsageError);
  CHECK_THROWS_WITH_AS(parse_mbv3_notation(space, "r28 | d3 k779 e666 | d2 k33 e33 | d1 k3 e3"),
                       doctest::Contains("unknown choice '9'"), UsageError);
  CHECK_THROWS_WITH_AS(parse_mbv3_notation(space, "r28 | d5 k77777 e66666 | d2 k33 e33 | d1 k3 e3"),
                       doctest::Contains("stage 1: depth 5 is not one of 2, 3, 4"), UsageError);
  CHECK_THROWS_WITH_AS(parse_mbv3_notation(space, "28 | d3 k777 e666 | d2 k33 e33 | d1 k3 e3"),
                       doctest::Contains("no 'r<resolution>' first"), UsageError);
}

}  // namespace
}  // namespace nas
