// Which of an architecture's stored values stands for a metric.
#pragma once

#include <string>
#include <vector>

#include "core/evaluation.h"

namespace nas {

// When several sources have a value of `metric`: a usable value first, then
// values taken on the device (measured, tabular), analytic ones, and
// estimates last. nullptr when there is none. Reports and the dashboard
// show what this picks.
const Evaluation* preferred_value(const std::vector<Evaluation>& evaluations,
                                  const std::string& metric);

}  // namespace nas
