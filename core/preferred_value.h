// Which of an architecture's stored values stands for a metric.
#pragma once

#include <string>
#include <vector>

#include "core/evaluation.h"

namespace nas {

// When several sources have a value of `metric`: a usable value first, then
// values taken on the device (measured, tabular), analytic ones, and
// estimates last. nullptr when there is none. Reports and the dashboard
// show what this picks. A fine-tuned accuracy is never picked: it belongs
// to other weights than those the search scored, so only a column that asks
// for it (fine_tuned_value) shows it.
const Evaluation* preferred_value(const std::vector<Evaluation>& evaluations,
                                  const std::string& metric);

// The latest fine-tuned value of `metric` (evaluations oldest first, as the
// store returns them); nullptr when the architecture was never fine-tuned.
const Evaluation* fine_tuned_value(const std::vector<Evaluation>& evaluations,
                                   const std::string& metric);

}  // namespace nas
