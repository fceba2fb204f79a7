// Exact hypervolume of a set of points in minimisation form: the measure of
// the region dominated by the set and bounded above by a reference point.
// Only points strictly better than the reference in every objective
// contribute; the others (including +inf values and NaN) add nothing.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "core/pareto.h"

namespace nas {

// Two objectives, O(n log n). REQUIRES: every point and `reference` have size 2.
double hypervolume_2d(const std::vector<Point>& points, const Point& reference);

// Any number d >= 1 of objectives, exact, by slicing along the last objective
// (HSO) down to the 2-d sweep: about O(n^(d-1) log n), fine for d <= 4 and a
// few hundred points. REQUIRES: every point has reference.size() values.
double hypervolume(const std::vector<Point>& points, const Point& reference);

// A search's hypervolume as its queries go by. In `points` (one per query, in
// query order) an empty point or one with a non-finite value is a query that
// added no feasible point.

// About `at_most` query counts spread evenly from 1 to n, n always last:
// where a curve over n queries is evaluated.
std::vector<std::size_t> query_grid(std::size_t n, std::size_t at_most = 200);

// The hypervolume of the first k points for each k of `ks` (increasing).
std::vector<double> hypervolume_curve(const std::vector<Point>& points, const Point& reference,
                                      const std::vector<std::size_t>& ks);

// One reference point for several runs' points: 10 % of the range beyond the
// worst value of each objective (1 beyond where every value is equal), so
// each run's extreme members still add volume. nullopt when no set holds a
// usable point.
std::optional<Point> reference_beyond_worst(const std::vector<std::vector<Point>>& sets);

}  // namespace nas
