// Where nas wires concrete pieces together for a run: the space, the
// evaluator and the metric checks that need both the config and the evaluator.
#pragma once

#include <memory>
#include <vector>

#include "core/config.h"
#include "core/mbv3_space.h"
#include "core/search_space.h"
#include "device_runners/client/farm_evaluator.h"
#include "estimators/evaluator.h"
#include "estimators/screened_evaluator.h"
#include "estimators/structural_gate.h"
#include "search/strategy.h"

namespace nas {
class Supernet;
}

namespace nas::cli {

class FarmSession;

struct RunPieces {
  SearchSpace space;
  // The space the screening predictors read (declared before the evaluator,
  // which refers to it, so that it is destroyed after it); null without
  // "screening".
  std::shared_ptr<const SearchSpace> screened_space;
  std::unique_ptr<Evaluator> evaluator;
  // The "screening" wrappers inside `evaluator`, outermost last, for their
  // counts after the search.
  std::vector<const ScreenedEvaluator*> screens;
  // The run's supernet (mbv3 space), to train or load before the search;
  // null otherwise.
  std::shared_ptr<Supernet> supernet;
  // Metrics the final front is evaluated on after the search ("test_acc").
  std::vector<std::string> final_metrics;
  // The structural check outside `evaluator`, for its count after the
  // search; null for a space whose every network computes something.
  const StructuralGate* gate = nullptr;
  // The farm evaluators inside `evaluator`, to ask how many boards serve
  // each key; empty without a "farm" section.
  std::vector<FarmEvaluator*> farm_evaluators;
};

// Builds the space and evaluator of `config` and checks that every objective
// and constraint names a metric the evaluator provides. Problems are
// ConfigErrors naming the JSON path (`/objectives/1/metric: ...`).
// `farm` is the run's farm session when the config has a "farm" section: its
// embedded broker is where latency jobs go, or the configured address when it
// has none or `farm` is null (nothing is sent before the first measurement).
// REQUIRES: `farm` outlives the pieces.
RunPieces wire_run(const RunConfig& config, const FarmSession* farm = nullptr);

// What the farm evaluator of `config` (its "farm" and latency sections)
// measures the subnets of `space` (mbv3_space(layout)) with.
FarmEvaluatorOptions farm_latency_options(const RunConfig& config, const SearchSpace& space,
                                          const Mbv3Layout& layout);

// How a search reaches the farm: the session's embedded broker (whose death
// the client then notices at once), or else the config's connect or bind
// address, with its CURVE keys. REQUIRES: `farm`, if given, outlives the client.
FarmClientOptions farm_client_options(const RunConfig& config, const FarmSession* farm);

// The strategy the config names, built from whichever library holds it.
std::unique_ptr<Strategy> wire_strategy(const RunConfig& config, const SearchSpace& space);

// Candidates per step: the config's batch, or the strategy's natural one,
// made large enough to keep `boards` boards of a device key busy where the
// strategy's step can grow (random, evolution, surrogate, rl; NSGA-II asks
// one generation, its population, per step).
std::size_t batch_size(const SearchOptions& options, std::size_t boards = 0);

// The most runners the broker lists for any of the run's device keys; 0
// without a farm or when none has joined yet.
std::size_t farm_boards(const RunPieces& pieces);

}  // namespace nas::cli
