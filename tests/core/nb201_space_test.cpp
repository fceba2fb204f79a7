#include "core/nb201_space.h"

#include <doctest/doctest.h>

#include "core/errors.h"

namespace nas {
namespace {

TEST_CASE("nb201 cell strings round-trip") {
  const SearchSpace space = nb201_space();
  CHECK(space.num_decisions() == 6);
  CHECK(space.cardinality() == doctest::Approx(15625));
  const std::string cell =
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
      "skip_connect~2|";
  const Arch arch = nb201_from_string(space, cell);
  CHECK(arch == Arch{{3, 3, 4, 1, 3, 1}});
  CHECK(nb201_to_string(space, arch) == cell);
}

TEST_CASE("malformed nb201 cell strings are refused with the reason") {
  const SearchSpace space = nb201_space();
  CHECK_THROWS_WITH_AS(nb201_from_string(space, "|conv_9x9~0|+|none~0|none~1|+|none~0|none~1|none~2|"),
                       doctest::Contains("unknown operation 'conv_9x9'"), Error);
  CHECK_THROWS_WITH_AS(nb201_from_string(space, "|none~1|+|none~0|none~1|+|none~0|none~1|none~2|"),
                       doctest::Contains("must read from node 0"), Error);
  CHECK_THROWS_WITH_AS(nb201_from_string(space, "|none~0|+|none~0|none~1|"),
                       doctest::Contains("expected"), Error);
}

}  // namespace
}  // namespace nas
