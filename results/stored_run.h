// A stored run read back: its configuration and search space, rebuilt from
// the document the run stored. Reports, the dashboard, `nas export` and
// `nas predictor` all re-read a run through load_run, so a damaged or
// foreign configuration fails the same way everywhere.
#pragma once

#include <cstdint>
#include <string>

#include "core/config.h"
#include "core/errors.h"
#include "core/search_space.h"
#include "results/store.h"

namespace nas {

struct StoredRun {
  std::int64_t id = 0;
  RunConfig config;
  SearchSpace space;  // built from config.space
};

// The stored configuration of a run cannot be used by this build. what() is
// "store <path>, run <id>: <problem>"; problem() is the part after the
// colon, for views that already name the store and run:
//   "stored configuration is not valid JSON: ..." (nesting beyond
//     kMaxJsonDepth included, core/json_parse.h)
//   "stored configuration cannot be read by this build: ..."
class StoredRunError : public Error {
 public:
  StoredRunError(const std::string& store_path, std::int64_t run_id, std::string problem)
      : Error("store " + store_path + ", run " + std::to_string(run_id) + ": " + problem),
        problem_(std::move(problem)) {}
  const std::string& problem() const { return problem_; }

 private:
  std::string problem_;
};

// Parses and validates run `run_id`'s stored configuration (a document
// without a "name" takes the run's) and builds its space. Reads only.
// Throws UsageError "store <path>: no run with id N" for an unknown run and
// StoredRunError when the configuration cannot be parsed, validated or
// turned into a space.
StoredRun load_run(const Store& store, std::int64_t run_id);

}  // namespace nas
