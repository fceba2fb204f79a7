// The LaTeX report: booktabs tabulars without a preamble, ready to \input.
#include <sstream>

#include "results/report_renderers.h"

namespace nas::report {
namespace {

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

// Each part escaped on its own, so the ± can be math.
std::string cell(const std::string& metric, const Cell& c) {
  CellText t = cell_text(metric, c);
  for (std::string* part : {&t.value, &t.spread, &t.p90, &t.source}) *part = tex_escape(*part);
  return join_cell(t, "$\\pm$");
}

void tabular(std::ostringstream& out, const std::string& spec,
             const std::vector<std::string>& header,
             const std::vector<std::vector<std::string>>& rows, const std::string& empty_note) {
  out << "\\begin{tabular}{" << spec << "}\n\\toprule\n";
  for (std::size_t i = 0; i < header.size(); ++i) out << (i ? " & " : "") << header[i];
  out << " \\\\\n\\midrule\n";
  if (rows.empty()) {
    out << "\\multicolumn{" << header.size() << "}{c}{" << empty_note << "} \\\\\n";
  }
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) out << (i ? " & " : "") << row[i];
    out << " \\\\\n";
  }
  out << "\\bottomrule\n\\end{tabular}\n";
}

void front_table(std::ostringstream& out, const RunReport& r, const std::vector<std::size_t>& rows,
                 const std::string& empty_note) {
  std::string spec = "rll";
  std::vector<std::string> header = {"\\#", "Arch id", "Architecture"};
  if (r.has_macs) spec += 'r', header.push_back("MACs");
  if (r.has_params) spec += 'r', header.push_back("Params");
  for (const Column& c : r.columns) {
    spec += 'r';
    header.push_back(tex_escape(c.metric) +
                     (c.fine_tuned                  ? std::string(" (fine-tuned)")
                      : !c.objective                ? std::string()
                      : c.goal == Goal::kMaximize ? " $\\uparrow$"
                                                  : " $\\downarrow$"));
  }
  const std::vector<PrecisionDrop> drops = precision_drops(r);
  for (const PrecisionDrop& d : drops) spec += 'r', header.push_back(tex_escape(d.title));
  std::vector<std::vector<std::string>> table;
  for (std::size_t i : rows) {
    const FrontRow& row = r.front[i];
    std::vector<std::string> cells = {std::to_string(row.position),
                                      "\\texttt{" + tex_escape(row.arch_id) + "}",
                                      "\\texttt{" + tex_escape(row.label) + "}"};
    if (r.has_macs) cells.push_back(row.macs ? format_count(*row.macs) : "n/a");
    if (r.has_params) cells.push_back(row.params ? format_count(*row.params) : "n/a");
    for (std::size_t c = 0; c < r.columns.size(); ++c) {
      cells.push_back(cell(r.columns[c].metric, row.cells[c]));
    }
    for (const PrecisionDrop& d : drops) cells.push_back(drop_text(row, d));
    table.push_back(std::move(cells));
  }
  tabular(out, spec, header, table, empty_note);
}

}  // namespace

std::string render_latex(const std::vector<RunReport>& runs) {
  std::ostringstream out;
  out << "% nas report; needs \\usepackage{booktabs}\n";
  if (runs.empty()) out << "% no runs in the store\n";
  const bool with_store = several_stores(runs);
  if (runs.size() > 1) {
    out << "\n% Runs compared\n";
    std::vector<std::string> header;
    for (const std::string& h : comparison_header(runs)) header.push_back(tex_escape(h));
    std::vector<std::vector<std::string>> rows = comparison_rows(runs);
    for (auto& row : rows) {
      for (auto& c : row) c = tex_escape(c);
    }
    tabular(out, "ll" + std::string(header.size() - 2, 'l'), header, rows, "no runs");
    out << "\n";
  }
  for (const RunReport& r : runs) {
    out << "\n% " << tex_escape(run_title(r, with_store)) << "\n";
    if (!r.problem.empty()) {
      out << "% front not shown: " << tex_escape(r.problem) << "\n";
    } else {
      out << "% " << front_title(r) << "\n";
      std::vector<std::size_t> rows(r.front.size());
      for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
      front_table(out, r, rows, r.front_stored == 0 ? "no front stored" : "none left by the filter");
      out << "\n";
      for (const DeviceFront& d : r.device_fronts) {
        out << "% Pareto front on " << tex_escape(d.device) << "\n";
        front_table(out, r, d.rows, "none");
        out << "\n";
      }
      if (!r.device_metrics.empty()) {
        out << "% The front across devices\n";
        std::vector<std::string> header = {"\\#", "Arch id"};
        for (const std::string& m : r.device_metrics) header.push_back(tex_escape(m));
        std::vector<std::vector<std::string>> rows_text;
        for (const FrontRow& row : r.front) {
          std::vector<std::string> cells = {std::to_string(row.position),
                                            "\\texttt{" + tex_escape(row.arch_id) + "}"};
          for (std::size_t m = 0; m < r.device_metrics.size(); ++m) {
            cells.push_back(cell(r.device_metrics[m], row.device_cells[m]));
          }
          rows_text.push_back(std::move(cells));
        }
        tabular(out, "rl" + std::string(r.device_metrics.size(), 'r'), header, rows_text, "none");
        out << "\n";
      }
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& [field, value] : summary_fields(r)) {
      rows.push_back({tex_escape(field), tex_escape(value)});
    }
    tabular(out, "ll", {"Summary", "Value"}, rows, "");
  }
  return out.str();
}

}  // namespace nas::report
