// The parsers on output in each tool's real format (fixtures/: the layout of
// the tools' own printing code, numbers of our own).
#include "device_runners/board/tool_parsers.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "tests/device_runners/fixtures.h"

namespace nas {
namespace {

using test::fixture;

bool lists(const std::vector<std::string>& v, const std::string& item) {
  return std::find(v.begin(), v.end(), item) != v.end();
}

TEST_CASE("trtexec: the performance summary of TensorRT 8.5") {
  const ToolReport r = parse_trtexec(fixture("trtexec_jetson.txt"));
  CHECK(r.tool == "trtexec");
  CHECK(r.latency.min_ms == doctest::Approx(3.90271));
  CHECK(r.latency.mean_ms == doctest::Approx(3.98232));
  CHECK(r.latency.median_ms == doctest::Approx(3.96118));
  CHECK(r.latency.p90_ms == doctest::Approx(4.03247));
  CHECK(r.latency.samples_ms.empty());
  CHECK(lists(r.missing, "std_ms"));
  CHECK_FALSE(lists(r.missing, "p90_ms"));
  CHECK(r.substitutes.empty());
  CHECK(*r.iterations == 412);
  CHECK(*r.timed_seconds == doctest::Approx(1.64893));
  CHECK(*r.throughput == doctest::Approx(249.859));
  CHECK(r.details["latency_ms"]["p99"] == doctest::Approx(4.66113));
  CHECK(r.details["latency_ms"]["max"] == doctest::Approx(5.71948));
  CHECK(r.details["gpu_compute_ms"]["median"] == doctest::Approx(3.89233));
  CHECK(r.details["total_gpu_compute_s"] == doctest::Approx(1.61204));
  const auto j = r.to_json();
  CHECK(j["tool"] == "trtexec");
  CHECK(j["iterations"] == 412);
}

TEST_CASE("trtexec: TensorRT 8.2 prints percentile(99%) only: p90 is missing, not made up") {
  const ToolReport r = parse_trtexec(fixture("trtexec_8_2.txt"));
  CHECK(r.latency.median_ms == doctest::Approx(1.38452));
  CHECK(r.latency.p90_ms == 0);
  CHECK(lists(r.missing, "p90_ms"));
  CHECK(r.details["latency_ms"]["p99"] == doctest::Approx(1.55737));
  CHECK(r.details["end_to_end_host_ms"]["median"] == doctest::Approx(2.75024));
  CHECK(*r.iterations == 2148);
}

TEST_CASE("trtexec: an int8 run that builds its engine from the QDQ file says what it allowed") {
  const ToolReport r = parse_trtexec(fixture("trtexec_int8.txt"));
  CHECK(r.details["build_precision"] == "FP32+FP16+INT8");
  CHECK(r.details["build_seconds"] == doctest::Approx(37.0612));
  CHECK(r.latency.median_ms == doctest::Approx(0.341553));
  CHECK(r.latency.p90_ms == doctest::Approx(0.355713));
  CHECK(*r.iterations == 200);
  CHECK(*r.timed_seconds == doctest::Approx(0.0702));
  // A run that loads a built engine does not say.
  CHECK_FALSE(parse_trtexec(fixture("trtexec_jetson.txt")).details.contains("build_precision"));
}

TEST_CASE("trtexec: malformed output is a clear error") {
  CHECK_THROWS_WITH_AS(parse_trtexec("&&&& FAILED TensorRT.trtexec\n"),
                       doctest::Contains("no '=== Performance summary ===' block"), ToolOutputError);
  CHECK_THROWS_WITH_AS(parse_trtexec("[I] === Performance summary ===\n[I] Throughput: 10 qps\n"),
                       doctest::Contains("no 'Latency: min = ...' line"), ToolOutputError);
  CHECK_THROWS_WITH_AS(
      parse_trtexec("=== Performance summary ===\nLatency: min = 1 ms, max = two ms\n"),
      doctest::Contains("expected a number in 'Latency: min = 1 ms, max = two ms'"),
      ToolOutputError);
  CHECK_THROWS_WITH_AS(
      parse_trtexec("=== Performance summary ===\nLatency: min = 1 ms, max = 2 ms, mean = 1.5 ms\n"),
      doctest::Contains("no 'median ='"), ToolOutputError);
  CHECK_THROWS_WITH_AS(parse_trtexec("=== Performance summary ===\nLatency: min = 1 s\n"),
                       doctest::Contains("unexpected unit"), ToolOutputError);
}

TEST_CASE("benchmark_app: an NCS2 run (OpenVINO 2022.3)") {
  const ToolReport r = parse_benchmark_app(fixture("benchmark_app_ncs2.txt"));
  CHECK(r.tool == "benchmark_app");
  CHECK(r.latency.median_ms == doctest::Approx(27.35));
  CHECK(r.latency.mean_ms == doctest::Approx(27.49));
  CHECK(r.latency.min_ms == doctest::Approx(19.83));
  CHECK(r.details["latency_ms"]["max"] == doctest::Approx(41.06));
  CHECK(lists(r.missing, "p90_ms"));
  CHECK(lists(r.missing, "std_ms"));
  CHECK(r.substitutes.empty());
  CHECK(*r.iterations == 2912);
  CHECK(*r.timed_seconds == doctest::Approx(20.04177));
  CHECK(*r.throughput == doctest::Approx(145.30));
  CHECK(r.details["first_inference_ms"] == doctest::Approx(27.51));
}

TEST_CASE("benchmark_app: -latency_percentile 90 prints p90 instead of the median") {
  const ToolReport r = parse_benchmark_app(fixture("benchmark_app_2024_p90.txt"));
  CHECK(r.latency.p90_ms == doctest::Approx(1.61));
  CHECK(r.latency.mean_ms == doctest::Approx(1.43));
  // No median: the mean stands in, and says so.
  CHECK(r.latency.median_ms == doctest::Approx(1.43));
  REQUIRE(r.substitutes.count("median_ms"));
  CHECK(r.substitutes.at("median_ms").find("mean") == 0);
  CHECK_FALSE(lists(r.missing, "p90_ms"));
  CHECK(r.details["execution_devices"] == "['CPU']");
  CHECK(*r.iterations == 500);
}

TEST_CASE("benchmark_app: older single-line latency and microsecond units") {
  const ToolReport old = parse_benchmark_app(
      "[ INFO ] Count:      6640 iterations\n[ INFO ] Duration:   60039.70 ms\n"
      "[ INFO ] Latency:    35.36 ms\n[ INFO ] Throughput: 110.59 FPS\n");
  CHECK(old.latency.median_ms == doctest::Approx(35.36));
  CHECK(lists(old.missing, "mean_ms"));
  const ToolReport us = parse_benchmark_app(
      "[ INFO ] Latency:\n[ INFO ]    Median:           412.50 us\n"
      "[ INFO ]    Average:          420.00 us\n[ INFO ]    Min:              398.10 us\n"
      "[ INFO ]    Max:              700.00 us\n[ INFO ] Throughput:          2380.95 FPS\n");
  CHECK(us.latency.median_ms == doctest::Approx(0.4125));
  CHECK(us.latency.min_ms == doctest::Approx(0.3981));
}

TEST_CASE("benchmark_app: malformed output is a clear error") {
  CHECK_THROWS_WITH_AS(parse_benchmark_app("[ INFO ] Throughput: 300.1 FPS\n"),
                       doctest::Contains("no 'Latency:' block"), ToolOutputError);
  CHECK_THROWS_WITH_AS(parse_benchmark_app("[ INFO ] Latency:\n[ INFO ]    Median:  fast ms\n"),
                       doctest::Contains("expected a number in 'Median:  fast ms'"),
                       ToolOutputError);
  CHECK_THROWS_WITH_AS(parse_benchmark_app("[ INFO ] Count: many iterations\n"),
                       doctest::Contains("cannot read 'Count: many iterations'"), ToolOutputError);
}

TEST_CASE("benchmark_model: an Edge TPU run, the timed run after the warm-up") {
  const ToolReport r = parse_benchmark_model(fixture("benchmark_model_edgetpu.txt"));
  CHECK(r.tool == "benchmark_model");
  CHECK(*r.iterations == 342);
  CHECK(r.latency.mean_ms == doctest::Approx(2.91743));
  CHECK(r.latency.min_ms == doctest::Approx(2.869));
  CHECK(r.latency.std_ms == doctest::Approx(0.041));
  CHECK(r.latency.median_ms == doctest::Approx(2.91743));
  CHECK(r.substitutes.at("median_ms").find("mean") == 0);
  CHECK(lists(r.missing, "p90_ms"));
  CHECK(*r.timed_seconds == doctest::Approx(342 * 2917.43e-6));
  CHECK(r.details["warmup_us"]["count"] == 170);
  CHECK(r.details["timings_us"]["Init"] == 912402);
  CHECK(r.details["timings_us"]["Inference (avg)"] == doctest::Approx(2917.43));
}

TEST_CASE("benchmark_model: an older release, and a run whose times were all the same") {
  const ToolReport r = parse_benchmark_model(fixture("benchmark_model_old.txt"));
  CHECK(*r.iterations == 25);
  CHECK(r.latency.mean_ms == doctest::Approx(37.5));
  CHECK(r.latency.min_ms == doctest::Approx(37.5));
  CHECK(r.latency.std_ms == 0);
  CHECK(r.details["timings_us"]["no stats"] == doctest::Approx(37500));
}

TEST_CASE("benchmark_model: malformed output is a clear error") {
  CHECK_THROWS_WITH_AS(parse_benchmark_model("INFO: Loaded model m.tflite\nERROR: failed\n"),
                       doctest::Contains("no 'count=... avg=... std=...' line"), ToolOutputError);
  CHECK_THROWS_WITH_AS(
      parse_benchmark_model("Running benchmark for at least 1 iterations\ncount=3 min=1 avg=x\n"),
      doctest::Contains("cannot read 'avg=x'"), ToolOutputError);
  CHECK_THROWS_WITH_AS(
      parse_benchmark_model("Running benchmark for at least 1 iterations\ncount=0\n"),
      doctest::Contains("count=0"), ToolOutputError);
}

TEST_CASE("parsers by name") {
  CHECK(parse_tool_output("benchmark_app", fixture("benchmark_app_ncs2.txt")).tool ==
        "benchmark_app");
  CHECK_THROWS_WITH_AS(parse_tool_output("snpe", ""), doctest::Contains("unknown output parser"),
                       UsageError);
  CHECK(tool_parser_names().size() == 3);
}

TEST_CASE("edgetpu_compiler: a relu subnet maps wholly to the Edge TPU; the counts come from the table") {
  const EdgeTpuCompilerReport r = parse_edgetpu_compiler(fixture("edgetpu_compiler_relu.txt"));
  CHECK(r.compiler_version == "16.0.384591198");
  CHECK(r.operations == 41);
  CHECK(r.on_edge_tpu == 41);
  CHECK(r.on_cpu == 0);
  CHECK(r.subgraphs == 1);
  CHECK(r.on_chip_bytes == doctest::Approx(134.5 * 1024));
  CHECK(r.on_chip_remaining_bytes == doctest::Approx(7.82 * 1024 * 1024));
  CHECK(r.off_chip_bytes == 0);
  REQUIRE(r.operators.size() == 8);
  CHECK(r.operators[1].name == "CONV_2D");
  CHECK(r.operators[1].count == 19);
  CHECK(r.operators[1].on_edge_tpu());
  CHECK(r.to_json()["operators"][1]["status"] == "Mapped to Edge TPU");
}

TEST_CASE("edgetpu_compiler: hard-swish falls back to the CPU and splits the graph") {
  const EdgeTpuCompilerReport r = parse_edgetpu_compiler(fixture("edgetpu_compiler_hardswish.txt"));
  CHECK(r.operations == 58);
  CHECK(r.on_edge_tpu == 47);
  CHECK(r.on_cpu == 11);
  CHECK(r.subgraphs == 2);
  CHECK(r.off_chip_bytes == doctest::Approx(2.5 * 1024));
  REQUIRE(r.operators.size() == 9);
  CHECK(r.operators[0].name == "HARD_SWISH");
  CHECK(r.operators[0].status == "Operation not supported");
  CHECK_FALSE(r.operators[0].on_edge_tpu());
  CHECK(r.operators[2].status == "More than one subgraph is not supported");
  std::int64_t on_cpu = 0;
  for (const auto& op : r.operators) on_cpu += op.on_edge_tpu() ? 0 : op.count;
  CHECK(on_cpu == r.on_cpu);  // the printed count agrees with the table
}

TEST_CASE("edgetpu_compiler: a failed compilation, or a report without -s, is a clear error") {
  CHECK_THROWS_WITH_AS(parse_edgetpu_compiler("Edge TPU Compiler version 16.0.384591198\n"
                                              "ERROR: Didn't find op for builtin opcode 'HARD_SWISH'\n"
                                              "Internal compiler error. Aborting!\n"),
                       doctest::Contains("no 'Model compiled successfully' line"), ToolOutputError);
  CHECK_THROWS_WITH_AS(parse_edgetpu_compiler("Model compiled successfully in 412 ms.\n"
                                              "On-chip memory used for caching model parameters: 1.00MiB\n"),
                       doctest::Contains("no operator table (was -s given?)"), ToolOutputError);
  CHECK_THROWS_WITH_AS(parse_edgetpu_compiler("Model compiled successfully in 412 ms.\n"
                                              "On-chip memory used for caching model parameters: 1.00XB\n"),
                       doctest::Contains("unexpected unit"), ToolOutputError);
}

}  // namespace
}  // namespace nas
