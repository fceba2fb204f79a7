#include "cli/report_plot.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "device_runners/board/subprocess.h"

namespace nas::cli {
namespace {

namespace fs = std::filesystem;

// A gnuplot string literal: single quotes, doubled inside.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// Titles go through gnuplot's enhanced text mode, where _ and ^ mean sub and
// superscript; escape them so that metric names read as written (one
// backslash: single-quoted strings pass it through to the text mode).
std::string plain(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '_' || c == '^' || c == '@' || c == '&' || c == '{' || c == '}') out += '\\';
    out += c;
  }
  return out;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw Error("--plot: cannot write " + path.string());
}

// One data block per series, separated by two blank lines (gnuplot's index).
std::string data_file(const Plot& plot) {
  std::ostringstream out;
  out.precision(17);
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    if (s) out << "\n\n";
    out << "# " << plot.series[s].title << "\n";
    for (const auto& [x, y] : plot.series[s].points) out << x << ' ' << y << '\n';
  }
  return out.str();
}

std::string script(const Plot& plot, const std::string& data) {
  std::ostringstream out;
  out << "set title " << quoted(plain(plot.title)) << "\n"
      << "set xlabel " << quoted(plain(plot.x_label)) << "\n"
      << "set ylabel " << quoted(plain(plot.y_label)) << "\n"
      << "set grid\nset key outside right top\n";
  if (plot.name == "predicted_vs_measured") out << "set size square\n";
  std::ostringstream body;
  body << "plot ";
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    body << (s ? ", \\\n     " : "") << quoted(data) << " index " << s << " using 1:2 with "
         << (plot.lines ? "lines lw 2" : "points pt 7 ps 1") << " title "
         << quoted(plain(plot.series[s].title));
  }
  if (plot.name == "predicted_vs_measured") body << ", x with lines dt 2 lc rgb 'gray' title 'y = x'";
  body << "\n";
  out << "set terminal svg size 800,500 dynamic enhanced font 'sans,12'\n"
      << "set output " << quoted(plot.name + ".svg") << "\n"
      << body.str()
      << "set terminal pngcairo size 800,500 enhanced font 'sans,10'\n"
      << "set output " << quoted(plot.name + ".png") << "\n"
      << body.str() << "set output\n";
  return out.str();
}

}  // namespace

std::vector<std::string> write_plots(const std::vector<Plot>& plots, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("--plot " + dir + ": " + ec.message());
  std::vector<std::string> written;
  for (const Plot& plot : plots) {
    write_text(fs::path(dir) / (plot.name + ".dat"), data_file(plot));
    write_text(fs::path(dir) / (plot.name + ".gp"), script(plot, plot.name + ".dat"));
    ProcessResult result;
    try {
      result = run_process({"gnuplot", plot.name + ".gp"}, dir, [] { return false; });
    } catch (const Error& e) {
      throw Error("--plot: cannot run gnuplot (install the Debian package gnuplot-nox): " +
                  std::string(e.what()));
    }
    if (!result.ok()) {
      throw Error("--plot: gnuplot failed on " + (fs::path(dir) / (plot.name + ".gp")).string() +
                  ": " + result.tail(5));
    }
    for (const char* ext : {".svg", ".png"}) {
      written.push_back((fs::path(dir) / (plot.name + ext)).string());
    }
  }
  return written;
}

}  // namespace nas::cli
