// The numbers behind a report's figures, drawn from the same stores and
// filters as the tables. Rendering is the caller's (cli/report_plot.cpp runs
// gnuplot); this side decides what a figure shows and how each series is drawn.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "results/report.h"

namespace nas {

enum class SeriesStyle {
  kPoints,     // markers
  kLine,       // a curve
  kCloud,      // small markers in the series' light colour, drawn first
  kStaircase,  // a front: the attainment staircase through the points (sorted by x)
  kBand,       // a curve with a shaded band from `band` (low, high) at each x
};

struct PlotSeries {
  std::string title;  // the legend's label; "" keeps the series out of the legend
  SeriesStyle style = SeriesStyle::kPoints;
  int colour = 0;  // index into the renderer's palette; a run's cloud shares its front's
  std::vector<std::pair<double, double>> points;  // (x, y)
  std::vector<std::pair<double, double>> band;    // kBand only: (low, high) per point
};

// One chart of a figure; a figure with several panels draws them side by side.
struct PlotPanel {
  std::string title, x_label, y_label;
  bool log_x = false;  // set when the x values span more than a decade
  std::vector<PlotSeries> series;
};

struct Plot {
  std::string name;   // file stem: "front", "hypervolume", "predicted_vs_measured"
  std::string title;  // kept in the .gp as a comment; papers set their own captions
  std::vector<PlotPanel> panels;
  // Lines to print beside the figure (the hypervolume reference point, the
  // per-group table of final hypervolume).
  std::vector<std::string> notes;
};

struct PlotOptions {
  // Hypervolume per group of runs (mean with a band from min to max) instead
  // of per run: "strategy", "name", "seed", "store" or "status". "" = per run.
  std::string group_by;
};

// Up to three figures, each only when the stores have its data:
//  - "front": the first accuracy objective against each latency objective;
//    one panel per device when the latencies span several; in each, every
//    queried candidate with both values as a light cloud, the stored front's
//    members on top with its staircase (over the panel's two objectives).
//    One colour per run; labels are short (see run_labels).
//  - "hypervolume": per run (or group), the hypervolume of the front of the
//    first k queries against k, over the objectives of the first run (runs
//    with other objectives are left out, with a note); one reference point
//    for every run of the figure, 10% beyond the worst value any of them
//    saw of each objective, given in the notes. With group_by: the mean over
//    the group's runs with a min-max band, up to the shortest run's queries,
//    and a note table of the final hypervolume mean ± std per group.
//  - "predicted_vs_measured": per device, the predicted against the measured
//    latency of every architecture of the reported runs that has both (a
//    table's value where a table stood in for the board, as in screened
//    runs over NB201; the axis label then says so).
// Throws as render_report does, and nas::UsageError for an unknown group_by.
std::vector<Plot> report_plots(const std::vector<const Store*>& stores,
                               const ReportOptions& options, const PlotOptions& plot_options = {});

// Short legend labels for runs identified by (store path, summary), in
// order: the run names when they differ, else what differs among strategy and
// seed ("nsga2 seed 3"), else the stores' file names, else "run <id>".
std::vector<std::string> run_labels(const std::vector<std::pair<std::string, RunSummary>>& runs);

}  // namespace nas
