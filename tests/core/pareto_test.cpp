#include <doctest/doctest.h>

#include <limits>
#include <vector>

#include "core/pareto.h"

using nas::Point;

namespace {
const double kInf = std::numeric_limits<double>::infinity();
}

TEST_CASE("dominance is Pareto dominance in minimisation form") {
  CHECK(nas::dominates({1, 2}, {2, 2}));
  CHECK(nas::dominates({1, 1}, {2, 3}));
  CHECK_FALSE(nas::dominates({1, 2}, {1, 2}));  // equal points
  CHECK_FALSE(nas::dominates({1, 3}, {2, 2}));  // trade-off
  CHECK_FALSE(nas::dominates({2, 2}, {1, 2}));
  CHECK(nas::dominates({1, 2}, {1, kInf}));
}

TEST_CASE("constrained domination: feasible first, then violation, then Pareto") {
  // A feasible point beats an infeasible one even with worse objectives.
  CHECK(nas::constrained_dominates({9, 9}, 0, {1, 1}, 0.5));
  CHECK_FALSE(nas::constrained_dominates({1, 1}, 0.5, {9, 9}, 0));
  // Two infeasible: the smaller violation wins, whatever the objectives.
  CHECK(nas::constrained_dominates({9, 9}, 0.1, {1, 1}, 0.2));
  CHECK_FALSE(nas::constrained_dominates({1, 1}, 0.2, {9, 9}, 0.1));
  // Equal violations: neither (also two excluded points).
  CHECK_FALSE(nas::constrained_dominates({1, 1}, 0.3, {9, 9}, 0.3));
  CHECK_FALSE(nas::constrained_dominates({1, 1}, kInf, {9, 9}, kInf));
  CHECK(nas::constrained_dominates({9, 9}, 5, {1, 1}, kInf));
  // Two feasible: Pareto dominance.
  CHECK(nas::constrained_dominates({1, 1}, 0, {2, 1}, 0));
  CHECK_FALSE(nas::constrained_dominates({1, 2}, 0, {2, 1}, 0));
}

TEST_CASE("non-dominated sort of feasible points") {
  //   0:(1,5) 1:(2,3) 2:(4,1) front 0; 3:(3,4) 4:(5,2) front 1; 5:(6,6) front 2
  const std::vector<Point> points{{1, 5}, {2, 3}, {4, 1}, {3, 4}, {5, 2}, {6, 6}};
  const auto fronts = nas::non_dominated_sort(points, {});
  REQUIRE(fronts.size() == 3);
  CHECK(fronts[0] == std::vector<std::size_t>{0, 1, 2});
  CHECK(fronts[1] == std::vector<std::size_t>{3, 4});
  CHECK(fronts[2] == std::vector<std::size_t>{5});
  CHECK(nas::pareto_ranks(points, {}) == std::vector<std::size_t>{0, 0, 0, 1, 1, 2});
}

TEST_CASE("non-dominated sort under constraints ranks infeasible points by violation") {
  const std::vector<Point> points{{1, 1}, {5, 5}, {6, 4}, {9, 9}, {0, 0}, {0, 0}};
  const std::vector<double> violations{0.5, 0, 0, 0, kInf, 0.2};
  const auto fronts = nas::non_dominated_sort(points, violations);
  REQUIRE(fronts.size() == 5);
  CHECK(fronts[0] == std::vector<std::size_t>{1, 2});  // feasible trade-off
  CHECK(fronts[1] == std::vector<std::size_t>{3});     // feasible, dominated
  CHECK(fronts[2] == std::vector<std::size_t>{5});     // violation 0.2
  CHECK(fronts[3] == std::vector<std::size_t>{0});     // violation 0.5
  CHECK(fronts[4] == std::vector<std::size_t>{4});     // excluded
}

TEST_CASE("equal points share a front") {
  const std::vector<Point> points{{1, 1}, {1, 1}, {2, 2}};
  const auto fronts = nas::non_dominated_sort(points, {0, 0, 0});
  REQUIRE(fronts.size() == 2);
  CHECK(fronts[0] == std::vector<std::size_t>{0, 1});
  CHECK(nas::non_dominated(points) == std::vector<std::size_t>{0, 1});
}

TEST_CASE("crowding distance on a hand-computed front") {
  // Sorted by f0: (0,10) (1,6) (3,5) (10,0); spans 10 and 10.
  const std::vector<Point> points{{3, 5}, {0, 10}, {10, 0}, {1, 6}};
  const std::vector<std::size_t> front{0, 1, 2, 3};
  const auto d = nas::crowding_distance(points, front);
  REQUIRE(d.size() == 4);
  CHECK(d[1] == kInf);
  CHECK(d[2] == kInf);
  // (1,6): neighbours (0,10) and (3,5): 3/10 + 5/10.
  CHECK(d[3] == doctest::Approx(0.8));
  // (3,5): neighbours (1,6) and (10,0): 9/10 + 6/10.
  CHECK(d[0] == doctest::Approx(1.5));
}

TEST_CASE("crowding distance: small fronts and flat objectives") {
  const std::vector<Point> points{{1, 2}, {2, 1}, {1, 1}, {2, 1}, {3, 1}};
  CHECK(nas::crowding_distance(points, {0, 1}) == std::vector<double>{kInf, kInf});
  // Objective 1 is flat over {2,3,4}: only objective 0 ranks the middle one.
  const auto d = nas::crowding_distance(points, {2, 3, 4});
  CHECK(d[0] == kInf);
  CHECK(d[2] == kInf);
  CHECK(d[1] == doctest::Approx(1.0));
}

TEST_CASE("non_dominated and its feasible variant") {
  const std::vector<Point> points{{3, 1}, {1, 3}, {2, 2}, {3, 3}, {0, 0}};
  CHECK(nas::non_dominated(points) == std::vector<std::size_t>{4});
  CHECK(nas::non_dominated_feasible(points, {0, 0, 0, 0, 1}) ==
        std::vector<std::size_t>{0, 1, 2});
  const std::vector<Point> three{{1, 2, 3}, {3, 2, 1}, {2, 2, 2}, {3, 3, 3}};
  CHECK(nas::non_dominated(three) == std::vector<std::size_t>{0, 1, 2});
}

TEST_CASE("to_minimised negates a maximised objective and keeps a minimised one") {
  CHECK(nas::to_minimised(nas::Goal::kMaximize, 93.5) == -93.5);
  CHECK(nas::to_minimised(nas::Goal::kMinimize, 12.0) == 12.0);
  // A better accuracy is a smaller minimised value.
  CHECK(nas::to_minimised(nas::Goal::kMaximize, 94) < nas::to_minimised(nas::Goal::kMaximize, 93));
}

TEST_CASE("a front kept point by point ends as the non-dominated set, without duplicates") {
  const std::vector<Point> arrivals{{3, 3}, {3, 1}, {2, 2}, {2, 2}, {1, 3}, {1, 1}, {0, 5}};
  std::vector<Point> front;
  CHECK(nas::add_to_front(front, arrivals[0]));
  CHECK(nas::add_to_front(front, arrivals[1]));  // drops (3,3)
  CHECK(front == std::vector<Point>{{3, 1}});
  CHECK(nas::add_to_front(front, arrivals[2]));
  CHECK_FALSE(nas::add_to_front(front, arrivals[3]));  // equal to a member
  CHECK(nas::add_to_front(front, arrivals[4]));
  CHECK(nas::add_to_front(front, arrivals[5]));  // dominates all three
  CHECK(front == std::vector<Point>{{1, 1}});
  CHECK(nas::add_to_front(front, arrivals[6]));  // a trade-off
  CHECK_FALSE(nas::add_to_front(front, {2, 2}));
  CHECK(front == std::vector<Point>{{1, 1}, {0, 5}});

  CHECK(nas::dominated_by_any(front, {1, 2}));
  CHECK_FALSE(nas::dominated_by_any(front, {1, 1}));  // equal is not dominated
  CHECK_FALSE(nas::dominated_by_any(front, {0.5, 1.5}));
  CHECK_FALSE(nas::dominated_by_any({}, {9, 9}));
}
