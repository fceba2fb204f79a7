#include <doctest/doctest.h>

#include <limits>
#include <set>

#include "core/errors.h"
#include "core/mbv3_space.h"
#include "core/nb201_space.h"
#include "estimators/nb201_cost.h"
#include "search/state_codec.h"
#include "search/nsga2.h"
#include "core/pareto.h"
#include "tests/search/strategy_test_util.h"

using namespace nas;

namespace {

SearchOptions nsga2_options(std::int64_t population) {
  SearchOptions o;
  o.strategy = "nsga2";
  o.population = population;
  return o;
}

}  // namespace

TEST_CASE("nsga2: mu random members first, then at most lambda children per ask") {
  const SearchSpace space = test::tiny_space();
  Nsga2 s(nsga2_options(6), space, 2, 1);
  const auto first = s.ask(30);
  CHECK(first.size() == 6);
  for (const Candidate& c : first) CHECK(c.parents.empty());
  std::vector<Outcome> outcomes;
  for (const Candidate& c : first) outcomes.push_back(test::tiny_outcome(c.arch));
  s.tell(outcomes);
  CHECK(!s.population().empty());
  const auto children = s.ask(30);
  CHECK(children.size() == Nsga2Tuning().offspring);
  for (const Candidate& c : children) CHECK(!c.parents.empty());
  CHECK_THROWS_AS(s.ask(1), Error);  // tell first
}

TEST_CASE("nsga2: the population keeps the whole first front of the archive") {
  const SearchSpace space = test::tiny_space();
  Nsga2 s(nsga2_options(2), space, 2, 3);
  const auto t = test::drive(s, test::tiny_outcome, 30, 5);
  std::vector<Point> points;
  for (const Outcome& o : t.outcomes) points.push_back(o.objectives);
  const auto front = non_dominated(points);
  REQUIRE(front.size() > 2);  // larger than mu
  CHECK(s.population().size() == front.size());
  for (std::size_t i : front) {
    bool in = false;
    for (const Outcome& m : s.population()) in = in || m.arch == t.outcomes[i].arch;
    CHECK(in);
  }
}

TEST_CASE("nsga2: feasible points rank before infeasible and excluded ones") {
  const SearchSpace space = test::tiny_space();
  // Only architectures with c == 3 are feasible; a == 0 are excluded.
  auto f = [](const Arch& a) {
    Outcome o = test::tiny_outcome(a);
    if (a.choices[0] == 0) {
      o.objectives = {std::numeric_limits<double>::infinity(),
                      std::numeric_limits<double>::infinity()};
      o.violation = std::numeric_limits<double>::infinity();
    } else if (a.choices[2] != 3) {
      o.violation = 3 - a.choices[2];
    }
    return o;
  };
  Nsga2 s(nsga2_options(4), space, 2, 8);
  test::drive(s, f, 40, 5);
  bool any_feasible = false;
  for (const Outcome& m : s.population()) any_feasible = any_feasible || m.feasible();
  REQUIRE(any_feasible);
  for (const Outcome& m : s.population()) CHECK(m.feasible());  // front 0 is feasible only
}

TEST_CASE("nsga2: the textbook setting runs and re-proposes nothing thanks to dedupe") {
  const SearchSpace space = test::tiny_space();
  SearchOptions o = nsga2_options(8);
  o.crossover_prob = 0.9;
  Nsga2Tuning textbook;
  textbook.offspring = 0;
  textbook.archive_selection = false;
  textbook.elite_front = false;
  textbook.adaptive_mutation = false;
  Nsga2 s(o, space, 2, 2, textbook);
  const auto t = test::drive(s, test::tiny_outcome, 48, 8);
  CHECK(t.asked.size() == 48);
  CHECK(t.distinct.size() == 48);
  CHECK(s.population().size() == 8);
}

TEST_CASE("nsga2: rejects a crossover probability outside [0, 1]") {
  const SearchSpace space = test::tiny_space();
  SearchOptions o = nsga2_options(8);
  o.crossover_prob = 1.5;
  CHECK_THROWS_WITH_AS(Nsga2(o, space, 2, 1), doctest::Contains("crossover_prob"), Error);
}

TEST_CASE("nsga2: the initial population starts with the named corners of the space") {
  const SearchSpace space = test::tiny_space();
  SearchOptions o = nsga2_options(4);
  o.initial_archs = {"largest", "smallest"};
  Nsga2 s(o, space, 2, 1);
  const auto first = s.ask(2);  // a batch smaller than the population
  REQUIRE(first.size() == 2);
  CHECK(space.id(first[0].arch) == space.id(largest_arch(space)));
  CHECK(space.id(first[1].arch) == space.id(smallest_arch(space)));
  std::vector<Outcome> outcomes;
  for (const Candidate& c : first) outcomes.push_back(test::tiny_outcome(c.arch));
  s.tell(outcomes);
  // The rest of the initial population is sampled, never a corner again.
  for (const Candidate& c : s.ask(2)) {
    CHECK(space.id(c.arch) != space.id(largest_arch(space)));
    CHECK(space.id(c.arch) != space.id(smallest_arch(space)));
  }
}

TEST_CASE("nsga2: a child is asked in its lean form first, as it is only after that") {
  const SearchSpace space = nb201_space();
  const auto lean = [&space](const Arch& a) { return nb201_without_dead_ops(space, a); };
  // Accuracy up with live convs, cost up with every op: the lean forms are better.
  const test::Objectives f = [&space](const Arch& arch) {
    const Nb201Cost c = nb201_cost(space, arch);
    Outcome o;
    o.arch = arch;
    o.objectives = {-static_cast<double>(c.live_conv3x3 + c.live_conv1x1),
                    static_cast<double>(c.all[0] + c.all[1] + c.all[2] + c.all[3])};
    return o;
  };
  Nsga2Tuning tuning;
  tuning.simplify = lean;
  Nsga2 s(nsga2_options(10), space, 2, 3, tuning);
  const auto trace = test::drive(s, f, 400, 10);
  REQUIRE(trace.distinct.size() == 400);
  std::set<std::string> asked;
  std::size_t lean_children = 0, variants = 0;
  for (std::size_t i = 0; i < trace.outcomes.size(); ++i) {
    const Arch& a = trace.outcomes[i].arch;
    const std::string lean_key = encode_arch(lean(a));
    if (i >= 10) {  // a child, not the random initial population
      if (lean_key == trace.distinct[i]) {
        ++lean_children;
      } else {
        CHECK(asked.count(lean_key) == 1);  // its lean form came first
        ++variants;
      }
    }
    asked.insert(trace.distinct[i]);
  }
  CHECK(lean_children > 100);
  CHECK(variants > 0);  // variants with dead ops are still asked later
  // make_strategy sets the step for the NB201 space.
  auto built = make_strategy(nsga2_options(10), space, 2, 3);
  CHECK(test::drive(*built, f, 400, 10).asked == trace.asked);
}
