#include <doctest/doctest.h>

#include "core/metric.h"

using nas::MetricKind;
using nas::parse_metric;
using nas::Precision;

TEST_CASE("accuracies are the *_acc metrics, maximised, on no device") {
  for (const char* name : {"cifar10_test_acc", "val_acc", "test_acc", "imagenet16_120_test_acc"}) {
    const nas::Metric m = parse_metric(name);
    CHECK(m.name == name);
    CHECK(m.kind == MetricKind::kAccuracy);
    CHECK(m.maximised());
    CHECK(m.device.empty());
    CHECK(m.precision == Precision::kUnspecified);
  }
  // A bare "acc", or "acc" inside another name, is not one.
  CHECK(parse_metric("acc").kind == MetricKind::kOther);
  CHECK(parse_metric("accuracy_ms").kind == MetricKind::kLatency);
  CHECK_FALSE(parse_metric("raspi4_ms").maximised());
}

TEST_CASE("latency and energy name their device, which may hold underscores") {
  const nas::Metric latency = parse_metric("samsung_a50_ms");
  CHECK(latency.kind == MetricKind::kLatency);
  CHECK(latency.device == "samsung_a50");
  CHECK_FALSE(latency.maximised());
  CHECK(parse_metric("ort-cpu_ms").device == "ort-cpu");
  CHECK(parse_metric("1080ti_32_ms").device == "1080ti_32");
  const nas::Metric energy = parse_metric("jetson_mj");
  CHECK(energy.kind == MetricKind::kEnergy);
  CHECK(energy.device == "jetson");
  // What a device's compiler leaves to its host's CPU: a count, on that device.
  const nas::Metric cpu_ops = parse_metric("coral_usb_cpu_ops_int8");
  CHECK(cpu_ops.kind == MetricKind::kCount);
  CHECK(cpu_ops.device == "coral_usb");
  CHECK(cpu_ops.base == "coral_usb_cpu_ops");
  CHECK(cpu_ops.precision == Precision::kInt8);
  CHECK(parse_metric("cpu_ops").kind == MetricKind::kOther);
  // A bare unit names no device and so no device's metric.
  CHECK(parse_metric("ms").kind == MetricKind::kOther);
  CHECK(parse_metric("ms").device.empty());
}

TEST_CASE("a trailing precision is read off before the kind") {
  const nas::Metric acc = parse_metric("test_acc_int8");
  CHECK(acc.kind == MetricKind::kAccuracy);
  CHECK(acc.precision == Precision::kInt8);
  const nas::Metric ms = parse_metric("raspi4_ms_fp16");
  CHECK(ms.kind == MetricKind::kLatency);
  CHECK(ms.device == "raspi4");
  CHECK(ms.precision == Precision::kFp16);
  CHECK(parse_metric("jetson_mj_fp32").precision == Precision::kFp32);
  CHECK(std::string(nas::to_string(Precision::kInt8)) == "int8");
  CHECK(std::string(nas::to_string(Precision::kUnspecified)).empty());
}

TEST_CASE("sizes and counts, and names of no known kind") {
  CHECK(parse_metric("params").kind == MetricKind::kSize);
  CHECK(parse_metric("peak_act_bytes").kind == MetricKind::kSize);
  const nas::Metric kib = parse_metric("model_kib_int8");
  CHECK(kib.kind == MetricKind::kSize);
  CHECK(kib.base == "model_kib");
  CHECK(kib.precision == Precision::kInt8);
  CHECK(parse_metric("macs").kind == MetricKind::kCount);
  CHECK(parse_metric("flops").kind == MetricKind::kCount);
  const nas::Metric other = parse_metric("quality");
  CHECK(other.kind == MetricKind::kOther);
  CHECK_FALSE(other.maximised());
  CHECK(std::string(nas::to_string(MetricKind::kAccuracy)) == "accuracy");
  CHECK(std::string(nas::to_string(MetricKind::kOther)) == "other");
}
