#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <set>

#include "core/errors.h"

#include "search/operators.h"
#include "search/random_search.h"
#include "search/state_codec.h"
#include "tests/search/strategy_test_util.h"

using namespace nas;

TEST_CASE("random search: uniform over the choices") {
  const SearchSpace space = test::tiny_space();
  RandomSearch s(space, 2, 17);
  const auto t = test::drive(s, test::tiny_outcome, 64, 64);
  // All 64 in one batch without repeats: every choice of "a" 16 times.
  int counts[4] = {0, 0, 0, 0};
  for (const Outcome& o : t.outcomes) ++counts[o.arch.choices[0]];
  for (int c : counts) CHECK(c == 16);
}

TEST_CASE("mutation changes at least one active decision; crossover mixes parents") {
  const SearchSpace space = test::tiny_space();
  Rng rng(1);
  const Arch parent{{1, 2, 3}};
  for (int i = 0; i < 200; ++i) {
    const Arch child = mutate(space, parent, 0.01, rng);
    CHECK(child != parent);
    const Arch x = uniform_crossover(space, Arch{{0, 0, 0}}, Arch{{3, 3, 3}}, rng);
    for (int c : x.choices) CHECK((c == 0 || c == 3));
  }
  // Conditional: mutating depth 1 -> 2 switches "extra" on with any choice.
  const SearchSpace cond = test::conditional_space();
  std::set<int> extras;
  for (int i = 0; i < 200; ++i) {
    const Arch child = mutate(cond, Arch{{0, 1, 0}}, 1.0, rng);
    CHECK(cond.canonical(child) == child);
    if (child.choices[0] == 1) extras.insert(child.choices[2]);
  }
  CHECK(extras.size() == 3);
}

TEST_CASE("state codec round-trips doubles bit for bit, infinities included") {
  for (double v : {0.0, -0.0, 93.66, 1.0 / 3.0, -1e-300, 5e-324,
                   std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity()}) {
    const double back = decode_double(encode_double(v));
    CHECK(std::memcmp(&back, &v, sizeof v) == 0);
  }
  CHECK(std::isnan(decode_double(encode_double(std::nan("")))));
  CHECK_THROWS_AS(decode_double("1.5x"), Error);
  CHECK_THROWS_AS(decode_double(""), Error);
}
