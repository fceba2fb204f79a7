// What the dashboard shows of a run, as JSON drawn from a fitness store:
// the runs, one run's summary and progress, and its front. Read-only: every
// function only reads through the Store it is given.
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "results/store.h"

namespace nas {

// {"store": path, "runs": [run_json of each run, oldest first]}.
nlohmann::json runs_json(const Store& store);

// One run: its summary (id, name, status, strategy, seed, code version,
// config hash, times), its objectives ({"metric", "goal", "kind"}, the kind
// as core/metric.h names it) and constraints from the stored
// configuration, and "progress": steps, queries of the budget, evaluator
// calls, cache hits, hit rate, sessions and wall time. A configuration this
// build cannot read leaves objectives empty and says why in "note".
// Absent for an unknown run id.
std::optional<nlohmann::json> run_json(const Store& store, std::int64_t run_id);

// The run's front, best first by the first objective:
//   {"run", "status", "objectives", "provisional", "front": [{"position",
//    "arch_id", "label", "values": {metric: {"value", "source", "device",
//    "fidelity", "note"}}}]}
// A finished run's front is the one it stored. While the run is still going
// and has stored none, the front is the provisional one drawn from what it
// has queried so far: the feasible candidates with every objective valued
// (predictions left out), none dominated by another; "provisional" says
// which. Absent for an unknown run id.
std::optional<nlohmann::json> front_json(const Store& store, std::int64_t run_id);

}  // namespace nas
