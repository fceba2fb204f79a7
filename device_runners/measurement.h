// How a runner measures: the protocol a search asks for, the statistics a
// measurement reports, and the timing loop shared by the backends that time
// inference themselves.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nas {

class PowerMeter;

// What to measure and how. Part of the cache key: an (arch, device key,
// protocol) is measured once.
struct MeasureProtocol {
  int batch_size = 1;
  int threads = 0;               // intra-op threads; 0 = the backend's default
  int warmup_runs = 10;          // warm-up by count ...
  double warmup_seconds = 0.5;   // ... and by time: both must be reached
  int repeats = 50;              // timed runs, at least
  double min_seconds = 0;        // keep timing until at least this long
  bool energy = true;            // measure energy when the runner has a meter

  nlohmann::json to_json() const;
  // Throws nas::Error naming the field for a malformed or out-of-range value.
  static MeasureProtocol from_json(const nlohmann::json& j);
  // Stable 16-hex-digit hash of to_json(): the evaluation's fidelity.
  std::string key() const;
};

struct LatencyStats {
  double median_ms = 0, p90_ms = 0, mean_ms = 0, std_ms = 0, min_ms = 0;
  std::vector<double> samples_ms;  // raw, in the order measured (may be empty
                                   // when a vendor tool reports only summaries)
  int batch_size = 1;

  nlohmann::json to_json() const;
  static LatencyStats from_json(const nlohmann::json& j);
};

// Statistics of `samples_ms`. REQUIRES: not empty. p90 by linear
// interpolation between order statistics; std is the sample standard
// deviation (n - 1), 0 for one sample.
LatencyStats summarize_latency(std::vector<double> samples_ms, int batch_size);

// Energy of one inference, from a meter sampled while a timed loop ran.
struct EnergyStats {
  double joules_per_inference = 0;        // net: (energy - idle power x time) / runs
  double gross_joules_per_inference = 0;  // energy / runs
  double idle_watts = 0;
  double active_watts = 0;                // mean power while the loop ran
  double seconds = 0;                     // length of the sampled loop
  std::int64_t runs = 0;                  // inferences in that loop
  std::int64_t samples = 0;               // meter readings taken
  std::string meter;                      // which meter, e.g. "rapl", "ina3221"

  nlohmann::json to_json() const;
  static EnergyStats from_json(const nlohmann::json& j);
};

// Warms up `run_once` (protocol.warmup_runs and warmup_seconds), then times
// protocol.repeats runs (and more until min_seconds) one by one with a
// steady clock. `cancelled` is polled between runs; when it returns true the
// loop stops and nullopt is returned. Exceptions of `run_once` propagate.
std::optional<LatencyStats> time_runs(const std::function<void()>& run_once,
                                      const MeasureProtocol& protocol,
                                      const std::function<bool()>& cancelled);

}  // namespace nas
