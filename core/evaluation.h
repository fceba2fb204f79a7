// One metric's value for one architecture, with where it came from.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/measurement.h"

namespace nas {

// Where a value came from. Reports print it beside every number, and only
// kMeasured and kTabular values (both taken on the real device) enter a
// reported front.
enum class Source {
  kMeasured,   // a runner measured it on the device
  kPredicted,  // a model predicted it; always labelled as predicted
  kSupernet,   // accuracy with weights inherited from the supernet
  kTabular,    // read from a tabular benchmark of real measurements
  kAnalytic,   // computed from the architecture (MACs, params)
  // accuracy of a subnet trained on its own after the search (`nas
  // finetune`); the fidelity names the fine-tune. Never an objective's value.
  kFinetuned,
};

const char* to_string(Source source);
// Throws nas::Error for an unknown name.
Source source_from_string(const std::string& name);

// Identifies a value independently of the architecture: the cache key of an
// evaluation is (arch id, metric, source, device, fidelity).
struct EvaluationKey {
  std::string metric;    // "cifar10_test_acc", "raspi4_ms", ...
  Source source = Source::kTabular;
  std::string device;    // the device a latency or energy belongs to; "" if none
  std::string fidelity;  // table name, checkpoint id or measuring protocol
  bool operator==(const EvaluationKey& o) const {
    return metric == o.metric && source == o.source && device == o.device &&
           fidelity == o.fidelity;
  }
};

struct Evaluation {
  EvaluationKey key;
  // Absent when the value cannot be used; `note` then says why (a degenerate
  // table entry, a missing value, a failed measurement).
  std::optional<double> value;
  std::string note;
  // The full measurement behind a measured value, when the evaluator has one
  // (the farm). Shared: a job's latency and energy evaluations carry the same
  // record, which the journal stores once.
  std::shared_ptr<const MeasurementRecord> measurement;
};

}  // namespace nas
