#include "device_runners/board/power_meter.h"

#include <chrono>
#include <thread>

#include "core/errors.h"
#include "device_runners/board/ina3221_meter.h"
#include "device_runners/board/power_sampler.h"
#include "device_runners/board/rapl_meter.h"
#include "device_runners/board/um25c_meter.h"

namespace nas {

std::unique_ptr<PowerMeter> make_power_meter(const std::string& spec) {
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const bool has_arg = colon != std::string::npos;
  const std::string arg = has_arg ? spec.substr(colon + 1) : "";
  if (has_arg && arg.empty()) throw UsageError("--meter " + spec + ": empty path after ':'");
  if (kind == "none") {
    if (has_arg) throw UsageError("--meter " + spec + ": 'none' takes no argument");
    return nullptr;
  }
  try {
    if (kind == "rapl") return std::make_unique<RaplMeter>(has_arg ? arg : "/sys/class/powercap");
    if (kind == "ina3221") {
      return std::make_unique<Ina3221Meter>(has_arg ? std::vector<std::string>{arg}
                                                    : Ina3221Meter::find_devices("/sys"));
    }
    if (kind == "um25c") {
      if (!has_arg) throw UsageError("--meter um25c needs the serial device: um25c:/dev/rfcomm0");
      return std::make_unique<Um25cMeter>(arg);
    }
  } catch (const UsageError&) {
    throw;
  } catch (const Error& e) {
    throw Error("--meter " + spec + ": " + e.what());
  }
  throw UsageError("--meter " + spec +
                   ": unknown meter (expected none, rapl[:DIR], ina3221[:DIR] or um25c:DEVICE)");
}

std::optional<EnergyStats> measure_energy(PowerMeter& meter, const std::function<void()>& run_once,
                                          const EnergyOptions& options,
                                          const std::function<bool()>& cancelled) {
  using Clock = std::chrono::steady_clock;
  if (!(options.sample_hz >= 10)) throw Error("energy: sample_hz must be >= 10");
  if (options.min_samples < 2) throw Error("energy: min_samples must be >= 2");
  if (options.idle_seconds < 0 || options.min_seconds < 0) {
    throw Error("energy: idle_seconds and min_seconds must be >= 0");
  }

  EnergyStats stats;
  stats.meter = meter.name();

  if (options.idle_seconds > 0) {
    PowerSampler idle(meter, options.sample_hz);
    const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(options.idle_seconds));
    while (Clock::now() < until) {
      if (cancelled()) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    auto watts = mean_watts(idle.stop());
    if (!watts) throw Error("energy: meter " + meter.name() + " gave no reading while idle");
    stats.idle_watts = *watts;
  }

  std::vector<PowerSample> samples;
  std::int64_t runs = 0;
  Clock::time_point start, end;
  {
    PowerSampler sampler(meter, options.sample_hz);
    start = Clock::now();
    const auto min_duration = std::chrono::duration<double>(options.min_seconds);
    while (runs == 0 || static_cast<std::int64_t>(sampler.count()) < options.min_samples ||
           Clock::now() - start < min_duration) {
      if (cancelled()) return std::nullopt;
      run_once();
      ++runs;
    }
    end = Clock::now();
    samples = sampler.stop();
  }
  auto active = mean_watts(samples);
  if (!active) throw Error("energy: meter " + meter.name() + " gave no reading during the loop");
  stats.active_watts = *active;
  stats.seconds = std::chrono::duration<double>(end - start).count();
  stats.runs = runs;
  stats.samples = static_cast<std::int64_t>(samples.size());
  // Mean power over the sampled span (trapezoid rule) times the loop's length.
  const double joules = stats.active_watts * stats.seconds;
  stats.gross_joules_per_inference = joules / static_cast<double>(runs);
  stats.joules_per_inference =
      (joules - stats.idle_watts * stats.seconds) / static_cast<double>(runs);
  return stats;
}

}  // namespace nas
