#include <doctest/doctest.h>

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
