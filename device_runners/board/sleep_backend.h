// A synthetic backend that measures nothing: each "inference" sleeps a fixed
// time. It exists to test and benchmark the farm itself (dispatch, heartbeats,
// failure handling); its results say `"synthetic": true` in their environment
// so that no one mistakes them for a device measurement.
#pragma once

#include "device_runners/board/backend.h"

namespace nas {

class SleepBackend : public Backend {
 public:
  // Each job sleeps `job_seconds` in total (not per run), in slices of at
  // most 50 ms: cancellation (deadlines are seconds) is noticed within one
  // slice, and 64 runners on 2 cores do not spend the CPU on waking up (2 ms
  // slices made 52,000 context switches a second in bench_farm_dispatch).
  explicit SleepBackend(double job_seconds) : job_seconds_(job_seconds) {}

  std::string name() const override { return "sleep"; }
  nlohmann::json capabilities() const override;
  JobResult measure(const JobSpec& job, PowerMeter* meter,
                    const std::function<bool()>& cancelled) override;

 private:
  double job_seconds_;
};

}  // namespace nas
