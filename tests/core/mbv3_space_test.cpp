#include "core/mbv3_space.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/errors.h"
#include "core/space_registry.h"

namespace nas {
namespace {

nlohmann::json mbv3_document() {
  return nlohmann::json::parse(R"({
    "name": "t",
    "space": {"type": "mbv3", "stem_width": 16,
              "stages": [{"width": 24, "stride": 2},
                         {"width": 40, "stride": 2, "depths": [1, 2], "se": true,
                          "activation": "hswish"}],
              "resolutions": [24, 28]},
    "evaluator": {"type": "supernet", "bn_batches": 4, "latency": {"repeats": 5}},
    "objectives": [{"metric": "val_acc", "goal": "maximize"}],
    "supernet": {"data": {"dataset": "fashion-mnist", "validation": 1000},
                 "training": {"epochs": 2, "device": "cpu"}},
    "search": {"strategy": "random", "budget": 10}
  })");
}

std::string error_of(const nlohmann::json& document) {
  try {
    parse_config(document, "t");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("the mbv3 config section is read with its defaults") {
  const RunConfig c = parse_config(mbv3_document(), "t");
  CHECK(c.space.type == "mbv3");
  REQUIRE(c.space.mbv3.stages.size() == 2);
  CHECK(c.space.mbv3.stages[0].depths == std::vector<std::int64_t>{2, 3, 4});
  CHECK(c.space.mbv3.stages[1].se);
  CHECK(c.space.mbv3.kernels == std::vector<std::int64_t>{3, 5, 7});
  CHECK(c.supernet.enabled);
  CHECK(c.supernet.data.validation == 1000);
  CHECK(c.supernet.training.epochs == 2);
  CHECK(c.evaluator.supernet.bn_batches == 4);
  CHECK(c.evaluator.supernet.latency.repeats == 5);
}

TEST_CASE("bad mbv3 options name their JSON path") {
  auto doc = mbv3_document();
  doc["space"]["stages"][1]["depths"] = {3, 2};
  CHECK(error_of(doc).find("/space/stages/1/depths/1: expected a non-empty ascending list") == 0);
  doc = mbv3_document();
  doc["space"]["kernels"] = {3, 4};
  CHECK(error_of(doc).find("/space/kernels/1:") == 0);
  doc = mbv3_document();
  doc["space"].erase("stages");
  CHECK(error_of(doc).find("/space/stages: missing") == 0);
  doc = mbv3_document();
  doc["supernet"]["training"]["epoch"] = 3;
  CHECK(error_of(doc).find("/supernet/training/epoch: unknown key") == 0);
  doc = mbv3_document();
  doc["supernet"]["training"]["batch_size"] = 100;
  doc["supernet"]["training"]["processes"] = 3;
  CHECK(error_of(doc).find("/supernet/training/batch_size: 100 does not split into 3 equal shares") == 0);
  doc = mbv3_document();
  doc["supernet"]["training"]["dtype"] = "float16";
  CHECK(error_of(doc).find("/supernet/training/dtype:") == 0);
  doc = mbv3_document();
  doc["space"] = {{"type", "nb201"}};
  CHECK(error_of(doc).find("/supernet: only a supernet space") == 0);
}

TEST_CASE("blocks beyond a stage's depth are inactive and leave the canonical form") {
  const RunConfig c = parse_config(mbv3_document(), "t");
  const Mbv3Layout layout = mbv3_layout(c.space.mbv3, 1, 10);
  const SearchSpace space = mbv3_space(layout);
  CHECK(space.name().rfind("mbv3-", 0) == 0);
  CHECK(space.name() == make_space(c.space).name());
  // resolution; s1: depth + 4 blocks x 2; s2: depth + 2 blocks x 2
  CHECK(space.num_decisions() == 1 + 9 + 5);
  // s1: 3 + 3^2... exact count: sum over depths of 9^depth.
  const double s1 = 81.0 + 729.0 + 6561.0;
  const double s2 = 9.0 + 81.0;
  CHECK(space.cardinality() == doctest::Approx(2 * s1 * s2));

  nlohmann::json j = space.to_json(largest_arch(space));
  CHECK(j["s1_depth"] == "4");
  CHECK(j.contains("s1_b4_kernel"));
  j["s1_depth"] = "2";
  const Arch shallow = space.from_json(j);  // b3, b4 given but inactive
  nlohmann::json k = j;
  k["s1_b3_kernel"] = "3";
  k["s1_b4_expand"] = "3";
  CHECK(space.id(space.from_json(k)) == space.id(shallow));
  CHECK_FALSE(space.to_json(shallow).contains("s1_b3_kernel"));

  const Mbv3Subnet net = decode_mbv3(space, layout, shallow);
  CHECK(net.resolution == 28);
  REQUIRE(net.stages.size() == 2);
  CHECK(net.stages[0].size() == 2);
  CHECK(net.stages[1].size() == 2);
  CHECK(net.stages[0][0].kernel == 7);
  CHECK(net.stages[0][0].expand == 6);
  const Mbv3Subnet small = decode_mbv3(space, layout, smallest_arch(space));
  CHECK(small.resolution == 24);
  CHECK(small.stages[1].size() == 1);
  CHECK(small.stages[1][0].kernel == 3);
}

TEST_CASE("a stage that lists both activations decides one per arch; fixed ones keep the space's name") {
  // The name the document's space had before activations could be decided:
  // stores and checkpoints made then still match.
  const RunConfig fixed = parse_config(mbv3_document(), "t");
  CHECK(make_space(fixed.space).name() == "mbv3-d99718e5");

  auto doc = mbv3_document();
  doc["space"]["stages"][0]["activation"] = {"hswish", "relu"};  // listed in any order
  doc["space"]["stem_activation"] = "relu";
  doc["space"]["head_activation"] = "relu";
  const RunConfig c = parse_config(doc, "t");
  CHECK(c.space.mbv3.stages[0].activations == std::vector<std::string>{"relu", "hswish"});
  const Mbv3Layout layout = mbv3_layout(c.space.mbv3, 1, 10);
  CHECK_FALSE(layout.stem_hswish);
  CHECK_FALSE(layout.head_hswish);
  const SearchSpace space = mbv3_space(layout);
  CHECK(space.name() != make_space(fixed.space).name());
  CHECK(space.num_decisions() == 1 + 1 + 9 + 5);
  const auto act = space.index_of("s1_act");
  REQUIRE(act);
  CHECK(space.decision(*act).choices == std::vector<std::string>{"relu", "hswish"});
  CHECK_FALSE(space.index_of("s2_act"));

  // relu is the smaller choice, hswish the larger; the fixed stage keeps its own.
  const Mbv3Subnet small = decode_mbv3(space, layout, smallest_arch(space));
  const Mbv3Subnet large = decode_mbv3(space, layout, largest_arch(space));
  CHECK_FALSE(small.stem_hswish);
  CHECK_FALSE(small.stages[0][0].hswish);
  CHECK(large.stages[0][0].hswish);
  CHECK(large.stages[0][3].hswish);
  CHECK(small.stages[1][0].hswish);
  nlohmann::json j = space.to_json(largest_arch(space));
  j["s1_act"] = "relu";
  const Mbv3Subnet relu = decode_mbv3(space, layout, space.from_json(j));
  for (const Mbv3Block& b : relu.stages[0]) CHECK_FALSE(b.hswish);
  CHECK(relu.stages[0][0].kernel == 7);
}

TEST_CASE("bad activations name their JSON path") {
  auto doc = mbv3_document();
  doc["space"]["stages"][0]["activation"] = {"relu", "relu"};
  CHECK(error_of(doc).find("/space/stages/0/activation/1: expected \"relu\", \"hswish\", or a "
                           "list of both (then each arch chooses), each once, got") == 0);
  doc["space"]["stages"][0]["activation"] = {"relu", "gelu"};
  CHECK(error_of(doc).find("/space/stages/0/activation/1:") == 0);
  doc["space"]["stages"][0]["activation"] = nlohmann::json::array();
  CHECK(error_of(doc).find("/space/stages/0/activation: expected") == 0);
  doc["space"]["stages"][0]["activation"] = "swish";
  CHECK(error_of(doc).find("/space/stages/0/activation: expected") == 0);
  doc = mbv3_document();
  doc["space"]["stem_activation"] = {"relu", "hswish"};
  CHECK(error_of(doc).find("/space/stem_activation:") == 0);
  doc = mbv3_document();
  doc["space"]["head_activation"] = "gelu";
  CHECK(error_of(doc).find("/space/head_activation:") == 0);
}

TEST_CASE("widths are rounded to multiples of 8") {
  CHECK(make_divisible(16) == 16);
  CHECK(make_divisible(20) == 24);
  CHECK(make_divisible(12) == 16);
  CHECK(make_divisible(3) == 8);
  CHECK(mbv3_hidden(24, 3) == 72);
  CHECK(mbv3_se_channels(72) == 24);
}

}  // namespace
}  // namespace nas
