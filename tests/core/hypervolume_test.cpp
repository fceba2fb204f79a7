#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/random.h"
#include "core/hypervolume.h"

using nas::Point;

TEST_CASE("2-d hypervolume against hand-computed values") {
  const Point ref{4, 4};
  CHECK(nas::hypervolume_2d({}, ref) == 0);
  CHECK(nas::hypervolume_2d({{1, 1}}, ref) == doctest::Approx(9));
  // Staircase (1,3) (2,2) (3,1): 3*1 + 2*1 + 1*1 = 6.
  CHECK(nas::hypervolume_2d({{1, 3}, {2, 2}, {3, 1}}, ref) == doctest::Approx(6));
  // Dominated and repeated points change nothing.
  CHECK(nas::hypervolume_2d({{3, 1}, {2, 2}, {1, 3}, {3, 3}, {2, 2}}, ref) ==
        doctest::Approx(6));
  // Points not strictly better than the reference contribute nothing.
  CHECK(nas::hypervolume_2d({{4, 0}, {0, 4}, {5, 5}}, ref) == 0);
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(nas::hypervolume_2d({{inf, inf}, {1, 1}}, ref) == doctest::Approx(9));
  // Negative (maximised) objectives: acc 92 and 94 above 90, latency vs 20.
  CHECK(nas::hypervolume_2d({{-92, 10}, {-94, 15}}, {-90, 20}) ==
        doctest::Approx(2 * 10 + 2 * 5));
}

TEST_CASE("d-dimensional hypervolume against hand-computed values") {
  CHECK(nas::hypervolume({{1}, {2}}, {5}) == doctest::Approx(4));
  CHECK(nas::hypervolume({{0, 0, 0}}, {1, 2, 3}) == doctest::Approx(6));
  // Reference (2,2,2): each of (0,1,1), (1,0,1), (1,1,0) dominates a box of
  // volume 2; any two overlap in the unit cube [1,2]^3, as do all three:
  // two points 2 + 2 - 1 = 3, three 6 - 3 + 1 = 4.
  CHECK(nas::hypervolume({{0, 1, 1}, {1, 0, 1}}, {2, 2, 2}) == doctest::Approx(3));
  CHECK(nas::hypervolume({{0, 1, 1}, {1, 0, 1}, {1, 1, 0}}, {2, 2, 2}) == doctest::Approx(4));
  // A 4-d unit corner.
  CHECK(nas::hypervolume({{0, 0, 0, 0}, {0.5, 0.5, 0.5, 0.5}}, {1, 1, 1, 1}) ==
        doctest::Approx(1));
  CHECK(nas::hypervolume({{1, 0, 0}}, {1, 1, 1}) == 0);
}

TEST_CASE("the general algorithm agrees with the 2-d sweep and inclusion-exclusion") {
  nas::Rng rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<Point> points;
    for (int i = 0; i < 30; ++i) points.push_back({nas::uniform_unit(rng), nas::uniform_unit(rng)});
    CHECK(nas::hypervolume(points, {1, 1}) ==
          doctest::Approx(nas::hypervolume_2d(points, {1, 1})));
  }
  // 3-d with two random points: |A| + |B| - |A and B|.
  for (int trial = 0; trial < 20; ++trial) {
    Point a{nas::uniform_unit(rng), nas::uniform_unit(rng), nas::uniform_unit(rng)};
    Point b{nas::uniform_unit(rng), nas::uniform_unit(rng), nas::uniform_unit(rng)};
    double va = 1, vb = 1, vab = 1;
    for (int k = 0; k < 3; ++k) {
      va *= 1 - a[k];
      vb *= 1 - b[k];
      vab *= 1 - std::max(a[k], b[k]);
    }
    CHECK(nas::hypervolume({a, b}, {1, 1, 1}) == doctest::Approx(va + vb - vab));
  }
}

TEST_CASE("a hypervolume curve counts queries that added no point and never falls") {
  const std::vector<Point> points{{2, 2}, {}, {1, 3}, {HUGE_VAL, 0}, {3, 1}};
  const std::vector<double> curve = nas::hypervolume_curve(points, {4, 4}, {1, 2, 3, 4, 5});
  REQUIRE(curve.size() == 5);
  CHECK(curve[0] == doctest::Approx(4));      // (2,2) alone
  CHECK(curve[1] == doctest::Approx(4));      // an empty point adds nothing
  CHECK(curve[2] == doctest::Approx(4 + 1));  // (1,3) adds the strip x in [1,2], y in [3,4]
  CHECK(curve[3] == doctest::Approx(5));      // a +inf value adds nothing
  CHECK(curve[4] == doctest::Approx(6));      // (3,1) adds x in [3,4], y in [1,2]
}

TEST_CASE("the query grid spreads about 200 counts and always ends at n") {
  CHECK(nas::query_grid(0).empty());
  CHECK(nas::query_grid(3) == std::vector<std::size_t>{1, 2, 3});
  const std::vector<std::size_t> ks = nas::query_grid(1001);
  CHECK(ks.front() == 5);
  CHECK(ks.back() == 1001);
  CHECK(ks.size() == 201);
  CHECK(std::is_sorted(ks.begin(), ks.end()));
}

TEST_CASE("one reference point lies 10 % beyond the worst usable value of every set") {
  const auto reference = nas::reference_beyond_worst({{{1, 10}, {3, 10}}, {{}, {2, HUGE_VAL}, {5, 0}}});
  REQUIRE(reference);
  CHECK((*reference)[0] == doctest::Approx(5 + 0.4));   // range 1..5
  CHECK((*reference)[1] == doctest::Approx(10 + 1.0));  // range 0..10
  CHECK(nas::reference_beyond_worst({{{7, 7}}}) == Point{8, 8});  // no range: 1 beyond
  CHECK_FALSE(nas::reference_beyond_worst({{{}, {HUGE_VAL, 1}}}));
}
