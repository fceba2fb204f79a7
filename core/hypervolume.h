// Exact hypervolume of a set of points in minimisation form: the measure of
// the region dominated by the set and bounded above by a reference point.
// Only points strictly better than the reference in every objective
// contribute; the others (including +inf values and NaN) add nothing.
#pragma once

#include <vector>

#include "core/pareto.h"

namespace nas {

// Two objectives, O(n log n). REQUIRES: every point and `reference` have size 2.
double hypervolume_2d(const std::vector<Point>& points, const Point& reference);

// Any number d >= 1 of objectives, exact, by slicing along the last objective
// (HSO) down to the 2-d sweep: about O(n^(d-1) log n), fine for d <= 4 and a
// few hundred points. REQUIRES: every point has reference.size() values.
double hypervolume(const std::vector<Point>& points, const Point& reference);

}  // namespace nas
