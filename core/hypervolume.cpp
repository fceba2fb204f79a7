#include "core/hypervolume.h"

#include <algorithm>

#include "core/errors.h"

namespace nas {
namespace {

// Points strictly inside the reference box, reduced to their first d values.
std::vector<Point> inside(const std::vector<Point>& points, const Point& reference,
                          std::size_t d) {
  std::vector<Point> out;
  for (const Point& p : points) {
    if (p.size() < d) throw Error("hypervolume: a point has fewer values than the reference");
    bool ok = true;
    for (std::size_t k = 0; k < d; ++k) {
      if (!(p[k] < reference[k])) {  // also rejects NaN
        ok = false;
        break;
      }
    }
    if (ok) out.emplace_back(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(d));
  }
  return out;
}

// REQUIRES: every point strictly inside the reference box.
double sweep_2d(std::vector<Point> pts, double ref0, double ref1) {
  std::sort(pts.begin(), pts.end());
  double volume = 0;
  double last = ref1;
  for (const Point& p : pts) {
    if (p[1] < last) {
      volume += (ref0 - p[0]) * (last - p[1]);
      last = p[1];
    }
  }
  return volume;
}

// REQUIRES: every point strictly inside the box and of size d >= 1.
double slice(std::vector<Point> pts, const Point& reference, std::size_t d) {
  if (pts.empty()) return 0;
  if (d == 1) {
    double best = reference[0];
    for (const Point& p : pts) best = std::min(best, p[0]);
    return reference[0] - best;
  }
  if (d == 2) return sweep_2d(std::move(pts), reference[0], reference[1]);
  // Keep only the non-dominated points: dominated ones never change a slice.
  const std::vector<std::size_t> keep = non_dominated(pts);
  std::vector<Point> front;
  front.reserve(keep.size());
  for (std::size_t i : keep) front.push_back(std::move(pts[i]));
  const std::size_t last = d - 1;
  std::sort(front.begin(), front.end(),
            [last](const Point& a, const Point& b) { return a[last] < b[last]; });
  double volume = 0;
  std::vector<Point> active;
  for (std::size_t i = 0; i < front.size(); ++i) {
    active.emplace_back(front[i].begin(), front[i].begin() + static_cast<std::ptrdiff_t>(last));
    const double top = i + 1 < front.size() ? front[i + 1][last] : reference[last];
    const double depth = top - front[i][last];
    if (depth > 0) volume += depth * slice(active, reference, last);
  }
  return volume;
}

}  // namespace

double hypervolume_2d(const std::vector<Point>& points, const Point& reference) {
  if (reference.size() != 2) throw Error("hypervolume_2d: the reference must have 2 values");
  return sweep_2d(inside(points, reference, 2), reference[0], reference[1]);
}

double hypervolume(const std::vector<Point>& points, const Point& reference) {
  if (reference.empty()) throw Error("hypervolume: the reference point is empty");
  return slice(inside(points, reference, reference.size()), reference, reference.size());
}

}  // namespace nas
