#include <doctest/doctest.h>

#include "core/mbv3_space.h"
#include "search/evolution.h"
#include "search/state_codec.h"
#include "tests/search/strategy_test_util.h"

using namespace nas;

TEST_CASE("evolution: P random members first, then children of the queue, oldest out") {
  const SearchSpace space = test::tiny_space();
  SearchOptions o;
  o.population = 5;
  o.sample_size = 5;  // the whole population: the parent is always the best
  Evolution evo(o, space, 2, 1);
  const auto first = evo.ask(5);
  for (const Candidate& c : first) CHECK(c.parents.empty());
  std::vector<Outcome> outcomes;
  for (const Candidate& c : first) outcomes.push_back(test::tiny_outcome(c.arch));
  evo.tell(outcomes);
  REQUIRE(evo.population().size() == 5);

  // The best by the first objective becomes the parent of every child.
  const Outcome* best = &evo.population()[0];
  for (const Outcome& m : evo.population()) {
    if (m.objectives[0] < best->objectives[0]) best = &m;
  }
  const Arch best_arch = best->arch;
  const auto children = evo.ask(3);
  REQUIRE(children.size() == 3);
  for (const Candidate& c : children) {
    REQUIRE(c.parents.size() == 1);
    CHECK(c.parents[0] == best_arch);
    CHECK(c.arch != best_arch);
  }
  std::vector<Outcome> told;
  for (const Candidate& c : children) told.push_back(test::tiny_outcome(c.arch));
  evo.tell(told);
  // Ageing: the three oldest left, the children are the newest.
  REQUIRE(evo.population().size() == 5);
  CHECK(evo.population()[0].arch == first[3].arch);
  CHECK(evo.population()[1].arch == first[4].arch);
  CHECK(evo.population()[4].arch == children[2].arch);
}

TEST_CASE("evolution: feasible parents beat infeasible ones, then lower violation") {
  const SearchSpace space = test::tiny_space();
  SearchOptions o;
  o.population = 3;
  o.sample_size = 3;
  Evolution evo(o, space, 1, 2);
  const auto first = evo.ask(3);
  std::vector<Outcome> outcomes;
  const double f0[3] = {-10, -20, 5};
  const double violation[3] = {0.5, 0.2, 0};
  for (std::size_t i = 0; i < 3; ++i) {
    Outcome out;
    out.arch = first[i].arch;
    out.objectives = {f0[i]};
    out.violation = violation[i];
    outcomes.push_back(out);
  }
  evo.tell(outcomes);
  const auto child = evo.ask(1);
  REQUIRE(child[0].parents.size() == 1);
  CHECK(child[0].parents[0] == first[2].arch);  // the only feasible one
}

TEST_CASE("evolution: the initial population starts with the named corners of the space") {
  const SearchSpace space = test::tiny_space();
  SearchOptions o;
  o.population = 4;
  o.initial_archs = {"smallest"};
  Evolution evo(o, space, 2, 1);
  const auto first = evo.ask(4);
  REQUIRE(first.size() == 4);
  CHECK(space.id(first[0].arch) == space.id(smallest_arch(space)));
  for (std::size_t i = 1; i < first.size(); ++i) {
    CHECK(space.id(first[i].arch) != space.id(smallest_arch(space)));
  }
}
