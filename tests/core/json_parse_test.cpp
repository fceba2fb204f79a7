// The one parser of untrusted JSON text (core/json_parse.h).
#include "core/json_parse.h"

#include <doctest/doctest.h>

#include <string>

namespace nas {
namespace {

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST_CASE("nesting up to the documented depth is taken, one level more is refused") {
  CHECK_NOTHROW(parse_json(nested_arrays(kMaxJsonDepth)));
  CHECK_THROWS_WITH_AS(parse_json(nested_arrays(kMaxJsonDepth + 1)), "nested deeper than 64 levels",
                       JsonParseError);
  CHECK_THROWS_WITH_AS(parse_json(R"({"a": [1, )" + nested_arrays(200000) + "]}"),
                       "nested deeper than 64 levels", JsonParseError);
  try {
    parse_json("{\"a\": {\"b\": " + nested_arrays(100) + "}}");
  } catch (const JsonParseError& e) {
    CHECK(e.byte() == 12 + 62);  // where the 65th level opens
  }
}

TEST_CASE("no nlohmann exception leaves parse_json, and what it quotes stays short") {
  CHECK_THROWS_WITH_AS(parse_json("[1e999]"), "number overflow parsing '1e999'", JsonParseError);
  CHECK_THROWS_WITH_AS(parse_json("{\"a\": 1"), doctest::Contains("syntax error"), JsonParseError);
  try {
    parse_json("\"" + std::string(1 << 20, 'x'));
    FAIL("an unterminated string parsed");
  } catch (const JsonParseError& e) {
    CHECK(std::string(e.what()).size() < 300);
  }
}

TEST_CASE("printable_excerpt makes untrusted text fit one line") {
  CHECK(printable_excerpt(std::string("a\0b\nc", 5)) == "a?b?c");
  CHECK(printable_excerpt(std::string(100, 'x'), 10) == "xxxxxxxxxx...");
}

}  // namespace
}  // namespace nas
