#include "results/stored_run.h"

#include <nlohmann/json.hpp>

#include "core/json_parse.h"
#include "core/space_registry.h"

namespace nas {

StoredRun load_run(const Store& store, std::int64_t run_id) {
  const std::optional<RunSummary> summary = store.run(run_id);
  if (!summary) {
    throw UsageError("store " + store.path() + ": no run with id " + std::to_string(run_id));
  }
  const std::string text = store.run_config(run_id);
  nlohmann::json document;
  try {
    document = parse_json(text);
  } catch (const JsonParseError& e) {
    throw StoredRunError(store.path(), run_id,
                         std::string("stored configuration is not valid JSON: ") + e.what());
  }
  try {
    RunConfig config = parse_config(document, summary->name);
    SearchSpace space = make_space(config.space);
    return StoredRun{run_id, std::move(config), std::move(space)};
  } catch (const nlohmann::json::exception& e) {
    // A document of the wrong shape that a check let through.
    throw StoredRunError(store.path(), run_id,
                         std::string("stored configuration cannot be read by this build: ") +
                             e.what());
  } catch (const Error& e) {
    // Most often a run written by another build version.
    throw StoredRunError(store.path(), run_id,
                         std::string("stored configuration cannot be read by this build: ") +
                             e.what());
  }
}

}  // namespace nas
