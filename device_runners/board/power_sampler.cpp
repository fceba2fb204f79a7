#include "device_runners/board/power_sampler.h"

#include <algorithm>

#include "device_runners/board/power_meter.h"

namespace nas {

using Clock = std::chrono::steady_clock;

PowerSampler::PowerSampler(PowerMeter& meter, double hz)
    : meter_(meter),
      period_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / hz))),
      thread_([this] { loop(); }) {}

PowerSampler::~PowerSampler() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t PowerSampler::count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (error_) std::rethrow_exception(error_);
  return samples_.size();
}

std::vector<PowerSample> PowerSampler::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  if (error_) std::rethrow_exception(error_);
  return samples_;
}

void PowerSampler::loop() {
  auto next = Clock::now();
  const bool interval_means = meter_.reads_interval_mean();
  std::optional<Clock::time_point> previous_read;
  for (;;) {
    std::optional<double> watts;
    try {
      watts = meter_.read_watts();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      error_ = std::current_exception();
      return;
    }
    const auto now = Clock::now();
    std::unique_lock<std::mutex> lock(mutex_);
    if (watts) {
      const auto begin = interval_means && previous_read ? *previous_read : now;
      samples_.push_back({now, *watts, begin});
    }
    previous_read = now;
    next += period_;
    if (next < now) next = now;  // a slow meter: read again at once
    if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
  }
}

double trapezoid_joules(const std::vector<PowerSample>& samples) {
  double joules = 0;
  for (std::size_t i = 1; i < samples.size(); ++i) {
    const double dt = std::chrono::duration<double>(samples[i].time - samples[i - 1].time).count();
    joules += 0.5 * (samples[i].watts + samples[i - 1].watts) * dt;
  }
  return joules;
}

std::optional<double> mean_watts(const std::vector<PowerSample>& samples) {
  if (samples.empty()) return std::nullopt;
  const bool interval_means = std::all_of(samples.begin(), samples.end(),
                                          [](const PowerSample& s) { return s.begin < s.time; });
  if (interval_means) {
    double joules = 0;
    for (const auto& s : samples) {
      joules += s.watts * std::chrono::duration<double>(s.time - s.begin).count();
    }
    const double covered =
        std::chrono::duration<double>(samples.back().time - samples.front().begin).count();
    return joules / covered;
  }
  const double span =
      std::chrono::duration<double>(samples.back().time - samples.front().time).count();
  if (samples.size() == 1 || span <= 0) {
    double sum = 0;
    for (const auto& s : samples) sum += s.watts;
    return sum / static_cast<double>(samples.size());
  }
  return trapezoid_joules(samples) / span;
}

std::optional<double> mean_watts(const std::vector<PowerSample>& samples, Clock::time_point begin,
                                 Clock::time_point end) {
  std::vector<PowerSample> inside;
  for (const auto& s : samples) {
    if (s.time >= begin && s.time <= end) inside.push_back(s);
  }
  return mean_watts(inside);
}

}  // namespace nas
