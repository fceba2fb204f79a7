// The JSON form of what identifies a run, shared by `nas report --format json`
// and the dashboard's API so that both name a run's fields alike.
#pragma once

#include <nlohmann/json.hpp>

#include "results/store.h"

namespace nas {

// id, name, status, strategy, seed, code_version, config_hash, created_at and
// finished_at (null while the run is running). Counters are left to callers,
// which group them differently.
nlohmann::json run_identity_json(const RunSummary& summary);

}  // namespace nas
