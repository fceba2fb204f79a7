// What the dashboard draws of a run beyond its summary and front: every
// candidate queried so far with the hypervolume they reach, the supernet
// training's progress, and one architecture's values. JSON drawn from a
// fitness store; read-only, like run_view.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "results/store.h"

namespace nas {

// Every architecture the run queried, in query order, and the hypervolume
// of the first k of them against k:
//   {"run", "objectives": [{"metric", "goal"}],
//    "candidates": [{"arch_id", "values": {metric: number | null}, "feasible"}],
//    "hypervolume": {"reference": [number per objective, in its own sense],
//                    "points": [[k, hv], ...]}}
// Values are the ones tables show (predictions left out). A candidate is
// feasible when it has every objective and meets every constraint. The
// reference point lies 10% beyond the worst value of each objective among
// the feasible candidates (search/hypervolume.h computes the volume); null
// while there is none. Absent for an unknown run id.
std::optional<nlohmann::json> candidates_json(const Store& store, std::int64_t run_id);

// The supernet training's progress:
//   {"run", "status", "training": true while it goes on,
//    "reports": [{"epoch", "step", "images_done", "loss", "loss_largest",
//                 "loss_smallest", "learning_rate", "images_per_second"}],
//    "epochs": [{"epoch", "loss", "val_acc_largest", "val_acc_smallest", ...}],
//    "latest": the last report or null, "eta_seconds": number | null}
// Reports are thinned to at most about 400, the last always kept. The ETA
// is the images left over the latest images/s, while training goes on.
// Absent for an unknown run id.
std::optional<nlohmann::json> training_json(const Store& store, std::int64_t run_id);

// One stored architecture: {"arch_id", "space", "architecture" (canonical
// JSON), "macs", "params", "values": [{"metric", "value", "source", "device",
// "fidelity", "note"}]}. Absent for an unknown id.
std::optional<nlohmann::json> arch_values_json(const Store& store, const std::string& arch_id);

}  // namespace nas
