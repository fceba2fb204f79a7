// Power meters a runner reads while it measures, and the energy of a timed
// loop from their samples. A runner without a meter reports no energy:
// energy that was not measured is absent, never estimated.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/measurement.h"

namespace nas {

class PowerMeter {
 public:
  virtual ~PowerMeter() = default;

  // "rapl", "ina3221", "um25c", ...
  virtual std::string name() const = 0;

  // The board's power draw now, in watts. Meters that count energy (RAPL)
  // return the mean power since the previous call (the first call primes the
  // counter and may return nullopt). Throws nas::Error when the meter cannot
  // be read.
  virtual std::optional<double> read_watts() = 0;

  // True for meters whose reading is the mean power since the previous read
  // (energy counters such as RAPL): their readings are integrated exactly,
  // each over its own interval, rather than by the trapezoid rule.
  virtual bool reads_interval_mean() const { return false; }
};

// Builds a meter from a runner's --meter argument: "none" (returns null),
// "rapl[:POWERCAP_DIR]", "ina3221[:SYSFS_DIR]", "um25c:SERIAL_DEVICE".
// Throws nas::Error naming the argument when it is malformed or the meter's
// files or device cannot be opened.
std::unique_ptr<PowerMeter> make_power_meter(const std::string& spec);

struct EnergyOptions {
  double sample_hz = 20;           // meter reads per second (>= 10)
  double idle_seconds = 1.0;       // idle power measured before the loop
  std::int64_t min_samples = 20;   // the loop runs until at least this many
  double min_seconds = 1.0;        // ... and at least this long
};

// Measures idle power, then runs `run_once` in a loop while a sampling thread
// reads `meter` at options.sample_hz, until both min_samples and min_seconds
// are reached; integrates power over time (trapezoid rule) and returns net
// and gross energy per inference. `cancelled` is polled between runs;
// nullopt when cancelled. Exceptions of `run_once` and of the meter propagate.
std::optional<EnergyStats> measure_energy(PowerMeter& meter, const std::function<void()>& run_once,
                                          const EnergyOptions& options,
                                          const std::function<bool()>& cancelled);

}  // namespace nas
