#include <cstdio>

#include "cli/commands.h"
#include "cli/wiring.h"
#include "core/config.h"

namespace nas::cli {

int validate_command(const std::string& config_path) {
  const RunConfig config = load_config(config_path);
  const RunPieces pieces = wire_run(config);  // metric names need the evaluator
  std::printf("%s: ok (%s search over %s, %zu objective%s, budget %lld, store %s)\n",
              config_path.c_str(), config.search.strategy.c_str(), pieces.space.name().c_str(),
              config.objectives.size(), config.objectives.size() == 1 ? "" : "s",
              static_cast<long long>(config.search.budget), config.store.c_str());
  return 0;
}

}  // namespace nas::cli
