#include "core/random.h"

#include <doctest/doctest.h>

#include <vector>

#include "core/errors.h"

namespace nas {
namespace {

TEST_CASE("a saved generator continues the same sequence") {
  Rng a(42);
  for (int i = 0; i < 10; ++i) a();
  Rng b;
  load_rng(b, save_rng(a));
  for (int i = 0; i < 100; ++i) CHECK(a() == b());
  CHECK_THROWS_AS(load_rng(b, "not a state"), Error);
}

TEST_CASE("uniform_index stays in range and covers it") {
  Rng rng(1);
  std::vector<int> counts(5, 0);
  for (int i = 0; i < 5000; ++i) {
    const std::size_t k = uniform_index(rng, 5);
    REQUIRE(k < 5);
    ++counts[k];
  }
  for (int c : counts) CHECK(c > 850);  // about 1000 each
  for (int i = 0; i < 1000; ++i) {
    const double u = uniform_unit(rng);
    CHECK((u >= 0.0 && u < 1.0));
  }
}

}  // namespace
}  // namespace nas
