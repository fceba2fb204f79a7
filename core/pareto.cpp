#include "core/pareto.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace nas {

double to_minimised(Goal goal, double value) { return goal == Goal::kMaximize ? -value : value; }

bool dominates(const Point& a, const Point& b) {
  bool strictly = false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) strictly = true;
  }
  return strictly;
}

bool constrained_dominates(const Point& a, double violation_a, const Point& b,
                           double violation_b) {
  const bool fa = violation_a == 0;
  const bool fb = violation_b == 0;
  if (fa && fb) return dominates(a, b);
  if (fa != fb) return fa;
  return violation_a < violation_b;
}

std::vector<std::vector<std::size_t>> non_dominated_sort(const std::vector<Point>& points,
                                                         const std::vector<double>& violations) {
  const std::size_t n = points.size();
  auto violation = [&](std::size_t i) { return violations.empty() ? 0.0 : violations[i]; };
  std::vector<std::vector<std::size_t>> dominated(n);  // whom i dominates
  std::vector<std::size_t> count(n, 0);                // how many dominate i
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (constrained_dominates(points[i], violation(i), points[j], violation(j))) {
        dominated[i].push_back(j);
        ++count[j];
      } else if (constrained_dominates(points[j], violation(j), points[i], violation(i))) {
        dominated[j].push_back(i);
        ++count[i];
      }
    }
  }
  std::vector<std::vector<std::size_t>> fronts;
  std::vector<std::size_t> current;
  for (std::size_t i = 0; i < n; ++i) {
    if (count[i] == 0) current.push_back(i);
  }
  while (!current.empty()) {
    std::vector<std::size_t> next;
    for (std::size_t i : current) {
      for (std::size_t j : dominated[i]) {
        if (--count[j] == 0) next.push_back(j);
      }
    }
    std::sort(next.begin(), next.end());
    fronts.push_back(std::move(current));
    current = std::move(next);
  }
  return fronts;
}

std::vector<std::size_t> pareto_ranks(const std::vector<Point>& points,
                                      const std::vector<double>& violations) {
  std::vector<std::size_t> rank(points.size(), 0);
  const auto fronts = non_dominated_sort(points, violations);
  for (std::size_t r = 0; r < fronts.size(); ++r) {
    for (std::size_t i : fronts[r]) rank[i] = r;
  }
  return rank;
}

std::vector<double> crowding_distance(const std::vector<Point>& points,
                                      const std::vector<std::size_t>& front) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::size_t n = front.size();
  std::vector<double> distance(n, 0.0);
  if (n <= 2) {
    std::fill(distance.begin(), distance.end(), inf);
    return distance;
  }
  const std::size_t m = points[front[0]].size();
  std::vector<std::size_t> order(n);
  for (std::size_t k = 0; k < m; ++k) {
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return points[front[a]][k] < points[front[b]][k];
    });
    const double lo = points[front[order.front()]][k];
    const double hi = points[front[order.back()]][k];
    distance[order.front()] = inf;
    distance[order.back()] = inf;
    const double span = hi - lo;
    // An objective with no spread (or an infinite one) cannot rank the
    // interior points; it only marks the boundary.
    if (!(span > 0) || span == inf) continue;
    for (std::size_t r = 1; r + 1 < n; ++r) {
      const double gap = points[front[order[r + 1]]][k] - points[front[order[r - 1]]][k];
      distance[order[r]] += gap / span;
    }
  }
  return distance;
}

std::vector<std::size_t> non_dominated(const std::vector<Point>& points) {
  return non_dominated_feasible(points, std::vector<double>(points.size(), 0.0));
}

std::vector<std::size_t> non_dominated_feasible(const std::vector<Point>& points,
                                                const std::vector<double>& violations) {
  // Sorting by the objectives lexicographically means a point can only be
  // dominated by one before it; comparing against the kept ones suffices.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (violations[i] == 0) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return points[a] < points[b]; });
  std::vector<std::size_t> kept;
  for (std::size_t i : order) {
    bool is_dominated = false;
    for (std::size_t j : kept) {
      if (dominates(points[j], points[i])) {
        is_dominated = true;
        break;
      }
    }
    if (!is_dominated) kept.push_back(i);
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

bool dominated_by_any(const std::vector<Point>& front, const Point& p) {
  return std::any_of(front.begin(), front.end(), [&](const Point& f) { return dominates(f, p); });
}

bool add_to_front(std::vector<Point>& front, Point p) {
  if (std::find(front.begin(), front.end(), p) != front.end() || dominated_by_any(front, p)) {
    return false;
  }
  front.erase(std::remove_if(front.begin(), front.end(),
                             [&](const Point& f) { return dominates(p, f); }),
              front.end());
  front.push_back(std::move(p));
  return true;
}

}  // namespace nas
