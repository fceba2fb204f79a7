#include "cli/report_plot.h"

#include <algorithm>
#include <cmath>
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

// Dark colours for fronts and curves, and the light tone of each for clouds
// and bands (a colour-blind-safe order: blue, vermilion, green, purple, orange).
const char* const kDark[] = {"#0072b2", "#d55e00", "#009e73", "#7b3294", "#e69f00", "#56b4e9"};
const char* const kLight[] = {"#a6cbe3", "#f2b48a", "#9ed9c6", "#c9a8d8", "#f5d48a", "#bfe1f5"};

std::string dark(int colour) { return kDark[static_cast<std::size_t>(colour) % 6]; }
std::string light(int colour) { return kLight[static_cast<std::size_t>(colour) % 6]; }

// Pixels of one panel: a single-column figure (3.5 in) at 300 dpi for the
// PNG; the SVG scales, so its size only sets the font's proportion.
constexpr int kPngWidth = 1050, kPngHeight = 788;
constexpr int kSvgWidth = 525, kSvgHeight = 394;

// One data block per series (gnuplot's index), panels in order; a band's
// block has x, y, low, high.
std::string data_file(const Plot& plot) {
  std::ostringstream out;
  out.precision(17);
  bool first = true;
  for (const PlotPanel& panel : plot.panels) {
    for (const PlotSeries& series : panel.series) {
      if (!first) out << "\n\n";
      first = false;
      out << "# " << (panel.title.empty() ? "" : panel.title + ": ") << series.title << "\n";
      for (std::size_t i = 0; i < series.points.size(); ++i) {
        out << series.points[i].first << ' ' << series.points[i].second;
        if (i < series.band.size()) out << ' ' << series.band[i].first << ' ' << series.band[i].second;
        out << '\n';
      }
    }
  }
  return out.str();
}

// A round tick step giving at most about six labels over [low, high], so
// that labels never run together whatever the query count.
double tick_step(double low, double high) {
  const double raw = (high - low) / 6;
  if (!(raw > 0)) return 0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * magnitude >= raw) return m * magnitude;
  }
  return 10 * magnitude;
}

// Labelled ticks at 1, 2 and 5 times each power of ten in [low, high]: a
// log axis over a decade or two otherwise gets one label or none.
std::string log_tics(double low, double high) {
  std::string out;
  for (double decade = std::pow(10.0, std::floor(std::log10(low))); decade <= high; decade *= 10) {
    for (double m : {1.0, 2.0, 5.0}) {
      const double t = m * decade;
      if (t < low || t > high) continue;
      std::ostringstream tick;
      tick << t;
      out += (out.empty() ? "" : ", ") + tick.str();
    }
  }
  return "(" + out + ")";
}

std::string title_of(const std::string& title) {
  return title.empty() ? "notitle" : "title " + quoted(plain(title));
}

// The plot command of one panel; `block` counts data blocks across panels.
std::string panel_body(const Plot& plot, const PlotPanel& panel, const std::string& data,
                       std::size_t& block) {
  std::ostringstream out;
  out << "set title " << quoted(plain(panel.title)) << "\n"
      << "set xlabel " << quoted(plain(panel.x_label)) << "\n"
      << "set ylabel " << quoted(plain(panel.y_label)) << "\n";
  if (panel.log_x) {
    double low = HUGE_VAL, high = 0;
    for (const PlotSeries& s : panel.series) {
      for (const auto& [x, y] : s.points) low = std::min(low, x), high = std::max(high, x);
    }
    out << "set logscale x 10\nset xtics " << log_tics(low / 1.1, high * 1.1) << "\nset mxtics 10\n";
    // Tight, not out to whole decades, which would leave most of the width empty.
    if (plot.name != "predicted_vs_measured") {
      out << "set xrange [" << low / 1.1 << ":" << high * 1.1 << "]\n";
    }
  } else {
    double low = HUGE_VAL, high = -HUGE_VAL;
    for (const PlotSeries& s : panel.series) {
      for (const auto& [x, y] : s.points) low = std::min(low, x), high = std::max(high, x);
    }
    const double step = tick_step(low, high);
    out << "unset logscale x\nset autoscale x\n";
    if (step > 0) out << "set xtics " << step << "\nset mxtics 2\n";
  }
  // The key where the data leaves room: below the chart for fronts (clouds
  // fill the corners), inside at the bottom right for rising curves. Below,
  // the key is left-aligned in up to four columns with extra height, which
  // gnuplot otherwise leaves out so that the x label runs into the first row.
  if (plot.name == "front") {
    out << "set key below horizontal maxcols 4 Left reverse samplen 0.6 width -1 spacing 0.9 "
           "height 1.5\n";
  } else if (plot.name == "hypervolume") {
    out << "set key inside bottom right opaque\n";
  } else {
    out << "set key inside top left opaque\n";
  }
  if (plot.name == "predicted_vs_measured") {
    // Both axes alike, so that y = x is the diagonal and a point's distance
    // from it reads the same everywhere.
    double low = HUGE_VAL, high = -HUGE_VAL;
    for (const PlotSeries& s : panel.series) {
      for (const auto& [x, y] : s.points) {
        low = std::min({low, x, y});
        high = std::max({high, x, y});
      }
    }
    const bool log = panel.log_x;
    const double lo = log ? low / 1.15 : low - 0.05 * (high - low);
    const double hi = log ? high * 1.15 : high + 0.05 * (high - low);
    out << "set size square\n" << (log ? "set logscale y 10\nset mytics 10\n" : "unset logscale y\n")
        << "set xrange [" << lo << ":" << hi << "]\nset yrange [" << lo << ":" << hi << "]\n";
    if (log) out << "set xtics " << log_tics(lo, hi) << "\nset ytics " << log_tics(lo, hi) << "\n";
    else out << "set ytics autofreq\n";
  }
  out << "plot ";
  bool first = true;
  auto add = [&](const std::string& text) {
    out << (first ? "" : ", \\\n     ") << text;
    first = false;
  };
  for (const PlotSeries& s : panel.series) {
    const std::string source = quoted(data) + " index " + std::to_string(block++);
    switch (s.style) {
      case SeriesStyle::kCloud:
        add(source + " using 1:2 with points pt 7 ps 0.45 lc rgb '" + light(s.colour) + "' " +
            title_of(s.title));
        break;
      case SeriesStyle::kStaircase:
        add(source + " using 1:2 with steps lw 2 lc rgb '" + dark(s.colour) + "' notitle");
        add(source + " using 1:2 with points pt 7 ps 0.9 lc rgb '" + dark(s.colour) + "' " +
            title_of(s.title));
        break;
      case SeriesStyle::kBand:
        add(source + " using 1:3:4 with filledcurves fs transparent solid 0.35 noborder lc rgb '" +
            light(s.colour) + "' notitle");
        add(source + " using 1:2 with lines lw 2 lc rgb '" + dark(s.colour) + "' " +
            title_of(s.title));
        break;
      case SeriesStyle::kLine:
        add(source + " using 1:2 with lines lw 2 lc rgb '" + dark(s.colour) + "' " +
            title_of(s.title));
        break;
      case SeriesStyle::kPoints:
        add(source + " using 1:2 with points pt 7 ps 1.0 lc rgb '" + dark(s.colour) + "' " +
            title_of(s.title));
        break;
    }
  }
  if (plot.name == "predicted_vs_measured") add("x with lines dt 2 lc rgb 'gray' title 'y = x'");
  out << "\n";
  return out.str();
}

std::string script(const Plot& plot, const std::string& data) {
  const std::size_t n = plot.panels.size();
  const std::size_t columns = std::min<std::size_t>(n, 2), rows = (n + columns - 1) / columns;
  std::ostringstream body;
  if (n > 1) body << "set multiplot layout " << rows << "," << columns << "\n";
  std::size_t block = 0;
  for (const PlotPanel& panel : plot.panels) body << panel_body(plot, panel, data, block);
  if (n > 1) body << "unset multiplot\n";

  std::ostringstream out;
  out << "# " << plot.title << "\n";
  for (const std::string& note : plot.notes) out << "# " << note << "\n";
  out << "set encoding utf8\nset grid lc rgb '#d9d9d9' lw 1\nset border lw 1.5\n"
      << "set tics out nomirror\nset format x '%g'\nset format y '%g'\n"
      << "set terminal svg size " << kSvgWidth * columns << "," << kSvgHeight * rows
      << " enhanced font 'Helvetica,12' background '#ffffff'\n"
      << "set output " << quoted(plot.name + ".svg") << "\n"
      << body.str()
      << "set terminal pngcairo size " << kPngWidth * columns << "," << kPngHeight * rows
      << " enhanced font 'Helvetica,22' linewidth 2 background '#ffffff'\n"
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
