// `nas report --plot DIR`: the report's plots as SVG and PNG, drawn by
// gnuplot (Debian package gnuplot-nox) from a generated script and data files
// left beside them, so that a plot can be restyled and redrawn by hand.
#pragma once

#include <string>
#include <vector>

#include "results/report_plots.h"

namespace nas::cli {

// Writes DIR/<plot>.dat, .gp, .svg and .png for every plot. Returns the
// image paths written. Throws nas::Error when gnuplot is missing (naming the
// package) or fails (with its output's tail).
std::vector<std::string> write_plots(const std::vector<Plot>& plots, const std::string& dir);

}  // namespace nas::cli
