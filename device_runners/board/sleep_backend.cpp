#include "device_runners/board/sleep_backend.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace nas {

nlohmann::json SleepBackend::capabilities() const {
  return {{"accepts", {"arch", "onnx"}},
          {"synthetic", true},
          {"job_seconds", job_seconds_},
          {"precisions", {"fp32", "fp16", "int8"}}};
}

JobResult SleepBackend::measure(const JobSpec& job, PowerMeter* /*meter*/,
                                const std::function<bool()>& cancelled) {
  using Clock = std::chrono::steady_clock;
  JobResult r;
  r.job_id = job.job_id;
  const auto start = Clock::now();
  const Clock::time_point end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(job_seconds_));
  while (Clock::now() < end) {
    if (cancelled()) {
      r.status = wire::JobStatus::kTimeout;
      r.message = "cancelled at the job's deadline";
      return r;
    }
    const auto left = end - Clock::now();
    std::this_thread::sleep_for(std::min<Clock::duration>(left, std::chrono::milliseconds(50)));
  }
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  r.status = wire::JobStatus::kOk;
  r.latency = summarize_latency({ms}, job.protocol.batch_size);
  r.environment = {{"synthetic", true}, {"backend", "sleep"}};
  return r;
}

}  // namespace nas
