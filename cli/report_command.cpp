#include <cstdio>
#include <fstream>

#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/report_plot.h"
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
  if (!command.plot_dir.empty()) {
    const std::vector<Plot> plots = report_plots(store_ptrs, options);
    if (plots.empty()) spdlog::warn("--plot: the stores have nothing to plot");
    for (const std::string& path : write_plots(plots, command.plot_dir)) {
      spdlog::info("wrote {}", path);
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

}  // namespace nas::cli
