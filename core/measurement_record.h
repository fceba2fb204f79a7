// A device measurement as the fitness store keeps it: the full statistics a
// runner reported for one (arch, device, protocol), not just the median that
// becomes the evaluation's value. Carried by Evaluation from the evaluator
// that measured (device_runners' FarmEvaluator) to the journal that stores it
// in the same transaction as the evaluation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nas {

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
};

}  // namespace nas
