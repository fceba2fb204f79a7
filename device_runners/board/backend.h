// A runner's measuring backend: how one job's network is run on the board.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "device_runners/wire/job.h"

namespace nas {

class PowerMeter;

// Raised by a backend for a job it cannot run (an ONNX-only backend sent an
// arch, an op the device lacks): the RESULT status is `unsupported`.
class UnsupportedJob : public Error {
 public:
  using Error::Error;
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string name() const = 0;

  // What this backend accepts, sent in HELLO: {"accepts": ["arch"]} or
  // {"accepts": ["onnx"]}, plus backend details.
  virtual nlohmann::json capabilities() const = 0;

  // Measures `job`. `meter` may be null (no energy). `cancelled` turns true
  // when the job's deadline passes or the runner is stopping; a backend polls
  // it between runs and returns promptly. Throws UnsupportedJob or
  // nas::Error; the runner turns those into RESULT statuses.
  virtual JobResult measure(const JobSpec& job, PowerMeter* meter,
                            const std::function<bool()>& cancelled) = 0;
};

}  // namespace nas
