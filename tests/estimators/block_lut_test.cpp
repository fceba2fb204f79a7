#include <doctest/doctest.h>

#include <cmath>

#include "core/errors.h"
#include "estimators/block_lut.h"

namespace {

// A small table in the Once-for-All / ProxylessNAS format.
const char* kTable = R"(# latency look-up table, milliseconds
Conv-input:224x224x3-output:112x112x16-stride:2:
  count: 20
  mean: 2.5
  std: 0.1
expanded_conv-input:112x112x16-output:56x56x24-expand:3-kernel:5-stride:2-idskip:0:
  count: 20
  mean: 1.75
  std: 0.2
expanded_conv-input:56x56x24-output:56x56x24-expand:6-kernel:3-stride:1-idskip:1:
  count: 20
  mean: 1.25
  var: 0.09
"expanded_conv-input:56x56x24-output:28x28x40-expand:4-kernel:7-stride:2-idskip:0":
  mean: 0.5
)";

}  // namespace

TEST_CASE("an OFA-format table gives a subnet the sum of its entries") {
  const nas::BlockLut lut = nas::BlockLut::parse_yaml(kTable, "test.yaml");
  CHECK(lut.size() == 4);
  const nas::LutEntry* e = lut.find("expanded_conv-input:56x56x24-output:56x56x24-expand:6-kernel:3-stride:1-idskip:1");
  REQUIRE(e != nullptr);
  CHECK(e->count == 20);
  CHECK(e->std == doctest::Approx(0.3));  // from var
  const std::vector<nas::LutBlock> subnet{
      {112, 112, 16, 56, 56, 24, 3, 5, 2, false},
      {56, 56, 24, 56, 56, 24, 6, 3, 1, true},
      {56, 56, 24, 28, 28, 40, 4, 7, 2, false},
  };
  const nas::Prediction p = lut.sum(subnet);
  CHECK(p.mean == doctest::Approx(1.75 + 1.25 + 0.5));
  CHECK(p.std == doctest::Approx(std::sqrt(0.04 + 0.09)));
  const nas::Prediction with_stem =
      lut.sum({"Conv-input:224x224x3-output:112x112x16-stride:2", nas::ofa_block_key(subnet[0])}, 0.4);
  CHECK(with_stem.mean == doctest::Approx(0.4 + 2.5 + 1.75));
  CHECK(nas::ofa_block_key(subnet[1]) ==
        "expanded_conv-input:56x56x24-output:56x56x24-expand:6-kernel:3-stride:1-idskip:1");
  // A block the table lacks is named.
  CHECK_THROWS_WITH_AS(lut.sum(std::vector<nas::LutBlock>{{56, 56, 24, 56, 56, 24, 4, 5, 1, true}}),
                       doctest::Contains("expand:4-kernel:5"), nas::Error);
}

TEST_CASE("malformed tables are refused with the line") {
  CHECK_THROWS_WITH_AS(nas::BlockLut::parse_yaml("a:\n  mean: x\n", "t.yaml"),
                       doctest::Contains("t.yaml:2: field \"mean\" is not a number"), nas::Error);
  CHECK_THROWS_WITH_AS(nas::BlockLut::parse_yaml("a:\n  count: 3\n", "t.yaml"),
                       doctest::Contains("t.yaml:1: entry \"a\" has no mean"), nas::Error);
  CHECK_THROWS_WITH_AS(nas::BlockLut::parse_yaml("a:\n  mean: 1\na:\n  mean: 2\n", "t.yaml"),
                       doctest::Contains("appears twice"), nas::Error);
  CHECK_THROWS_WITH_AS(nas::BlockLut::parse_yaml("  mean: 1\n", "t.yaml"),
                       doctest::Contains("before any key"), nas::Error);
  CHECK_THROWS_AS(nas::BlockLut::load_yaml("/nonexistent/lut.yaml"), nas::Error);
}
