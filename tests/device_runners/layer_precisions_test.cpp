// What runtimes say each convolution ran at, on reports in each tool's own
// format (fixtures/: the tools' layout, layers and numbers of our own).
#include "device_runners/board/layer_precisions.h"

#include <doctest/doctest.h>

#include "device_runners/board/tool_parsers.h"
#include "tests/device_runners/fixtures.h"

namespace nas {
namespace {

using test::fixture;

TEST_CASE("trtexec layer information: QDQ pairs fused, every convolution runs int8") {
  const LayerPrecisions layers = parse_trtexec_layer_info(fixture("trtexec_layers_int8.json"));
  CHECK(layers.source == "trtexec layer information");
  // stem, expand, depthwise, project, head and the classifier; not the
  // input's QuantizeLinear (a Scale layer) or the pooling.
  REQUIRE(layers.convolutions.size() == 6);
  CHECK(layers.convolutions[0].name == "stem + stem_act");
  for (const auto& conv : layers.convolutions) CHECK(conv.precision == "int8");
  CHECK(layers.not_at(Precision::kInt8).empty());
  CHECK_FALSE(layer_precision_note(layers, Precision::kInt8));
  const nlohmann::json j = layers.to_json(Precision::kInt8);
  CHECK(j["convolutions"] == 6);
  CHECK(j["by_precision"]["int8"] == 6);
  CHECK(j["not_at_job_precision"].empty());
  // The same engine asked of an fp16 job: every convolution is off.
  CHECK(layers.not_at(Precision::kFp16).size() == 6);
}

TEST_CASE("trtexec layer information: a depthwise convolution left at fp16 between a DQ and a Q") {
  const LayerPrecisions layers = parse_trtexec_layer_info(fixture("trtexec_layers_unfused.json"));
  REQUIRE(layers.convolutions.size() == 6);
  const auto off = layers.not_at(Precision::kInt8);
  REQUIRE(off.size() == 1);
  CHECK(off[0].name == "block1.depthwise + block1.depthwise_act");
  CHECK(off[0].precision == "fp16");
  const auto note = layer_precision_note(layers, Precision::kInt8);
  REQUIRE(note);
  CHECK(*note == "1 of 6 convolutions did not run at int8 (trtexec layer information): "
                 "block1.depthwise + block1.depthwise_act (fp16): the runtime did not fuse their "
                 "QuantizeLinear/DequantizeLinear pairs, so this latency is not wholly int8");
  CHECK(layers.to_json(Precision::kInt8)["by_precision"]["fp16"] == 1);
}

TEST_CASE("trtexec layer information: names only, or not a report, is a clear error") {
  CHECK_THROWS_WITH_AS(parse_trtexec_layer_info(R"({"Layers": ["stem + stem_act", "head"], "Bindings": ["input"]})"),
                       doctest::Contains("--profilingVerbosity=detailed"), ToolOutputError);
  CHECK_THROWS_WITH_AS(parse_trtexec_layer_info("[I] Layer information"),
                       doctest::Contains("not JSON"), ToolOutputError);
  CHECK_THROWS_WITH_AS(parse_trtexec_layer_info(R"({"Bindings": []})"),
                       doctest::Contains("no \"Layers\""), ToolOutputError);
}

TEST_CASE("benchmark_app -pc: an int8 file on OpenVINO's CPU plugin, convolutions at I8") {
  const std::string output = fixture("benchmark_app_cpu_int8_pc.txt");
  const auto layers = parse_benchmark_app_counters(output);
  REQUIRE(layers);
  CHECK(layers->source == "benchmark_app -pc");
  // stem, expand, depthwise (GroupConvolution), project, head, classifier
  // (FullyConnected); the fused activations did not run.
  REQUIRE(layers->convolutions.size() == 6);
  CHECK(layers->convolutions[2].name == "block1.depthwise");
  for (const auto& conv : layers->convolutions) CHECK(conv.precision == "int8");
  CHECK_FALSE(layer_precision_note(*layers, Precision::kInt8));
  // The same output still parses as a measurement.
  const ToolReport r = parse_benchmark_app(output);
  CHECK(r.latency.median_ms == doctest::Approx(0.26));
  CHECK(*r.iterations == 500);
}

TEST_CASE("benchmark_app -pc: a convolution at FP32 is named; a run without -pc has no counters") {
  std::string output = fixture("benchmark_app_cpu_int8_pc.txt");
  const std::string i8 = "jit_avx2_dw_I8 ";
  output.replace(output.find(i8), i8.size(), "jit_avx2_dw_FP32");
  const auto layers = parse_benchmark_app_counters(output);
  REQUIRE(layers);
  const auto note = layer_precision_note(*layers, Precision::kInt8);
  REQUIRE(note);
  CHECK(note->find("1 of 6 convolutions did not run at int8 (benchmark_app -pc): "
                   "block1.depthwise (fp32)") == 0);
  CHECK_FALSE(parse_benchmark_app_counters(fixture("benchmark_app_ncs2.txt")));
}

}  // namespace
}  // namespace nas
