#include <CLI/CLI.hpp>
#include <memory>
#include <cstdio>

#include "cli/commands.h"
#include "cli/subcommand.h"
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

Subcommand add_validate_command(CLI::App& nas) {
  auto config_path = std::make_shared<std::string>();
  CLI::App* app = nas.add_subcommand("validate", "Check a configuration without running it");
  app->add_option("config", *config_path, "Run configuration (JSON)")->required();
  return {app, [config_path] { return validate_command(*config_path); }};
}

}  // namespace nas::cli
