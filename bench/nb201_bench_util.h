// Shared by the benchmarks that run on the NAS-Bench-201 table: the table,
// its usable rows, the exhaustive front's hypervolume and small statistics.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "estimators/nb201_table.h"
#include "estimators/tabular_evaluator.h"
#include "core/hypervolume.h"
#include "core/metric.h"

namespace nas::bench {

inline std::shared_ptr<const Nb201Table> shipped_table() {
  return std::make_shared<const Nb201Table>(Nb201Table::load(Nb201Table::shipped_path()));
}

// Rows whose `column` value is present (and, for latency, not degenerate).
inline std::vector<std::size_t> usable_rows(const Nb201Table& table, const std::string& column) {
  const std::size_t c = *table.column_index(column);
  const bool latency = parse_metric(column).kind == MetricKind::kLatency;
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < table.num_rows(); ++r) {
    const auto v = table.value(r, c);
    if (!v || (latency && *v < kDegenerateLatencyMs)) continue;
    rows.push_back(r);
  }
  return rows;
}

// The accuracy x latency problem of the search benchmarks: reference point
// (accuracy_ref %, the table's median latency) and the exhaustive front's HV.
struct HvProblem {
  Point reference;
  double exhaustive_hv = 0;
  std::size_t usable = 0;
  std::size_t front_size = 0;
};

inline HvProblem hv_problem(const Nb201Table& table, const std::string& accuracy,
                            const std::string& latency, double accuracy_ref) {
  const std::size_t a = *table.column_index(accuracy), l = *table.column_index(latency);
  std::vector<Point> all;
  std::vector<double> latencies;
  for (std::size_t r = 0; r < table.num_rows(); ++r) {
    const auto acc = table.value(r, a);
    const auto lat = table.value(r, l);
    if (!acc || !lat || *lat < kDegenerateLatencyMs) continue;
    all.push_back({-*acc, *lat});
    latencies.push_back(*lat);
  }
  std::sort(latencies.begin(), latencies.end());
  const std::size_t n = latencies.size();
  const double median = n % 2 ? latencies[n / 2] : 0.5 * (latencies[n / 2 - 1] + latencies[n / 2]);
  HvProblem p;
  p.reference = {-accuracy_ref, median};
  p.exhaustive_hv = hypervolume_2d(all, p.reference);
  p.usable = n;
  p.front_size = non_dominated(all).size();
  return p;
}

struct Stat {
  std::vector<double> values;
  void add(double v) { values.push_back(v); }
  double mean() const {
    double s = 0;
    for (double v : values) s += v;
    return values.empty() ? 0 : s / static_cast<double>(values.size());
  }
  double sd() const {
    const double m = mean();
    double s = 0;
    for (double v : values) s += (v - m) * (v - m);
    return values.size() < 2 ? 0 : std::sqrt(s / static_cast<double>(values.size() - 1));
  }
};

}  // namespace nas::bench
