#include "core/metric.h"

namespace nas {
namespace {

// Removes "_<suffix>" from the end of `name` when it is there and leaves a
// non-empty rest: a bare suffix ("ms", "acc") names nothing.
bool strip_suffix(std::string& name, const std::string& suffix) {
  const std::string tail = "_" + suffix;
  if (name.size() <= tail.size() ||
      name.compare(name.size() - tail.size(), tail.size(), tail) != 0) {
    return false;
  }
  name.resize(name.size() - tail.size());
  return true;
}

}  // namespace

Metric parse_metric(const std::string& name) {
  Metric m;
  m.name = name;
  std::string rest = name;
  for (const Precision precision : {Precision::kFp32, Precision::kFp16, Precision::kInt8}) {
    if (strip_suffix(rest, to_string(precision))) {
      m.precision = precision;
      break;
    }
  }
  m.base = rest;
  if (rest == "macs" || rest == "flops") {
    m.kind = MetricKind::kCount;
  } else if (rest == "params") {
    m.kind = MetricKind::kSize;
  } else if (strip_suffix(rest, "acc")) {
    m.kind = MetricKind::kAccuracy;
  } else if (strip_suffix(rest, "ms")) {
    m.kind = MetricKind::kLatency;
    m.device = rest;
  } else if (strip_suffix(rest, "mj")) {
    m.kind = MetricKind::kEnergy;
    m.device = rest;
  } else if (strip_suffix(rest, "cpu_ops")) {
    m.kind = MetricKind::kCount;
    m.device = rest;
  } else if (strip_suffix(rest, "bytes") || strip_suffix(rest, "kib")) {
    m.kind = MetricKind::kSize;
  }
  return m;
}

const char* to_string(MetricKind kind) {
  switch (kind) {
    case MetricKind::kAccuracy: return "accuracy";
    case MetricKind::kLatency: return "latency";
    case MetricKind::kEnergy: return "energy";
    case MetricKind::kSize: return "size";
    case MetricKind::kCount: return "count";
    case MetricKind::kOther: break;
  }
  return "other";
}

const char* to_string(Precision precision) {
  switch (precision) {
    case Precision::kFp32: return "fp32";
    case Precision::kFp16: return "fp16";
    case Precision::kInt8: return "int8";
    case Precision::kUnspecified: break;
  }
  return "";
}

std::optional<Precision> precision_from_string(const std::string& name) {
  for (const Precision precision : {Precision::kFp32, Precision::kFp16, Precision::kInt8}) {
    if (name == to_string(precision)) return precision;
  }
  return std::nullopt;
}

}  // namespace nas
