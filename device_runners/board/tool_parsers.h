// Parsers of the vendor benchmark tools' own text output:
//   trtexec          TensorRT >= 8 ("=== Performance summary ===" block)
//   benchmark_app    OpenVINO ("Count:", "Duration:", "Latency:" block, "Throughput:")
//   benchmark_model  TensorFlow Lite ("count=.. first=.. curr=.. min=.. max=.. avg=.. std=.."
//                    after "Running benchmark for at least ...", "Inference timings in us: ...")
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

// By name: "trtexec", "benchmark_app", "benchmark_model". Throws
// ToolOutputError for malformed output, UsageError for an unknown name.
ToolReport parse_tool_output(const std::string& parser, const std::string& output);
const std::vector<std::string>& tool_parser_names();

}  // namespace nas
