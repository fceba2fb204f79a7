#include "core/search_space.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "core/errors.h"

namespace nas {
namespace {

// A stage with depth {1,2} whose second block has its own kernel size.
SearchSpace stage_space() {
  return SearchSpace("stage", {{"depth", {"1", "2"}, "", {}},
                               {"kernel_1", {"3", "5"}, "", {}},
                               {"kernel_2", {"3", "5", "7"}, "depth", {"2"}}});
}

TEST_CASE("inactive decisions do not change the canonical form or the id") {
  const SearchSpace space = stage_space();
  const Arch a{{0, 1, 0}};
  const Arch b{{0, 1, 2}};  // kernel_2 differs but depth 1 makes it inactive
  CHECK(space.canonical_json(a) == space.canonical_json(b));
  CHECK(space.id(a) == space.id(b));
  CHECK(space.canonical(b) == a);
  CHECK(space.canonical_json(a) == R"({"depth":"1","kernel_1":"5"})");

  const Arch c{{1, 1, 2}};  // depth 2: kernel_2 counts
  CHECK(space.id(c) != space.id(a));
  CHECK(space.to_json(c)["kernel_2"] == "7");
}

TEST_CASE("ids are stable across builds and processes") {
  // Stored ids key every table: this value must never change.
  const SearchSpace space = stage_space();
  CHECK(space.id(Arch{{1, 0, 1}}) == space.id(space.from_json(nlohmann::json::parse(
                                         R"({"kernel_2":"5","depth":"2","kernel_1":"3"})"))));
  CHECK(space.id(Arch{{1, 0, 1}}).size() == 16);
  CHECK(space.id(Arch{{1, 0, 1}}) == "672e628a833e08e7");
}

TEST_CASE("cardinality counts distinct canonical architectures") {
  // depth 1: 2 kernels; depth 2: 2 x 3 = 6; total 8.
  CHECK(stage_space().cardinality() == doctest::Approx(8));
  std::set<std::string> ids;
  Rng rng(7);
  for (int i = 0; i < 500; ++i) ids.insert(stage_space().id(stage_space().sample(rng)));
  CHECK(ids.size() == 8);
}

TEST_CASE("from_json rejects what does not fit, naming it") {
  const SearchSpace space = stage_space();
  CHECK_THROWS_WITH_AS(space.from_json(nlohmann::json::parse(R"({"depth":"2","kernel_1":"3"})")),
                       doctest::Contains("decision 'kernel_2' is missing"), Error);
  CHECK_THROWS_WITH_AS(
      space.from_json(nlohmann::json::parse(R"({"depth":"1","kernel_1":"9"})")),
      doctest::Contains("decision 'kernel_1': unknown choice '9'"), Error);
  CHECK_THROWS_WITH_AS(space.from_json(nlohmann::json::parse(R"({"depth":"1","kernel_1":"3","x":"1"})")),
                       doctest::Contains("unknown decision 'x'"), Error);
  // Numbers are accepted for numeric choices.
  CHECK(space.from_json(nlohmann::json::parse(R"({"depth":1,"kernel_1":5})")) == Arch{{0, 1, 0}});
}

TEST_CASE("malformed spaces are refused") {
  CHECK_THROWS_WITH_AS(SearchSpace("s", {{"a", {}, "", {}}}), doctest::Contains("has no choices"),
                       Error);
  CHECK_THROWS_WITH_AS(SearchSpace("s", {{"a", {"1"}, "", {}}, {"a", {"1"}, "", {}}}),
                       doctest::Contains("name repeats"), Error);
  CHECK_THROWS_WITH_AS(SearchSpace("s", {{"a", {"1"}, "b", {"1"}}, {"b", {"1"}, "", {}}}),
                       doctest::Contains("is not an earlier decision"), Error);
  CHECK_THROWS_WITH_AS(SearchSpace("s", {{"a", {"1"}, "", {}}, {"b", {"1"}, "a", {"2"}}}),
                       doctest::Contains("has no choice '2'"), Error);
}

}  // namespace
}  // namespace nas
