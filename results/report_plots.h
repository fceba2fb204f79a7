// The numbers behind a report's plots, drawn from the same stores and
// filters as the tables. Rendering is the caller's (cli/report_plot.cpp runs
// gnuplot).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "results/report.h"

namespace nas {

struct PlotSeries {
  std::string title;
  std::vector<std::pair<double, double>> points;  // (x, y)
};

struct Plot {
  std::string name;  // file stem: "front", "hypervolume", "predicted_vs_measured"
  std::string title, x_label, y_label;
  bool lines = false;  // joined (a curve), else points
  std::vector<PlotSeries> series;
};

// Up to three plots, each only when the stores have its data:
//  - "front": the first accuracy objective against each latency objective of
//    the front members; one series per device (one run reported) or per run
//    (several, on the first latency objective).
//  - "hypervolume": per run, the hypervolume of the front of the first k
//    queries (all objectives, minimisation form, reference point 10% beyond
//    the worst value of each seen in the run) against k.
//  - "predicted_vs_measured": per device, the predicted against the measured
//    latency of every architecture of the reported runs that has both.
// Throws as render_report does.
std::vector<Plot> report_plots(const std::vector<const Store*>& stores,
                               const ReportOptions& options);

}  // namespace nas
