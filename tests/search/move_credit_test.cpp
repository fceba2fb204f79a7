#include <doctest/doctest.h>

#include <map>

#include "core/errors.h"
#include "search/move_credit.h"
#include "search/nsga2.h"
#include "tests/search/strategy_test_util.h"

using namespace nas;

TEST_CASE("move credit: a draw changes an active decision to another of its choices") {
  const SearchSpace space = test::conditional_space();
  MoveCredit credit(space);
  Rng rng(7);
  const Arch shallow = space.canonical(Arch{{0, 1, 0}});  // "extra" inactive
  REQUIRE(!space.is_active(shallow, 2));
  std::map<std::pair<std::size_t, int>, int> seen;
  for (int i = 0; i < 400; ++i) {
    const auto move = credit.draw(shallow, rng);
    REQUIRE(move);
    CHECK(move->decision != 2);
    CHECK(move->choice != shallow.choices[move->decision]);
    ++seen[{move->decision, move->choice}];
  }
  // depth -> 2, k -> 3 or 7: every legal move, none other.
  CHECK(seen.size() == 3);
}

TEST_CASE("move credit: moves that bred front members are drawn more often") {
  const SearchSpace space = test::tiny_space();
  MoveCredit credit(space);
  const Move good{1, 3};
  for (int i = 0; i < 40; ++i) {
    credit.record(good, true);
    credit.record({0, 1}, false);
    credit.record({2, 2}, false);
  }
  Rng rng(3);
  const Arch parent{{0, 0, 0}};
  int good_draws = 0;
  const int draws = 1000;
  for (int i = 0; i < draws; ++i) {
    const auto m = credit.draw(parent, rng);
    REQUIRE(m);
    good_draws += m->decision == good.decision && m->choice == good.choice;
  }
  // Its rate is 41/42 against 1/2 for the 6 untried moves and 1/42 for the
  // 2 failed ones: about 24 % of draws, against 1/9 = 11 % uniformly.
  CHECK(good_draws > 180);
  CHECK(good_draws < 320);
}

TEST_CASE("move credit: the counts round-trip, and a state of another space is refused") {
  const SearchSpace space = test::tiny_space();
  MoveCredit credit(space);
  credit.record({0, 2}, true);
  credit.record({2, 1}, false);
  MoveCredit restored(space);
  restored.load(credit.save());
  CHECK(restored.save() == credit.save());
  MoveCredit other(test::conditional_space());
  CHECK_THROWS_WITH_AS(other.load(credit.save()), doctest::Contains("moves stored"), Error);
}

TEST_CASE("nsga2: by default each child changes exactly one decision of its parent") {
  const SearchSpace space = test::tiny_space();
  SearchOptions o;
  o.strategy = "nsga2";
  o.population = 6;
  Nsga2 s(o, space, 2, 5);
  std::vector<Outcome> outcomes;
  for (const Candidate& c : s.ask(6)) outcomes.push_back(test::tiny_outcome(c.arch));
  s.tell(outcomes);
  for (int generation = 0; generation < 4; ++generation) {
    outcomes.clear();
    for (const Candidate& c : s.ask(6)) {
      outcomes.push_back(test::tiny_outcome(c.arch));
      if (c.parents.size() != 1) continue;  // an unseen random fallback
      int changed = 0;
      for (std::size_t i = 0; i < space.num_decisions(); ++i) {
        changed += c.arch.choices[i] != c.parents[0].choices[i];
      }
      CHECK(changed == 1);
    }
    s.tell(outcomes);
  }
}
