// The Markdown report: padded tables that read well in a terminal too.
#include <algorithm>
#include <sstream>

#include "results/report_renderers.h"

namespace nas::report {
namespace {

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

// Display width: UTF-8 continuation bytes (the ± sign) take no column.
std::size_t width_of(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void md_table(std::ostringstream& out, const std::vector<std::string>& header,
              const std::vector<bool>& right_aligned,
              const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size(), 3);
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = std::max(width[c], width_of(header[c]));
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], width_of(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    out << '|';
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(width[c] - width_of(cells[c]), ' ');
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

std::string cell(const std::string& metric, const Cell& c) {
  return md_escape(join_cell(cell_text(metric, c), "±"));
}

void front_table(std::ostringstream& out, const RunReport& r, const std::vector<std::size_t>& rows) {
  std::vector<std::string> header = {"#", "arch id", "architecture"};
  std::vector<bool> right = {true, false, false};
  if (r.has_macs) header.push_back("MACs (analytic)"), right.push_back(true);
  if (r.has_params) header.push_back("params (analytic)"), right.push_back(true);
  for (const Column& c : r.columns) {
    header.push_back(md_escape(c.metric) +
                     (c.objective    ? " (" + std::string(goal_name(c.goal)) + ")"
                      : c.fine_tuned ? " (fine-tuned)"
                      : c.constraint ? " (constraint)"
                                     : " (after search)"));
    right.push_back(true);
  }
  const std::vector<PrecisionDrop> drops = precision_drops(r);
  for (const PrecisionDrop& d : drops) header.push_back(md_escape(d.title)), right.push_back(true);
  std::vector<std::vector<std::string>> table;
  for (std::size_t i : rows) {
    const FrontRow& row = r.front[i];
    std::vector<std::string> cells = {std::to_string(row.position), "`" + row.arch_id + "`",
                                      md_escape(row.label)};
    if (r.has_macs) cells.push_back(row.macs ? format_count(*row.macs) : "n/a");
    if (r.has_params) cells.push_back(row.params ? format_count(*row.params) : "n/a");
    for (std::size_t c = 0; c < r.columns.size(); ++c) {
      cells.push_back(cell(r.columns[c].metric, row.cells[c]));
    }
    for (const PrecisionDrop& d : drops) cells.push_back(drop_text(row, d));
    table.push_back(std::move(cells));
  }
  md_table(out, header, right, table);
}

std::vector<std::size_t> all_rows(const RunReport& r) {
  std::vector<std::size_t> rows(r.front.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  return rows;
}

}  // namespace

std::string render_markdown(const std::vector<std::string>& store_paths,
                            const std::vector<RunReport>& runs) {
  std::ostringstream out;
  if (runs.empty()) {
    for (const std::string& path : store_paths) out << "No runs in " << md_escape(path) << ".\n";
    return out.str();
  }
  const bool with_store = several_stores(runs);
  if (runs.size() > 1) {
    out << "## Runs compared\n\n";
    std::vector<std::vector<std::string>> rows = comparison_rows(runs);
    for (auto& row : rows) {
      for (auto& c : row) c = md_escape(c);
    }
    const std::vector<std::string> header = comparison_header(runs);
    std::vector<bool> right(header.size(), false);
    md_table(out, header, right, rows);
    out << '\n';
  }
  bool first = true;
  for (const RunReport& r : runs) {
    if (!first) out << '\n';
    first = false;
    out << "## " << md_escape(run_title(r, with_store)) << "\n\n";
    if (!r.problem.empty()) {
      out << "Front not shown: " << md_escape(r.problem) << "\n\n";
    } else if (r.front_stored == 0) {
      out << "Pareto front: none stored"
          << (r.summary.status == "running" ? " (run not finished)" : "") << "\n\n";
    } else {
      out << front_title(r) << "\n\n";
      front_table(out, r, all_rows(r));
      out << '\n';
      for (const DeviceFront& d : r.device_fronts) {
        out << "### Pareto front on " << md_escape(d.device) << ": " << d.rows.size()
            << (d.rows.size() == 1 ? " architecture" : " architectures") << "\n\n";
        front_table(out, r, d.rows);
        out << '\n';
      }
      if (!r.device_metrics.empty()) {
        out << "### The front across devices\n\n";
        std::vector<std::string> header = {"#", "arch id"};
        std::vector<bool> right = {true, false};
        for (const std::string& m : r.device_metrics) header.push_back(md_escape(m)), right.push_back(true);
        std::vector<std::vector<std::string>> rows;
        for (const FrontRow& row : r.front) {
          std::vector<std::string> cells = {std::to_string(row.position), "`" + row.arch_id + "`"};
          for (std::size_t m = 0; m < r.device_metrics.size(); ++m) {
            cells.push_back(cell(r.device_metrics[m], row.device_cells[m]));
          }
          rows.push_back(std::move(cells));
        }
        md_table(out, header, right, rows);
        out << '\n';
      }
    }
    if (!r.training_epochs.empty()) {
      out << "### Supernet training\n\n";
      const std::vector<std::string> header = training_header();
      md_table(out, header, std::vector<bool>(header.size(), true), training_rows(r));
      out << '\n';
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& [field, value] : summary_fields(r)) rows.push_back({field, md_escape(value)});
    md_table(out, {"summary", "value"}, {false, false}, rows);
  }
  return out.str();
}

}  // namespace nas::report
