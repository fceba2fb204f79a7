// What the dashboard's view tests store: an NB201 run with an accuracy and a
// constrained latency objective, and values to journal for its candidates.
#pragma once

#include <string>

#include "core/evaluation.h"
#include "core/search_space.h"
#include "results/store.h"

namespace nas::test {

// Name "view", two objectives, raspi4_ms <= 30, random search.
inline const char* kViewConfig = R"({
  "name": "view", "seed": 4,
  "space": {"type": "nb201"},
  "evaluator": {"type": "tabular", "table": "nb201"},
  "objectives": [{"metric": "cifar10_test_acc", "goal": "maximize"},
                 {"metric": "raspi4_ms", "goal": "minimize"}],
  "constraints": ["raspi4_ms <= 30"],
  "search": {"strategy": "random", "budget": 50}
})";

// A value of `metric` from `source` (a predictor's fidelity is "gp", any
// other "nb201").
inline Evaluation view_value(const std::string& metric, double v,
                             Source source = Source::kTabular) {
  Evaluation e;
  e.key.metric = metric;
  e.key.source = source;
  e.key.fidelity = source == Source::kPredicted ? "gp" : "nb201";
  e.value = v;
  return e;
}

// The i-th of 25 distinct NB201 cells.
inline Arch view_arch(int i) { return Arch{{i % 5, (i / 5) % 5, 1, 2, 3, 4}}; }

// A run "view" started with `config`.
inline RunInfo view_run(const std::string& config = kViewConfig) {
  RunInfo r;
  r.name = "view";
  r.config_json = config;
  r.config_hash = "h";
  r.code_version = "test";
  r.seed = 4;
  r.strategy = "random";
  return r;
}

}  // namespace nas::test
