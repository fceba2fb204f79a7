// Parsers of the vendor benchmark tools' own text output:
//   trtexec          TensorRT >= 8 ("=== Performance summary ===" block)
//   benchmark_app    OpenVINO ("Count:", "Duration:", "Latency:" block, "Throughput:")
//   benchmark_model  TensorFlow Lite ("count=.. first=.. curr=.. min=.. max=.. avg=.. std=.."
//                    after "Running benchmark for at least ...", "Inference timings in us: ...")
// and the Edge TPU compiler's report (`edgetpu_compiler -s`), which says what
// of a model the Edge TPU runs and what falls back to the CPU.
// Log prefixes ("[10/03/2024-10:47:59] [I] ", "[ INFO ] ", "INFO: ") are
// ignored. What a tool does not report is not made up: ToolReport says which
// LatencyStats fields are missing and which were filled from another figure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/measurement.h"

namespace nas {

// The output of a tool is not in the format its parser knows. what() names
// the tool and what was looked for.
class ToolOutputError : public Error {
 public:
  using Error::Error;
};

struct ToolReport {
  std::string tool;
  // Per run of the network (one query / infer request) in ms; samples_ms
  // stays empty (the tools print summaries only). Fields listed in `missing`
  // are 0 and must not be read as measurements.
  LatencyStats latency;
  std::vector<std::string> missing;                // e.g. {"std_ms"}
  std::map<std::string, std::string> substitutes;  // field -> figure used instead
  std::optional<std::int64_t> iterations;          // timed runs, as the tool reports
  std::optional<double> timed_seconds;             // length of the timed loop
  std::optional<double> throughput;                // runs (or frames) per second
  nlohmann::json details = nlohmann::json::object();  // every other figure parsed

  // For JobResult::environment: tool, missing, substitutes, iterations,
  // timed_seconds, throughput and details.
  nlohmann::json to_json() const;
};

ToolReport parse_trtexec(const std::string& output);
ToolReport parse_benchmark_app(const std::string& output);
ToolReport parse_benchmark_model(const std::string& output);

// `edgetpu_compiler -s` (Edge TPU Compiler 2 to 16): the memory the model's
// parameters take, and per operator how many instances the Edge TPU runs and
// how many the CPU does, with the compiler's reason ("Operation not
// supported"). When every operation maps, the compiler prints no counts:
// they are summed from the operator table.
struct EdgeTpuCompilerReport {
  struct Operator {
    std::string name;    // "CONV_2D", "HARD_SWISH"
    std::int64_t count = 0;
    std::string status;  // "Mapped to Edge TPU" or why not
    bool on_edge_tpu() const { return status == "Mapped to Edge TPU"; }
  };
  std::string compiler_version;
  std::int64_t operations = 0, on_edge_tpu = 0, on_cpu = 0, subgraphs = 0;
  double on_chip_bytes = 0;            // parameters cached on the chip
  double on_chip_remaining_bytes = 0;
  double off_chip_bytes = 0;           // parameters streamed from the host
  std::vector<Operator> operators;

  // For JobResult::environment["edgetpu_compiler"]: every field, and the
  // operators as {name, count, status}.
  nlohmann::json to_json() const;
};
EdgeTpuCompilerReport parse_edgetpu_compiler(const std::string& output);

// By name: "trtexec", "benchmark_app", "benchmark_model". Throws
// ToolOutputError for malformed output, UsageError for an unknown name.
ToolReport parse_tool_output(const std::string& parser, const std::string& output);
const std::vector<std::string>& tool_parser_names();

}  // namespace nas
