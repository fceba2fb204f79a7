#include "core/mbv3_blocks.h"

#include <doctest/doctest.h>

#include <set>

#include "core/errors.h"
#include "core/random.h"

namespace nas {
namespace {

// Two stages (depths 1..2 and 2..3) over two resolutions, stem stride 2.
Mbv3Layout two_stage_layout() {
  Mbv3Layout layout;
  layout.in_channels = 1;
  layout.stem_width = 8;
  layout.stem_stride = 2;
  layout.stages = {{16, 2, {1, 2}, false, {false}}, {24, 1, {2, 3}, true, {true}}};
  layout.kernels = {3, 5};
  layout.expand_ratios = {3, 6};
  layout.resolutions = {24, 28};
  return layout;
}

}  // namespace

TEST_CASE("the distinct blocks of a layout: positions x kernels x expands x resolutions") {
  const Mbv3Layout layout = two_stage_layout();
  const auto blocks = mbv3_distinct_blocks(layout);
  // Per resolution: stage 1 has a first block (8 -> 16, stride 2) and a
  // second (16 -> 16); stage 2 a first (16 -> 24) and the rest (24 -> 24,
  // twice the same shape): 4 shapes x 2 kernels x 2 expands.
  CHECK(blocks.size() == 2 * 4 * 2 * 2);
  std::set<std::string> keys;
  for (const auto& b : blocks) keys.insert(b.key());
  CHECK(keys.size() == blocks.size());
  // Side 28 -> stem 14 -> stage 1 stride 2 -> 7.
  CHECK(keys.count("mbv3_block-in:8-out:16-s:2-k:5-e:6-se:0-hs:0-r:14") == 1);
  CHECK(keys.count("mbv3_block-in:16-out:24-s:1-k:3-e:3-se:1-hs:1-r:7") == 1);
  CHECK(keys.count("mbv3_block-in:24-out:24-s:1-k:3-e:3-se:1-hs:1-r:6") == 1);  // 24 -> 12 -> 6
}

TEST_CASE("every block a subnet runs is one of the layout's distinct blocks") {
  const Mbv3Layout layout = two_stage_layout();
  const SearchSpace space = mbv3_space(layout);
  std::set<std::string> distinct;
  for (const auto& b : mbv3_distinct_blocks(layout)) distinct.insert(b.key());
  Rng rng(7);
  for (int i = 0; i < 50; ++i) {
    const Arch arch = space.sample(rng);
    const Mbv3Subnet subnet = decode_mbv3(space, layout, arch);
    const auto blocks = mbv3_subnet_blocks(layout, subnet);
    std::size_t depth = 0;
    for (const auto& stage : subnet.stages) depth += stage.size();
    REQUIRE(blocks.size() == depth);
    CHECK(blocks[0].stride == 2);
    CHECK(blocks[0].in_channels == 8);
    for (const auto& b : blocks) CHECK(distinct.count(b.key()) == 1);
  }
}

TEST_CASE("a stage that decides its activation has both in the table, and a subnet runs its choice") {
  Mbv3Layout layout = two_stage_layout();
  layout.stages[0].hswish_choices = {false, true};
  const auto blocks = mbv3_distinct_blocks(layout);
  CHECK(blocks.size() == 2 * (2 * 2 + 2) * 2 * 2);  // stage 1's two shapes twice
  std::set<std::string> distinct;
  for (const auto& b : blocks) distinct.insert(b.key());
  CHECK(distinct.count("mbv3_block-in:8-out:16-s:2-k:5-e:6-se:0-hs:1-r:14") == 1);
  CHECK(distinct.count("mbv3_block-in:8-out:16-s:2-k:5-e:6-se:0-hs:0-r:14") == 1);
  const SearchSpace space = mbv3_space(layout);
  Rng rng(3);
  for (int i = 0; i < 30; ++i) {
    const Arch arch = space.sample(rng);
    const Mbv3Subnet subnet = decode_mbv3(space, layout, arch);
    const auto run = mbv3_subnet_blocks(layout, subnet);
    CHECK(run[0].hswish == (space.to_json(arch)["s1_act"] == "hswish"));
    for (const auto& b : run) CHECK(distinct.count(b.key()) == 1);
  }
}

TEST_CASE("a block configuration survives JSON, and bad JSON is named") {
  Mbv3BlockConfig c;
  c.in_channels = 16;
  c.out_channels = 24;
  c.stride = 2;
  c.kernel = 5;
  c.expand = 4;
  c.se = true;
  c.input_side = 14;
  CHECK(Mbv3BlockConfig::from_json(c.to_json()) == c);
  CHECK(c.hidden() == mbv3_hidden(16, 4));
  nlohmann::json bad = c.to_json();
  bad["kernel"] = 4;
  CHECK_THROWS_WITH_AS(Mbv3BlockConfig::from_json(bad), "mbv3 block: field 'kernel' must be odd",
                       Error);
  bad.erase("kernel");
  CHECK_THROWS_WITH_AS(Mbv3BlockConfig::from_json(bad), "mbv3 block: missing field 'kernel'", Error);
  bad = c.to_json();
  bad["stride"] = 3;
  CHECK_THROWS_WITH_AS(Mbv3BlockConfig::from_json(bad),
                       doctest::Contains("field 'stride' must be in 1..2"), Error);
}

}  // namespace nas
