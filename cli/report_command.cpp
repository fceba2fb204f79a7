#include <CLI/CLI.hpp>
#include <memory>
#include <cstdio>
#include <fstream>

#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/report_plot.h"
#include "cli/subcommand.h"
#include "core/errors.h"
#include "results/report.h"
#include "results/report_plots.h"
#include "results/store.h"

namespace nas::cli {

int report_command(const ReportCommand& command) {
  ReportOptions options;
  options.format = report_format_from_string(command.format);
  options.run_id = command.run_id;
  options.device = command.device;
  for (const std::string& w : command.where) options.where.push_back(parse_where(w));

  std::vector<Store> stores;
  std::vector<const Store*> store_ptrs;
  for (const std::string& path : command.store_paths) {
    stores.push_back(Store::open(path, StoreMode::kReadOnly));
  }
  for (const Store& s : stores) store_ptrs.push_back(&s);

  const std::string text = render_report(store_ptrs, options);
  if (!command.group_by.empty() && command.plot_dir.empty()) {
    throw UsageError("--group-by draws a figure: give --plot DIR too");
  }
  if (!command.plot_dir.empty()) {
    PlotOptions plot_options;
    plot_options.group_by = command.group_by;
    const std::vector<Plot> plots = report_plots(store_ptrs, options, plot_options);
    if (plots.empty()) spdlog::warn("--plot: the stores have nothing to plot");
    for (const std::string& path : write_plots(plots, command.plot_dir)) {
      spdlog::info("wrote {}", path);
    }
    // The reference point and the per-group table go to stderr, beside the
    // paths written, so that stdout stays the report in its format.
    for (const Plot& plot : plots) {
      for (const std::string& note : plot.notes) std::fprintf(stderr, "%s\n", note.c_str());
    }
  }
  if (command.output_path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  std::ofstream out(command.output_path, std::ios::binary);
  out << text;
  if (!out.flush()) throw Error("cannot write the report to " + command.output_path);
  return 0;
}

Subcommand add_report_command(CLI::App& nas) {
  auto command = std::make_shared<ReportCommand>();
  auto run_id = std::make_shared<std::int64_t>(0);
  CLI::App* app = nas.add_subcommand("report", "Print a store's fronts and run summaries");
  app->add_option("stores", command->store_paths, "SQLite fitness stores (side by side)")
      ->required();
  CLI::Option* run = app->add_option("--run", *run_id, "Only this run id");
  app->add_option("-f,--format", command->format, "md, csv, latex or json")
      ->check(CLI::IsMember({"md", "csv", "latex", "json"}));
  app->add_option("-o,--output", command->output_path, "Write to this file, not stdout");
  app->add_option("--device", command->device, "Only this device's latency and energy");
  app->add_option("--where", command->where,
                  "Keep front members where METRIC OP NUMBER holds, e.g. 'raspi4_ms<=15' "
                  "(OP: <= < >= > ==; repeatable)")
      ->allow_extra_args(false);
  app->add_option("--plot", command->plot_dir, "Write plots (SVG and PNG, via gnuplot) here");
  app->add_option("--group-by", command->group_by,
                  "Hypervolume figure per group of runs (mean, min-max band) and a table of "
                  "the final hypervolume: strategy, name, seed, store or status")
      ->check(CLI::IsMember({"strategy", "name", "seed", "store", "status"}));
  return {app, [command, run_id, run] {
            if (*run) command->run_id = *run_id;
            return report_command(*command);
          }};
}

}  // namespace nas::cli
