#include "results/report.h"

#include <cctype>
#include <cstdlib>

#include "core/errors.h"
#include "results/report_model.h"
#include "results/report_renderers.h"

namespace nas {

ReportFormat report_format_from_string(const std::string& name) {
  if (name == "markdown" || name == "md") return ReportFormat::kMarkdown;
  if (name == "csv") return ReportFormat::kCsv;
  if (name == "latex" || name == "tex") return ReportFormat::kLatex;
  if (name == "json") return ReportFormat::kJson;
  throw UsageError("unknown report format '" + name + "' (expected md, csv, latex or json)");
}

bool WhereCondition::holds(double value) const {
  if (op == "<=") return value <= bound;
  if (op == "<") return value < bound;
  if (op == ">=") return value >= bound;
  if (op == ">") return value > bound;
  return value == bound;  // "=="
}

WhereCondition parse_where(const std::string& text) {
  const auto fail = [&](const std::string& why) {
    return UsageError("--where '" + text + "': " + why +
                      " (expected METRIC OP NUMBER with OP one of <= < >= > ==, e.g. "
                      "'raspi4_ms<=15')");
  };
  WhereCondition w;
  w.text = text;
  const std::size_t op_at = text.find_first_of("<>=!");
  if (op_at == std::string::npos) throw fail("no comparison");
  std::size_t op_end = op_at + 1;
  if (op_end < text.size() && text[op_end] == '=') ++op_end;
  w.op = text.substr(op_at, op_end - op_at);
  if (w.op != "<=" && w.op != "<" && w.op != ">=" && w.op != ">" && w.op != "==") {
    throw fail("unknown comparison '" + w.op + "'");
  }
  auto trim = [](std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    return s.substr(i);
  };
  w.metric = trim(text.substr(0, op_at));
  if (w.metric.empty()) throw fail("no metric before '" + w.op + "'");
  for (unsigned char c : w.metric) {
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') {
      throw fail("metric '" + w.metric + "' is not a metric name");
    }
  }
  const std::string number = trim(text.substr(op_end));
  if (number.empty()) throw fail("no number after '" + w.op + "'");
  char* end = nullptr;
  w.bound = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size()) throw fail("'" + number + "' is not a number");
  return w;
}

std::string render_report(const std::vector<const Store*>& stores, const ReportOptions& options) {
  const std::vector<report::RunReport> runs = report::gather(stores, options);
  std::vector<std::string> paths;
  for (const Store* s : stores) paths.push_back(s->path());
  switch (options.format) {
    case ReportFormat::kMarkdown: return report::render_markdown(paths, runs);
    case ReportFormat::kCsv: return report::render_csv(runs);
    case ReportFormat::kLatex: return report::render_latex(runs);
    case ReportFormat::kJson: return report::render_json(runs);
  }
  return {};
}

std::string render_report(const Store& store, std::optional<std::int64_t> run_id,
                          ReportFormat format) {
  ReportOptions options;
  options.format = format;
  options.run_id = run_id;
  return render_report({&store}, options);
}

}  // namespace nas
