// `nas`: the command line. Parses arguments with CLI11 and calls the
// commands; turns every error into one line on stderr and an exit status
// (2 for a bad configuration or bad usage, 1 for any other failure).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <vector>

#include "cli/subcommand.h"
#include "core/errors.h"
#include "core/heap_policy.h"

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

}  // namespace

int main(int argc, char** argv) {
  // Logs go to stderr, so reports on stdout can be redirected cleanly.
  auto logger = spdlog::stderr_color_mt("nas");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%^[%H:%M:%S %l]%$ %v");

  CLI::App app{"nas: hardware-aware neural architecture search with real devices in the loop"};
  app.set_version_flag("--version", std::string(NAS_CODE_VERSION));
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Log debug detail");

  // Subcommands in the order of a user's day; `nas --help` lists them so.
  std::vector<nas::cli::Subcommand> commands;
#ifdef NAS_WITH_SEARCH
  for (auto add : {nas::cli::add_run_command, nas::cli::add_train_command,
                   nas::cli::add_validate_command,
                   nas::cli::add_report_command, nas::cli::add_export_command,
                   nas::cli::add_finetune_command,
                   nas::cli::add_dashboard_command}) {
    commands.push_back(add(app));
  }
#endif
  for (auto add : {nas::cli::add_broker_command, nas::cli::add_runner_command,
                   nas::cli::add_devices_command, nas::cli::add_keygen_command}) {
    commands.push_back(add(app));
  }
#ifdef NAS_WITH_SEARCH
  for (auto add : {nas::cli::add_lut_build_command, nas::cli::add_predictor_eval_command}) {
    commands.push_back(add(app));
  }
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive here too, with status 0.
    const int status = app.exit(e);
    return status == 0 ? 0 : kExitUsage;
  }
  if (verbose) spdlog::set_level(spdlog::level::debug);

  try {
    for (const nas::cli::Subcommand& command : commands) {
      if (!command.app->parsed()) continue;
      // Training and timed runs reuse freed tensor memory instead of faulting
      // it in again at every step (core/heap_policy.h); servers do not.
      if (command.keep_freed_memory) nas::keep_freed_memory_in_heap();
      return command.run();
    }
  } catch (const nas::ConfigError& e) {
    std::fprintf(stderr, "nas: %s\n", e.what());
    return kExitUsage;
  } catch (const nas::UsageError& e) {
    std::fprintf(stderr, "nas: %s\n", e.what());
    return kExitUsage;
  } catch (const nas::Error& e) {
    std::fprintf(stderr, "nas: %s\n", e.what());
    return kExitFailure;
  } catch (const std::exception& e) {
    // A third-party exception that escaped its boundary is our bug; still
    // one line, with what it said.
    std::fprintf(stderr, "nas: internal error: %s\n", e.what());
    return kExitFailure;
  }
  return kExitFailure;
}
