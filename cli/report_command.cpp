#include <cstdio>
#include <fstream>

#include "cli/commands.h"
#include "core/errors.h"
#include "results/report.h"
#include "results/store.h"

namespace nas::cli {

int report_command(const ReportCommand& command) {
  ReportFormat format = ReportFormat::kMarkdown;
  if (command.format == "csv") format = ReportFormat::kCsv;
  else if (command.format == "latex") format = ReportFormat::kLatex;
  else if (command.format != "md") {
    throw UsageError("--format: expected md, csv or latex, got \"" + command.format + "\"");
  }
  const Store store = Store::open(command.store_path, StoreMode::kReadOnly);
  const std::string text = render_report(store, command.run_id, format);
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
