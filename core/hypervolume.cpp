#include "core/hypervolume.h"

#include <algorithm>
#include <cmath>

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

namespace {

bool usable(const Point& p) {
  return !p.empty() && std::all_of(p.begin(), p.end(), [](double v) { return std::isfinite(v); });
}

}  // namespace

std::vector<std::size_t> query_grid(std::size_t n, std::size_t at_most) {
  std::vector<std::size_t> ks;
  const std::size_t stride = std::max<std::size_t>(1, n / std::max<std::size_t>(1, at_most));
  for (std::size_t k = stride; k <= n; k += stride) ks.push_back(k);
  if (!ks.empty() && ks.back() != n) ks.push_back(n);
  return ks;
}

std::vector<double> hypervolume_curve(const std::vector<Point>& points, const Point& reference,
                                      const std::vector<std::size_t>& ks) {
  std::vector<double> out;
  std::vector<Point> seen;
  std::size_t next = 0;
  for (std::size_t k : ks) {
    for (; next < k && next < points.size(); ++next) {
      if (usable(points[next])) seen.push_back(points[next]);
    }
    out.push_back(hypervolume(seen, reference));
  }
  return out;
}

std::optional<Point> reference_beyond_worst(const std::vector<std::vector<Point>>& sets) {
  Point worst, best;
  for (const auto& set : sets) {
    for (const Point& p : set) {
      if (!usable(p)) continue;
      if (worst.empty()) worst = best = p;
      for (std::size_t i = 0; i < p.size() && i < worst.size(); ++i) {
        worst[i] = std::max(worst[i], p[i]);
        best[i] = std::min(best[i], p[i]);
      }
    }
  }
  if (worst.empty()) return std::nullopt;
  Point reference(worst.size());
  for (std::size_t i = 0; i < worst.size(); ++i) {
    const double range = worst[i] - best[i];
    reference[i] = worst[i] + (range > 0 ? 0.1 * range : 1.0);
  }
  return reference;
}

}  // namespace nas
