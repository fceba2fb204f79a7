// The bodies of JOB and RESULT: what a runner is asked to measure, and what
// it answers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/image_batch.h"
#include "core/measurement.h"
#include "core/metric.h"
#include "device_runners/wire/protocol.h"

namespace nas {

// What a job measures. A JOB without "kind" is a whole network.
inline constexpr const char* kJobNetwork = "network";      // the subnet `arch` selects
inline constexpr const char* kJobMbv3Block = "mbv3_block";  // one block; `arch` is an
                                                            // Mbv3BlockConfig (core/mbv3_blocks.h)

// The longest deadline a job may ask for: a week.
inline constexpr double kMaxDeadlineSeconds = 7 * 24 * 3600.0;

// One measurement job, as the broker sends it (the body of a JOB message).
struct JobSpec {
  std::string job_id;
  std::string kind = kJobNetwork;  // kJobNetwork | kJobMbv3Block
  std::string space;          // search space name, e.g. "mbv3"
  nlohmann::json arch;        // canonical JSON of the architecture
  nlohmann::json space_options = nlohmann::json::object();  // what builds the network
  std::vector<std::int64_t> input_shape;  // e.g. {1, 1, 28, 28}
  // The network as an ONNX file, for `command` backends; empty when the job
  // carries the arch only. On the wire: field "onnx", base64 of the bytes.
  std::string onnx;
  MeasureProtocol protocol;
  double deadline_seconds = 600;  // from dispatch; past it the job is a timeout
  // The precision to run at; the ONNX file is already at it (an int8 QDQ
  // file for kInt8). A runner whose device cannot run it answers
  // `unsupported`. On the wire: "precision", absent for fp32.
  Precision precision = Precision::kFp32;
  // For a runner that quantizes on the board (a command pipeline with
  // "int8_input": "fp32"): the task's calibration images, and `onnx` is then
  // the fp32 file. Only an int8 job with an ONNX file carries them. On the
  // wire: "calibration": {"shape": [n, c, h, w], "pixels": base64 of the
  // float32 values, little-endian}; (c, h, w) match input_shape's.
  std::optional<ImageBatch> calibration;

  nlohmann::json to_json() const;
  // The one typed reading of a JOB (and of a SUBMIT's job): never throws
  // anything but wire::ProtocolError, which names the field. Refuses a field
  // of the wrong JSON type, an unknown kind or precision, a deadline outside
  // (0, kMaxDeadlineSeconds], a job with neither arch nor ONNX, and
  // calibration images on a job that is not int8, or in another shape.
  static JobSpec from_json(const nlohmann::json& j);
};

// A job's outcome, the body of a RESULT message.
struct JobResult {
  std::string job_id;
  wire::JobStatus status = wire::JobStatus::kError;
  std::string message;  // why, when not ok
  std::optional<LatencyStats> latency;
  std::optional<EnergyStats> energy;
  std::string runner_id;  // the runner that ran it; "" in a result the broker wrote
  // How long the runner sat idle before this job (the farm's dispatch gap);
  // absent for a runner's first job.
  std::optional<double> runner_idle_ms;
  // Free-form facts of the backend: threads, clocks, temperatures, tool
  // output..., and from the runner itself "started_at" and "finished_at",
  // the job's start and end in Unix seconds on the board's clock.
  nlohmann::json environment = nlohmann::json::object();

  nlohmann::json to_json() const;
  static JobResult from_json(const nlohmann::json& j);
};

}  // namespace nas
