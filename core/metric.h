// What a metric's name says about it, parsed in one place. nas names its
// metrics by convention:
//   "<...>_acc"     an accuracy ("cifar10_test_acc" in percent from the
//                   NB201 table, "val_acc" and "test_acc" from the supernet,
//                   as fractions); maximised
//   "<device>_ms"   latency on a device, in milliseconds ("raspi4_ms",
//                   "samsung_a50_ms": the device key is everything before)
//   "<device>_mj"   energy per inference on a device, in millijoules
//   "params", "<...>_bytes", "<...>_kib"   size of the network
//   "macs", "flops"           operations per inference
//   "<device>_cpu_ops"        operations a device's compiler leaves to its
//                             host's CPU ("coral_cpu_ops_int8": the Edge TPU
//                             compiler's report)
// and may end in a precision: "test_acc_int8", "raspi4_ms_fp16". A name
// that fits none of these (a bare "acc" or "ms" among them) is kOther,
// minimised, on no device.
#pragma once

#include <optional>
#include <string>

namespace nas {

enum class MetricKind { kAccuracy, kLatency, kEnergy, kSize, kCount, kOther };

enum class Precision { kUnspecified, kFp32, kFp16, kInt8 };

struct Metric {
  std::string name;  // as written
  std::string base;  // the name without its precision: "val_acc" of "val_acc_int8"
  MetricKind kind = MetricKind::kOther;
  std::string device;  // latency and energy: the device key; "" otherwise
  Precision precision = Precision::kUnspecified;

  // Whether larger values are better: accuracies only.
  bool maximised() const { return kind == MetricKind::kAccuracy; }
};

// Never throws: every name is a metric, most of them of a known kind.
Metric parse_metric(const std::string& name);

// "accuracy", "latency", "energy", "size", "count", "other".
const char* to_string(MetricKind kind);

// "", "fp32", "fp16", "int8".
const char* to_string(Precision precision);
// The precision a name ("fp32", "fp16", "int8") says; nullopt for any other.
std::optional<Precision> precision_from_string(const std::string& name);

}  // namespace nas
