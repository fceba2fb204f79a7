// The timing loop shared by everything that times inference itself: the
// runners' torch and sleep backends and the in-process CPU latency.
#pragma once

#include <functional>
#include <optional>

#include "core/measurement.h"

namespace nas {

// Warms up `run_once` (protocol.warmup_runs and warmup_seconds), then times
// protocol.repeats runs (and more until min_seconds) one by one with a
// steady clock. `cancelled` is polled between runs; when it returns true the
// loop stops and nullopt is returned. Exceptions of `run_once` propagate.
std::optional<LatencyStats> time_runs(const std::function<void()>& run_once,
                                      const MeasureProtocol& protocol,
                                      const std::function<bool()>& cancelled);

}  // namespace nas
