// Pareto dominance and ranking under constrained domination (Deb et al.
// 2002, NSGA-II): the one definition every front in nas is built with.
//
// Every point is a vector of objective values in minimisation form plus a
// total constraint violation (0 = feasible, +inf = excluded). Point a
// constrained-dominates point b when
//   - a is feasible and b is not, or
//   - both are infeasible and a has the smaller violation, or
//   - both are feasible and a Pareto-dominates b (no worse in every
//     objective, strictly better in at least one).
// Two infeasible points with equal violation (two excluded ones, say) do not
// dominate each other. All functions take indices into the caller's vectors
// and never reorder them; results are deterministic (ties keep index order).
#pragma once

#include <cstddef>
#include <vector>

#include "core/objectives.h"

namespace nas {

using Point = std::vector<double>;

// `value` of an objective with `goal` in minimisation form: a maximised
// value is negated, a minimised one kept.
double to_minimised(Goal goal, double value);

// Plain Pareto dominance, minimisation. REQUIRES: a.size() == b.size().
bool dominates(const Point& a, const Point& b);

// Constrained domination as described above.
bool constrained_dominates(const Point& a, double violation_a, const Point& b,
                           double violation_b);

// Fast non-dominated sort (Deb 2002), O(M N^2). Returns the fronts, best
// first; each front lists indices in increasing order. `violations` may be
// empty (all feasible); otherwise REQUIRES: violations.size() == points.size().
std::vector<std::vector<std::size_t>> non_dominated_sort(const std::vector<Point>& points,
                                                         const std::vector<double>& violations);

// Rank (0 = first front) of every point, from non_dominated_sort.
std::vector<std::size_t> pareto_ranks(const std::vector<Point>& points,
                                      const std::vector<double>& violations);

// Crowding distance of the members of one front (indices into `points`), in
// the order of `front`. Boundary points of every objective get +inf; an
// objective whose values are all equal adds nothing. Fronts of one or two
// points are all boundary (+inf).
std::vector<double> crowding_distance(const std::vector<Point>& points,
                                      const std::vector<std::size_t>& front);

// Indices of the points no other point dominates (plain dominance; points
// with a +inf value included as given), in increasing order. Equal points are
// all kept.
std::vector<std::size_t> non_dominated(const std::vector<Point>& points);

// The same for the feasible points only (violation == 0); infeasible ones are
// never part of the result.
std::vector<std::size_t> non_dominated_feasible(const std::vector<Point>& points,
                                                const std::vector<double>& violations);

// Whether some member of `front` dominates `p`.
bool dominated_by_any(const std::vector<Point>& front, const Point& p);

// Keeps `front` (points none of which dominates another) up to date as
// points arrive one by one: adds `p` unless a member dominates or equals it,
// and drops the members `p` dominates. Returns whether `p` was added.
bool add_to_front(std::vector<Point>& front, Point p);

}  // namespace nas
