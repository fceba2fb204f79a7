// The measurement vocabulary, from the runner that measures to the store that
// keeps it: the protocol a search asks for, the latency and energy statistics
// a measurement reports, and the record the fitness store keeps of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nas {

struct LatencyOptions;

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

  // The protocol of a config's latency section (core/supernet_options.h),
  // for the farm and for in-process CPU timing alike.
  static MeasureProtocol from_options(const LatencyOptions& latency);

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
  // Throws nas::Error naming what is missing.
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

  // The net figure in the unit metrics and the store use ("<device>_mj").
  double millijoules_per_inference() const { return joules_per_inference * 1e3; }

  nlohmann::json to_json() const;
  // Throws nas::Error naming what is missing.
  static EnergyStats from_json(const nlohmann::json& j);
};

// A device measurement as the fitness store keeps it: the full statistics a
// runner reported for one (arch, device, protocol), not just the median that
// becomes the evaluation's value. Carried by Evaluation from the evaluator
// that measured to the journal that stores it in the same transaction as the
// evaluation.
struct MeasurementRecord {
  std::string device;    // device key, e.g. "raspi4"
  std::string backend;   // "torch", "command", "sleep", ... ("" if the runner did not say)
  std::string protocol;  // MeasureProtocol::key(), the evaluation's fidelity
  std::string runner;    // the runner's id ("" if unknown)
  int batch = 1;
  int threads = 0;       // intra-op threads used; 0 = the backend's default
  double median_ms = 0, p90_ms = 0, mean_ms = 0, std_ms = 0, min_ms = 0;
  // Raw samples in the order measured; empty when the tool reported only
  // summaries, and not loaded by Store::evaluations (see there).
  std::vector<double> samples_ms;
  // Absent unless a power meter measured them; never invented.
  std::optional<double> energy_mj;  // net energy per inference, millijoules
  std::optional<double> idle_watts;
  std::optional<double> active_watts;
  nlohmann::json environment = nlohmann::json::object();  // clocks, temperatures, ...
  double measured_at = 0;  // Unix seconds; 0 = when stored

  // The record of `latency` and `energy` (may be absent) as measured on
  // `device` under `protocol`; backend, runner, threads and environment are
  // left for the caller.
  static MeasurementRecord of(const LatencyStats& latency, const EnergyStats* energy,
                              const std::string& device, const MeasureProtocol& protocol);

  // Whether the tool reported `field` ("std_ms", "p90_ms", ...): a vendor
  // tool's summary may lack one, which the command backend lists in
  // environment.tool.missing and leaves 0; such a 0 is no figure to show.
  bool reported(const std::string& field) const;
};

}  // namespace nas
