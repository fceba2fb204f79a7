#include "core/time_runs.h"

#include <chrono>

namespace nas {

std::optional<LatencyStats> time_runs(const std::function<void()>& run_once,
                                      const MeasureProtocol& protocol,
                                      const std::function<bool()>& cancelled) {
  using Clock = std::chrono::steady_clock;
  const auto seconds_since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  const auto warmup_start = Clock::now();
  for (int i = 0; i < protocol.warmup_runs || seconds_since(warmup_start) < protocol.warmup_seconds;
       ++i) {
    if (cancelled()) return std::nullopt;
    run_once();
  }
  std::vector<double> samples;
  samples.reserve(static_cast<std::size_t>(protocol.repeats));
  const auto timed_start = Clock::now();
  while (static_cast<int>(samples.size()) < protocol.repeats ||
         seconds_since(timed_start) < protocol.min_seconds) {
    if (cancelled()) return std::nullopt;
    const auto start = Clock::now();
    run_once();
    samples.push_back(seconds_since(start) * 1e3);
  }
  return summarize_latency(std::move(samples), protocol.batch_size);
}

}  // namespace nas
