#include "search/rl/blob_codec.h"

#include <doctest/doctest.h>

#include <cstring>
#include <limits>

#include "core/errors.h"

namespace nas {
namespace {

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST_CASE("floats round-trip bit for bit through base64") {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> all{0.0f, -0.0f, 1.0f, -2.5f, 3.14159265f, 1e-40f, inf, -inf,
                               std::numeric_limits<float>::quiet_NaN()};
  for (std::size_t n = 0; n <= all.size(); ++n) {
    const std::vector<float> v(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
    const std::string text = encode_floats(v);
    CHECK(text.size() == (4 * n + 2) / 3 * 4);
    CHECK(same_bits(decode_floats(text, n, "x"), v));
  }
  CHECK(encode_floats({1.0f}) == "AACAPw==");  // little-endian 0x3f800000
}

TEST_CASE("malformed text is an error naming the array") {
  CHECK_THROWS_WITH(decode_floats("AACAPw==", 2, "parameter 3"),
                    "rl state: parameter 3: holds 4 bytes, expected 8 (2 values)");
  CHECK_THROWS_WITH(decode_floats("AACAPw=", 1, "p"), doctest::Contains("not base64"));
  CHECK_THROWS_WITH(decode_floats("AA*APw==", 1, "p"), doctest::Contains("not base64"));
  CHECK_THROWS_WITH(decode_floats("AA=APw==", 1, "p"), doctest::Contains("not base64"));
}

}  // namespace
}  // namespace nas
