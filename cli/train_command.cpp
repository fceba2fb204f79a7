// `nas train CONFIG`: trains the configuration's supernet and stops (no
// search). With --rank/--world-size/--master, or torchrun's variables, it is
// one rank of a data-parallel training that may span machines; rank 0 writes
// the checkpoint that `nas run CONFIG` then loads.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/subcommand.h"
#include "cli/training_ranks.h"
#include "core/config.h"
#include "core/errors.h"
#include "supernet/supernet.h"

namespace nas::cli {
namespace {

// The rank the options name, else the one the environment names, else none.
std::optional<TrainingRank> named_rank(const TrainCommand& command) {
  if (!command.world_size) {
    if (command.rank || !command.master.empty()) {
      throw UsageError("--rank and --master need --world-size");
    }
    return training_rank_from_environment();
  }
  TrainingRank rank;
  rank.world_size = *command.world_size;
  rank.rank = command.rank.value_or(0);
  if (rank.rank < 0 || rank.rank >= rank.world_size) {
    throw UsageError("--rank " + std::to_string(rank.rank) + ": must be in [0, " +
                     std::to_string(rank.world_size) + ")");
  }
  if (command.master.empty()) {
    const auto environment = training_rank_from_environment();
    if (!environment) throw UsageError("--world-size needs --master HOST:PORT (or MASTER_ADDR and MASTER_PORT with WORLD_SIZE)");
    rank.master_addr = environment->master_addr;
    rank.master_port = environment->master_port;
  } else {
    parse_master_address(command.master, rank);
  }
  return rank;
}

}  // namespace

int train_command(const TrainCommand& command) {
  const RunConfig config = load_config(command.config_path);
  if (!config.supernet.enabled) {
    throw UsageError(command.config_path + ": its space (" + config.space.type +
                     ") has no supernet to train");
  }
  TrainingRanks ranks(config.supernet.training, command.config_path, named_rank(command),
                      "start every rank again to resume from the last checkpoint");
  const bool rank0 = ranks.rank().rank == 0;
  if (!rank0) {
    // Rank 0 speaks for the training; the others only report their errors.
    spdlog::set_pattern("%^[%H:%M:%S %l]%$ rank " + std::to_string(ranks.rank().rank) + ": %v");
    spdlog::set_level(spdlog::level::warn);
  }
  std::unique_ptr<Supernet> supernet;
  try {
    supernet = std::make_unique<Supernet>(config.space.mbv3, config.supernet, config.seed);
  } catch (const Error& e) {
    throw ConfigError("/supernet/data", e.what());
  }
  log_training_start(*supernet, ranks.rank());
  Progress progress("images", supernet->training_images_total(),
                    rank0 && !command.quiet && !supernet->trained());
  std::function<void(const TrainProgress&)> report;
  if (rank0) report = [&](const TrainProgress& p) { progress.update(p.images_done, p.images_resumed); };
  const TrainSummary summary = ranks.train(*supernet, report);
  progress.finish();
  log_training_end(*supernet, summary);
  return 0;
}

Subcommand add_train_command(CLI::App& nas) {
  auto command = std::make_shared<TrainCommand>();
  CLI::App* app = nas.add_subcommand(
      "train", "Train the configuration's supernet only; one rank of a multi-process training");
  app->add_option("config", command->config_path, "Run configuration (JSON)")->required();
  app->add_option("--rank", command->rank, "This process's rank (default: RANK, or 0)");
  app->add_option("--world-size", command->world_size,
                  "Ranks in all (default: WORLD_SIZE; without either, /supernet/training/processes local ranks)")
      ->check(CLI::Range(1, 65536));
  app->add_option("--master", command->master,
                  "HOST:PORT of the rendezvous that rank 0 hosts (default: MASTER_ADDR:MASTER_PORT)");
  app->add_flag("-q,--quiet", command->quiet, "No progress line");
  return {app, [command] { return train_command(*command); }};
}

}  // namespace nas::cli
