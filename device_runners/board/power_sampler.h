// A thread that reads a PowerMeter at a fixed rate and keeps the readings,
// and the arithmetic on those readings. measure_energy() and the `command`
// backend sample the meter this way.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace nas {

class PowerMeter;

struct PowerSample {
  std::chrono::steady_clock::time_point time;
  double watts = 0;
  // For a meter that reads the mean power since its previous read: when
  // that interval began (the previous read). Equal to `time` otherwise.
  std::chrono::steady_clock::time_point begin = time;
};

// Starts reading `meter` at once and then every 1/hz seconds (a read that
// takes longer than the period is followed by the next one at once). A
// reading of nullopt (a meter that primes its counter, a serial meter that
// did not answer once) is skipped. Move-only by construction (owns a thread);
// the destructor stops and joins. REQUIRES: `meter` outlives the sampler and
// is used by no other thread meanwhile; hz > 0.
class PowerSampler {
 public:
  PowerSampler(PowerMeter& meter, double hz);
  ~PowerSampler();
  PowerSampler(const PowerSampler&) = delete;
  PowerSampler& operator=(const PowerSampler&) = delete;

  // Readings taken so far. Rethrows the meter's exception once a read has
  // failed, so that a loop waiting for readings does not wait forever.
  std::size_t count() const;

  // Stops the thread and returns every reading in time order. Rethrows the
  // meter's exception if a read failed (the thread stops at the first one).
  std::vector<PowerSample> stop();

 private:
  void loop();

  PowerMeter& meter_;
  const std::chrono::steady_clock::duration period_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<PowerSample> samples_;  // guarded by mutex_
  std::exception_ptr error_;          // guarded by mutex_
  bool stopping_ = false;             // guarded by mutex_
  std::thread thread_;                // started last: uses the members above
};

// Mean power of the readings, nullopt for none. Instantaneous readings: the
// trapezoid integral over the span from the first to the last reading,
// divided by that span (the reading itself for a single one). Interval means
// (begin < time): the sum of each reading times its interval, divided by the
// span they cover. When a window is given, only readings with
// begin <= time <= end count.
std::optional<double> mean_watts(const std::vector<PowerSample>& samples);
std::optional<double> mean_watts(const std::vector<PowerSample>& samples,
                                 std::chrono::steady_clock::time_point begin,
                                 std::chrono::steady_clock::time_point end);

// Trapezoid integral of power over time, in joules, between the first and
// last reading. 0 for fewer than two readings.
double trapezoid_joules(const std::vector<PowerSample>& samples);

}  // namespace nas
