#include "results/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/errors.h"
#include "core/space_registry.h"

namespace nas {
namespace {

// ------------------------------------------------------------ gathering

struct Cell {
  std::optional<Evaluation> evaluation;  // the value shown; absent = none stored
};

struct FrontRow {
  std::int64_t position = 0;
  std::string arch_id;
  std::string label;
  std::vector<Cell> cells;  // one per objective
};

struct RunReport {
  RunSummary summary;
  std::vector<Objective> objectives;
  std::vector<FrontRow> front;
  std::int64_t excluded = 0;
  std::string problem;  // why objectives/front are missing; "" when fine
};

// Which stored value stands for an objective when several sources have one:
// values taken on the real device first, then analytic, then estimates.
int source_rank(Source source) {
  switch (source) {
    case Source::kMeasured: return 0;
    case Source::kTabular: return 1;
    case Source::kAnalytic: return 2;
    case Source::kSupernet: return 3;
    case Source::kPredicted: return 4;
  }
  return 5;
}

std::optional<Evaluation> pick(const std::vector<Evaluation>& evaluations,
                               const std::string& metric) {
  const Evaluation* best = nullptr;
  for (const Evaluation& e : evaluations) {
    if (e.key.metric != metric) continue;
    if (!best || (e.value && !best->value) ||
        (e.value.has_value() == best->value.has_value() &&
         source_rank(e.key.source) < source_rank(best->key.source))) {
      best = &e;
    }
  }
  if (!best) return std::nullopt;
  return *best;
}

RunReport gather(const Store& store, const RunSummary& summary) {
  RunReport report;
  report.summary = summary;
  std::optional<SearchSpace> space;
  std::vector<std::string> metrics;
  try {
    const nlohmann::json document = nlohmann::json::parse(store.run_config(summary.id));
    const RunConfig config = parse_config(document, summary.name);
    report.objectives = config.objectives;
    for (const Objective& o : config.objectives) metrics.push_back(o.metric);
    for (const Constraint& c : config.constraints) {
      if (std::find(metrics.begin(), metrics.end(), c.metric) == metrics.end()) {
        metrics.push_back(c.metric);
      }
    }
    space = make_space(config.space);
  } catch (const nlohmann::json::exception& e) {
    report.problem = std::string("stored configuration is not valid JSON: ") + e.what();
  } catch (const Error& e) {
    report.problem = std::string("stored configuration cannot be read by this build: ") +
                     e.what();
  }
  report.excluded = store.count_excluded(summary.id, metrics);
  if (!report.problem.empty()) return report;

  std::int64_t position = 0;
  for (const std::string& arch_id : store.front(summary.id)) {
    FrontRow row;
    row.position = ++position;
    row.arch_id = arch_id;
    try {
      const std::optional<std::string> json = store.arch_json(arch_id);
      row.label = json ? arch_label(*space, space->from_json(nlohmann::json::parse(*json))) : "?";
    } catch (const std::exception&) {
      row.label = "?";  // an architecture of another space version; the id still identifies it
    }
    const std::vector<Evaluation> evaluations = store.evaluations(arch_id);
    for (const Objective& o : report.objectives) row.cells.push_back({pick(evaluations, o.metric)});
    report.front.push_back(std::move(row));
  }
  return report;
}

// ------------------------------------------------------------ formatting

bool is_accuracy(const std::string& metric) { return metric.find("acc") != std::string::npos; }

std::string format_value(const std::string& metric, double value) {
  char text[64];
  std::snprintf(text, sizeof text, is_accuracy(metric) ? "%.2f" : "%.3f", value);
  return text;
}

// "93.37 (tabular)", "n/a (note)" or "n/a".
std::string format_cell(const std::string& metric, const Cell& cell) {
  if (!cell.evaluation) return "n/a";
  const Evaluation& e = *cell.evaluation;
  if (!e.value) return e.note.empty() ? "n/a" : "n/a (" + e.note + ")";
  return format_value(metric, *e.value) + " (" + to_string(e.key.source) + ")";
}

std::string goal_name(Goal goal) { return goal == Goal::kMaximize ? "max" : "min"; }

std::string format_duration(double seconds) {
  // Short runs (a tabular search takes well under a second) keep their precision.
  if (seconds < 60) {
    char short_text[32];
    std::snprintf(short_text, sizeof short_text, "%.2f s", std::max(0.0, seconds));
    return short_text;
  }
  const auto total = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  char text[64];
  std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60,
                total % 60);
  return text;
}

std::string format_time(double unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%SZ", &utc);
  return text;
}

std::string format_hits(const RunSummary& s) {
  const std::int64_t lookups = s.cache_hits + s.evaluator_calls;
  std::string out = std::to_string(s.cache_hits);
  if (lookups > 0) {
    char rate[64];
    std::snprintf(rate, sizeof rate, " (hit rate %.1f%%)",
                  100.0 * static_cast<double>(s.cache_hits) / static_cast<double>(lookups));
    out += rate;
  }
  return out;
}

// The summary as (field, value) pairs, shared by Markdown and LaTeX.
std::vector<std::pair<std::string, std::string>> summary_fields(const RunReport& r) {
  const RunSummary& s = r.summary;
  std::vector<std::pair<std::string, std::string>> out = {
      {"run", std::to_string(s.id) + " (" + s.name + ")"},
      {"status", s.status},
      {"strategy", s.strategy},
      {"seed", std::to_string(s.seed)},
      {"queries", std::to_string(s.queries)},
      {"evaluator calls", std::to_string(s.evaluator_calls)},
      {"cache hits", format_hits(s)},
      {"excluded candidates", std::to_string(r.excluded)},
      {"steps", std::to_string(s.steps)},
      {"sessions", std::to_string(s.sessions)},
      {"wall time", format_duration(s.wall_seconds)},
      {"created", format_time(s.created_at)},
      {"finished", s.finished_at ? format_time(*s.finished_at) : "-"},
      {"code version", s.code_version},
      {"config hash", s.config_hash},
  };
  return out;
}

std::string front_title(const RunReport& r) {
  return "Pareto front: " + std::to_string(r.front.size()) +
         (r.front.size() == 1 ? " architecture" : " architectures");
}

// ---- Markdown

std::string md_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    // Only what breaks a table cell: intra-word underscores are no emphasis
    // in GitHub-flavoured Markdown, and the text stays readable as it is.
    if (c == '|' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// A table with padded columns, so that it reads well in a terminal too.
void md_table(std::ostringstream& out, const std::vector<std::string>& header,
              const std::vector<bool>& right_aligned,
              const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size(), 3);
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = std::max(width[c], header[c].size());
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    out << '|';
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(width[c] - cells[c].size(), ' ');
      out << ' ' << (right_aligned[c] ? pad + cells[c] : cells[c] + pad) << " |";
    }
    out << '\n';
  };
  line(header);
  out << '|';
  for (std::size_t c = 0; c < header.size(); ++c) {
    out << ' ' << std::string(width[c] - (right_aligned[c] ? 1 : 0), '-')
        << (right_aligned[c] ? ":" : "") << " |";
  }
  out << '\n';
  for (const auto& row : rows) line(row);
}

std::string render_markdown(const Store& store, const std::vector<RunReport>& runs) {
  std::ostringstream out;
  if (runs.empty()) {
    out << "No runs in " << md_escape(store.path()) << ".\n";
    return out.str();
  }
  bool first = true;
  for (const RunReport& r : runs) {
    if (!first) out << '\n';
    first = false;
    out << "## Run " << r.summary.id << ": " << md_escape(r.summary.name) << "\n\n";
    if (!r.problem.empty()) {
      out << "Front not shown: " << md_escape(r.problem) << "\n\n";
    } else if (r.front.empty()) {
      out << "Pareto front: none stored" << (r.summary.status == "running" ? " (run not finished)" : "")
          << "\n\n";
    } else {
      out << front_title(r) << "\n\n";
      std::vector<std::string> header = {"#", "arch id", "architecture"};
      std::vector<bool> right = {true, false, false};
      for (const Objective& o : r.objectives) {
        header.push_back(md_escape(o.metric) + " (" + goal_name(o.goal) + ")");
        right.push_back(true);
      }
      std::vector<std::vector<std::string>> rows;
      for (const FrontRow& row : r.front) {
        std::vector<std::string> cells = {std::to_string(row.position), "`" + row.arch_id + "`",
                                          md_escape(row.label)};
        for (std::size_t i = 0; i < r.objectives.size(); ++i) {
          cells.push_back(md_escape(format_cell(r.objectives[i].metric, row.cells[i])));
        }
        rows.push_back(std::move(cells));
      }
      md_table(out, header, right, rows);
      out << '\n';
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& [field, value] : summary_fields(r)) rows.push_back({field, md_escape(value)});
    md_table(out, {"summary", "value"}, {false, false}, rows);
  }
  return out.str();
}

// ---- CSV

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string csv_number(double value) { return nlohmann::json(value).dump(); }

std::string render_csv(const std::vector<RunReport>& runs) {
  std::vector<std::string> metrics;  // union over the runs, first seen first
  for (const RunReport& r : runs) {
    for (const Objective& o : r.objectives) {
      if (std::find(metrics.begin(), metrics.end(), o.metric) == metrics.end()) {
        metrics.push_back(o.metric);
      }
    }
  }
  std::vector<std::string> header = {"run_id", "run_name", "position", "arch_id", "arch"};
  for (const std::string& m : metrics) {
    header.push_back(m);
    header.push_back(m + "_source");
  }
  for (const char* column : {"status", "strategy", "seed", "queries", "evaluator_calls",
                             "cache_hits", "excluded", "steps", "wall_seconds", "code_version"}) {
    header.push_back(column);
  }

  std::ostringstream out;
  auto line = [&out](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << csv_field(cells[i]);
    out << "\r\n";  // RFC 4180
  };
  line(header);
  for (const RunReport& r : runs) {
    const RunSummary& s = r.summary;
    const std::vector<std::string> tail = {
        s.status, s.strategy, std::to_string(s.seed), std::to_string(s.queries),
        std::to_string(s.evaluator_calls), std::to_string(s.cache_hits),
        std::to_string(r.excluded), std::to_string(s.steps), csv_number(s.wall_seconds),
        s.code_version};
    auto emit = [&](const FrontRow* row) {
      std::vector<std::string> cells = {std::to_string(s.id), s.name};
      cells.push_back(row ? std::to_string(row->position) : "");
      cells.push_back(row ? row->arch_id : "");
      cells.push_back(row ? row->label : "");
      for (const std::string& m : metrics) {
        std::string value;
        std::string source;
        for (std::size_t i = 0; row && i < r.objectives.size(); ++i) {
          if (r.objectives[i].metric != m || !row->cells[i].evaluation) continue;
          const Evaluation& e = *row->cells[i].evaluation;
          if (e.value) value = csv_number(*e.value);
          source = to_string(e.key.source);
        }
        cells.push_back(value);
        cells.push_back(source);
      }
      cells.insert(cells.end(), tail.begin(), tail.end());
      line(cells);
    };
    if (r.front.empty()) emit(nullptr);
    for (const FrontRow& row : r.front) emit(&row);
  }
  return out.str();
}

// ---- LaTeX

std::string tex_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\textbackslash{}"; break;
      case '&': case '%': case '$': case '#': case '_': case '{': case '}':
        out += '\\';
        out += c;
        break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      case '|': out += "\\textbar{}"; break;
      case '<': out += "\\textless{}"; break;
      case '>': out += "\\textgreater{}"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_latex(const std::vector<RunReport>& runs) {
  std::ostringstream out;
  out << "% nas report; needs \\usepackage{booktabs}\n";
  if (runs.empty()) out << "% no runs in the store\n";
  for (const RunReport& r : runs) {
    out << "\n% Run " << r.summary.id << ": " << tex_escape(r.summary.name) << "\n";
    if (!r.problem.empty()) {
      out << "% front not shown: " << tex_escape(r.problem) << "\n";
    } else {
      const std::size_t columns = 3 + r.objectives.size();
      out << "% " << front_title(r) << "\n";
      out << "\\begin{tabular}{rll" << std::string(r.objectives.size(), 'r') << "}\n\\toprule\n";
      out << "\\# & Arch id & Architecture";
      for (const Objective& o : r.objectives) {
        out << " & " << tex_escape(o.metric)
            << (o.goal == Goal::kMaximize ? " $\\uparrow$" : " $\\downarrow$");
      }
      out << " \\\\\n\\midrule\n";
      if (r.front.empty()) {
        out << "\\multicolumn{" << columns << "}{c}{no front stored} \\\\\n";
      }
      for (const FrontRow& row : r.front) {
        out << row.position << " & \\texttt{" << tex_escape(row.arch_id) << "} & \\texttt{"
            << tex_escape(row.label) << "}";
        for (std::size_t i = 0; i < r.objectives.size(); ++i) {
          out << " & " << tex_escape(format_cell(r.objectives[i].metric, row.cells[i]));
        }
        out << " \\\\\n";
      }
      out << "\\bottomrule\n\\end{tabular}\n\n";
    }
    out << "\\begin{tabular}{ll}\n\\toprule\nSummary & Value \\\\\n\\midrule\n";
    for (const auto& [field, value] : summary_fields(r)) {
      out << tex_escape(field) << " & " << tex_escape(value) << " \\\\\n";
    }
    out << "\\bottomrule\n\\end{tabular}\n";
  }
  return out.str();
}

}  // namespace

ReportFormat report_format_from_string(const std::string& name) {
  if (name == "markdown" || name == "md") return ReportFormat::kMarkdown;
  if (name == "csv") return ReportFormat::kCsv;
  if (name == "latex" || name == "tex") return ReportFormat::kLatex;
  throw UsageError("unknown report format '" + name + "' (expected markdown, csv or latex)");
}

std::string render_report(const Store& store, std::optional<std::int64_t> run_id,
                          ReportFormat format) {
  std::vector<RunSummary> summaries;
  if (run_id) {
    std::optional<RunSummary> one = store.run(*run_id);
    if (!one) {
      throw UsageError("store " + store.path() + ": no run with id " + std::to_string(*run_id));
    }
    summaries.push_back(std::move(*one));
  } else {
    summaries = store.list_runs();
  }
  std::vector<RunReport> runs;
  for (const RunSummary& s : summaries) runs.push_back(gather(store, s));

  switch (format) {
    case ReportFormat::kMarkdown: return render_markdown(store, runs);
    case ReportFormat::kCsv: return render_csv(runs);
    case ReportFormat::kLatex: return render_latex(runs);
  }
  return {};
}

}  // namespace nas
