// A synthetic backend that measures nothing: each "inference" sleeps a fixed
// time. It exists to test and benchmark the farm itself (dispatch, heartbeats,
// failure handling); its results say `"synthetic": true` in their environment
// so that no one mistakes them for a device measurement.
#pragma once

#include "device_runners/backend.h"

namespace nas {

class SleepBackend : public Backend {
 public:
  // Each job sleeps `job_seconds` in total (not per run), in slices short
  // enough to notice cancellation within a few milliseconds.
  explicit SleepBackend(double job_seconds) : job_seconds_(job_seconds) {}

  std::string name() const override { return "sleep"; }
  nlohmann::json capabilities() const override;
  JobResult measure(const JobSpec& job, PowerMeter* meter,
                    const std::function<bool()>& cancelled) override;

 private:
  double job_seconds_;
};

}  // namespace nas
