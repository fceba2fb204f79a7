// The `nas` subcommands. Each returns the process exit status; errors are
// thrown as nas::Error and turned into one line by main().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nas::cli {

struct RunCommand {
  std::string config_path;
  std::string store_path;  // overrides the config's "store" when set
  bool resume = false;     // continue the named run that was cut off
  bool new_run = false;    // start anew even if a run of that name was cut off
  bool quiet = false;      // no progress and no report on stdout
  std::optional<int> dashboard_port;          // serve the live dashboard on it (0: any)
  std::string dashboard_bind = "127.0.0.1";   // its address; this machine only by default
};
int run_command(const RunCommand& command);

// `nas train CONFIG`: the supernet only, alone or as one rank of several
// (cli/train_command.cpp).
struct TrainCommand {
  std::string config_path;
  std::optional<int> rank;        // with world_size: this process's rank
  std::optional<int> world_size;  // ranks in all; unset: the environment's, or local ranks
  std::string master;             // HOST:PORT of rank 0's rendezvous
  bool quiet = false;
};
int train_command(const TrainCommand& command);

int validate_command(const std::string& config_path);

struct ReportCommand {
  std::vector<std::string> store_paths;  // one or more stores, side by side
  std::optional<std::int64_t> run_id;    // all runs when absent
  std::string format = "md";             // md | csv | latex | json
  std::string output_path;               // stdout when empty
  std::string device;                    // only this device's values ("" = all)
  std::vector<std::string> where;        // conditions such as "raspi4_ms<=15"
  std::string plot_dir;                  // write plots (SVG, PNG) there when set
  std::string group_by;                  // hypervolume per group of runs ("" = per run)
};
int report_command(const ReportCommand& command);

// `nas lut build CONFIG`: the device's block look-up table of the config's
// mbv3 space (cli/lut_command.cpp).
struct LutBuildCommand {
  std::string config_path;
  std::string store_path;  // overrides the config's "store" when set
  std::string device;      // device key; default: the config's farm device ("cpu")
  std::string connect;     // an external broker; default: embedded broker + local runner
  int fit_subnets = 10;    // whole subnets measured to fit the overhead
  int holdout = 20;        // other whole subnets measured to test the table
  bool quiet = false;      // no progress line
};
int lut_build_command(const LutBuildCommand& command);

// `nas predictor eval STORE --device KEY`: held-out accuracy of the
// predictors on the store's measured values (cli/predictor_command.cpp).
struct PredictorEvalCommand {
  std::string store_path;
  std::string device;
  std::string metric;  // default: "<device>_ms"
  int folds = 5;
  std::uint64_t seed = 0;  // shuffles the values into folds
};
int predictor_eval_command(const PredictorEvalCommand& command);

}  // namespace nas::cli
