// How a `nas` subcommand joins the command line: each command's file
// registers its own options next to its code, and main() only lists the
// commands in the order `nas --help` shows them.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace nas::cli {

// A registered subcommand: `app` is set once the command line named it, and
// `run` then runs it with the parsed options, returning the exit status.
struct Subcommand {
  CLI::App* app = nullptr;
  std::function<int()> run;
  // Whether the process keeps freed memory in its heap (core/heap_policy.h):
  // right for training and timed runs, wrong for a long-lived server that a
  // peer's one large message would leave hundreds of megabytes bigger.
  bool keep_freed_memory = true;
};

// In the order of a user's day: search, check, read the results, ship,
// watch; then the farm's commands and the estimators built from it.
Subcommand add_run_command(CLI::App& nas);         // cli/run_command.cpp
Subcommand add_train_command(CLI::App& nas);       // cli/train_command.cpp
Subcommand add_validate_command(CLI::App& nas);    // cli/validate_command.cpp
Subcommand add_report_command(CLI::App& nas);      // cli/report_command.cpp
Subcommand add_export_command(CLI::App& nas);      // cli/export_command.cpp
Subcommand add_finetune_command(CLI::App& nas);    // cli/finetune_command.cpp
Subcommand add_dashboard_command(CLI::App& nas);   // cli/dashboard_command.cpp
Subcommand add_broker_command(CLI::App& nas);      // cli/farm_commands.cpp
Subcommand add_runner_command(CLI::App& nas);      // cli/farm_commands.cpp
Subcommand add_devices_command(CLI::App& nas);     // cli/farm_commands.cpp
Subcommand add_keygen_command(CLI::App& nas);      // cli/farm_commands.cpp
Subcommand add_lut_build_command(CLI::App& nas);   // cli/lut_command.cpp: `nas lut build`
Subcommand add_predictor_eval_command(CLI::App& nas);  // cli/predictor_command.cpp

}  // namespace nas::cli
