// The `nas` subcommands. Each returns the process exit status; errors are
// thrown as nas::Error and turned into one line by main().
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace nas::cli {

struct RunCommand {
  std::string config_path;
  std::string store_path;  // overrides the config's "store" when set
  bool resume = false;     // continue the named run that was cut off
  bool new_run = false;    // start anew even if a run of that name was cut off
  bool quiet = false;      // no progress and no report on stdout
};
int run_command(const RunCommand& command);

int validate_command(const std::string& config_path);

struct ReportCommand {
  std::string store_path;
  std::optional<std::int64_t> run_id;  // all runs when absent
  std::string format = "md";           // md | csv | latex
  std::string output_path;             // stdout when empty
};
int report_command(const ReportCommand& command);

}  // namespace nas::cli
