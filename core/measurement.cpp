#include "core/measurement.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/errors.h"
#include "core/hash.h"
#include "core/supernet_options.h"

namespace nas {
namespace {

template <typename T>
T field(const nlohmann::json& j, const char* name, T fallback, T min, T max) {
  auto it = j.find(name);
  if (it == j.end()) return fallback;
  if (!it->is_number() || (std::is_integral<T>::value && !it->is_number_integer())) {
    throw Error(std::string("measurement protocol: '") + name + "' must be a number");
  }
  const T v = it->get<T>();
  if (v < min || v > max) {
    throw Error(std::string("measurement protocol: '") + name + "' is out of range");
  }
  return v;
}

double percentile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

nlohmann::json MeasureProtocol::to_json() const {
  return {{"batch_size", batch_size},   {"threads", threads},   {"warmup_runs", warmup_runs},
          {"warmup_seconds", warmup_seconds}, {"repeats", repeats}, {"min_seconds", min_seconds},
          {"energy", energy}};
}

MeasureProtocol MeasureProtocol::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("measurement protocol: expected a JSON object");
  MeasureProtocol p;
  p.batch_size = field(j, "batch_size", p.batch_size, 1, 1 << 16);
  p.threads = field(j, "threads", p.threads, 0, 1024);
  p.warmup_runs = field(j, "warmup_runs", p.warmup_runs, 0, 1000000);
  p.warmup_seconds = field(j, "warmup_seconds", p.warmup_seconds, 0.0, 3600.0);
  p.repeats = field(j, "repeats", p.repeats, 1, 10000000);
  p.min_seconds = field(j, "min_seconds", p.min_seconds, 0.0, 3600.0);
  if (auto it = j.find("energy"); it != j.end()) {
    if (!it->is_boolean()) throw Error("measurement protocol: 'energy' must be true or false");
    p.energy = it->get<bool>();
  }
  return p;
}

std::string MeasureProtocol::key() const { return stable_hash_hex(to_json().dump()); }

nlohmann::json LatencyStats::to_json() const {
  return {{"median_ms", median_ms}, {"p90_ms", p90_ms},  {"mean_ms", mean_ms},
          {"std_ms", std_ms},       {"min_ms", min_ms},  {"samples_ms", samples_ms},
          {"batch_size", batch_size}};
}

LatencyStats LatencyStats::from_json(const nlohmann::json& j) {
  try {
    LatencyStats s;
    s.median_ms = j.at("median_ms").get<double>();
    s.p90_ms = j.at("p90_ms").get<double>();
    s.mean_ms = j.at("mean_ms").get<double>();
    s.std_ms = j.at("std_ms").get<double>();
    s.min_ms = j.at("min_ms").get<double>();
    s.samples_ms = j.value("samples_ms", std::vector<double>{});
    s.batch_size = j.value("batch_size", 1);
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("latency statistics: ") + e.what());
  }
}

LatencyStats summarize_latency(std::vector<double> samples_ms, int batch_size) {
  if (samples_ms.empty()) throw Error("latency statistics of no samples");
  LatencyStats s;
  s.batch_size = batch_size;
  std::vector<double> sorted = samples_ms;
  std::sort(sorted.begin(), sorted.end());
  s.median_ms = percentile(sorted, 0.5);
  s.p90_ms = percentile(sorted, 0.9);
  s.min_ms = sorted.front();
  const double n = static_cast<double>(sorted.size());
  s.mean_ms = std::accumulate(sorted.begin(), sorted.end(), 0.0) / n;
  double squares = 0;
  for (double v : sorted) squares += (v - s.mean_ms) * (v - s.mean_ms);
  s.std_ms = sorted.size() > 1 ? std::sqrt(squares / (n - 1)) : 0;
  s.samples_ms = std::move(samples_ms);
  return s;
}

nlohmann::json EnergyStats::to_json() const {
  return {{"joules_per_inference", joules_per_inference},
          {"gross_joules_per_inference", gross_joules_per_inference},
          {"idle_watts", idle_watts},
          {"active_watts", active_watts},
          {"seconds", seconds},
          {"runs", runs},
          {"samples", samples},
          {"meter", meter}};
}

EnergyStats EnergyStats::from_json(const nlohmann::json& j) {
  try {
    EnergyStats e;
    e.joules_per_inference = j.at("joules_per_inference").get<double>();
    e.gross_joules_per_inference = j.at("gross_joules_per_inference").get<double>();
    e.idle_watts = j.at("idle_watts").get<double>();
    e.active_watts = j.at("active_watts").get<double>();
    e.seconds = j.at("seconds").get<double>();
    e.runs = j.at("runs").get<std::int64_t>();
    e.samples = j.at("samples").get<std::int64_t>();
    e.meter = j.at("meter").get<std::string>();
    return e;
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("energy statistics: ") + e.what());
  }
}

MeasureProtocol MeasureProtocol::from_options(const LatencyOptions& latency) {
  MeasureProtocol protocol;
  protocol.batch_size = static_cast<int>(latency.batch);
  protocol.threads = static_cast<int>(latency.threads);
  protocol.warmup_runs = static_cast<int>(latency.warmup);
  protocol.warmup_seconds = latency.warmup_ms / 1000.0;
  protocol.repeats = static_cast<int>(latency.repeats);
  return protocol;
}

MeasurementRecord MeasurementRecord::of(const LatencyStats& latency, const EnergyStats* energy,
                                        const std::string& device, const MeasureProtocol& protocol) {
  MeasurementRecord m;
  m.device = device;
  m.protocol = protocol.key();
  m.batch = latency.batch_size;
  m.threads = protocol.threads;
  m.median_ms = latency.median_ms;
  m.p90_ms = latency.p90_ms;
  m.mean_ms = latency.mean_ms;
  m.std_ms = latency.std_ms;
  m.min_ms = latency.min_ms;
  m.samples_ms = latency.samples_ms;
  if (energy) {
    m.energy_mj = energy->millijoules_per_inference();
    m.idle_watts = energy->idle_watts;
    m.active_watts = energy->active_watts;
  }
  return m;
}

bool MeasurementRecord::reported(const std::string& field) const {
  const auto tool = environment.find("tool");
  if (tool == environment.end() || !tool->is_object()) return true;
  const auto missing = tool->find("missing");
  if (missing == tool->end() || !missing->is_array()) return true;
  return std::find(missing->begin(), missing->end(), field) == missing->end();
}

}  // namespace nas
