#include "search/rl/reinforce.h"

#include <doctest/doctest.h>

#include <ATen/Parallel.h>

#include <cmath>
#include <map>
#include <set>

#include "core/errors.h"
#include "search/state_codec.h"

namespace nas {
namespace {

// Three decisions of three choices; "b" matters only when "a" is "y".
SearchSpace tiny_space() {
  return SearchSpace("tiny", {{"a", {"x", "y", "z"}, "", {}},
                              {"b", {"x", "y", "z"}, "a", {"y"}},
                              {"c", {"x", "y", "z"}, "", {}}});
}

const Arch kBest{{1, 2, 0}};  // a = y, b = z, c = x

// Larger when closer to kBest; cost always under the target.
double quality(const Arch& arch) {
  double q = 50;
  if (arch.choices[0] == 1) q += 10;
  if (arch.choices[0] == 1 && arch.choices[1] == 2) q += 10;
  if (arch.choices[2] == 0) q += 10;
  return q;
}

ReinforceOptions options(const std::string& controller) {
  ReinforceOptions o;
  o.controller = controller;
  o.lstm_hidden = 16;
  o.learning_rate = 0.05;
  o.reward.quality_metric = "acc";
  o.reward.reward.type = "mnasnet_hard";
  o.reward.reward.metric = "ms";
  o.reward.reward.target = 10;
  return o;
}

std::vector<Outcome> outcomes_of(const std::vector<Candidate>& candidates) {
  std::vector<Outcome> out;
  for (const Candidate& c : candidates) {
    Outcome o;
    o.arch = c.arch;
    o.objectives = {-quality(c.arch)};
    o.values = {{"acc", quality(c.arch)}, {"ms", 5}};
    out.push_back(o);
  }
  return out;
}

// `steps` ask/tell rounds of `batch`; returns every candidate asked.
std::vector<Arch> train(Reinforce& rl, int steps, std::size_t batch = 8) {
  std::vector<Arch> asked;
  for (int s = 0; s < steps; ++s) {
    const auto candidates = rl.ask(batch);
    for (const auto& c : candidates) asked.push_back(c.arch);
    rl.tell(outcomes_of(candidates));
  }
  return asked;
}

std::set<std::string> all_archs(const SearchSpace& space) {
  std::set<std::string> out;
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 3; ++c) out.insert(encode_arch(space.canonical(Arch{{a, b, c}})));
  return out;
}

TEST_CASE("the best arch of a tiny space becomes more likely as the policy trains") {
  const SearchSpace space = tiny_space();
  for (const auto& [controller, risk] : std::vector<std::pair<std::string, double>>{
           {"factorized", 0.0}, {"factorized", 0.2}, {"lstm", 0.0}, {"lstm", 0.2}}) {
    CAPTURE(controller);
    CAPTURE(risk);
    ReinforceOptions o = options(controller);
    o.risk_epsilon = risk;
    Reinforce rl(o, space, 7);
    const double p0 = rl.probability(kBest);
    CHECK(p0 == doctest::Approx(1.0 / 27).epsilon(controller == "lstm" ? 0.5 : 1e-4));
    train(rl, 30);
    const double p30 = rl.probability(kBest);
    train(rl, 120);
    const double p150 = rl.probability(kBest);
    CHECK(rl.updates() == 150);
    CHECK(p30 > 2 * p0);
    CHECK(p150 > p30);
    CHECK(p150 > 0.5);
    // It is the most likely architecture.
    for (const std::string& text : all_archs(space)) {
      const Arch a = decode_arch(text, space);
      if (a != kBest) CHECK(rl.probability(a) < p150);
    }
  }
}

TEST_CASE("inactive decisions add nothing: the probabilities of all archs sum to 1") {
  const SearchSpace space = tiny_space();
  for (const std::string controller : {"factorized", "lstm"}) {
    CAPTURE(controller);
    Reinforce rl(options(controller), space, 3);
    train(rl, 20);
    double total = 0;
    for (const std::string& text : all_archs(space)) total += rl.probability(decode_arch(text, space));
    CHECK(total == doctest::Approx(1).epsilon(1e-5));
    // An inactive choice is ignored, not scored.
    CHECK(rl.probability(Arch{{0, 2, 1}}) == rl.probability(Arch{{0, 0, 1}}));
  }
}

TEST_CASE("samples follow the policy's probabilities and are canonical") {
  const SearchSpace space = tiny_space();
  for (const std::string controller : {"factorized", "lstm"}) {
    CAPTURE(controller);
    Reinforce rl(options(controller), space, 5);
    train(rl, 15);
    std::map<std::string, double> expected;
    for (const std::string& text : all_archs(space)) {
      expected[text] = rl.probability(decode_arch(text, space));
    }
    const std::size_t n = 20000;
    std::map<std::string, double> seen;
    for (const Candidate& c : rl.ask(n)) {
      CHECK(c.arch == space.canonical(c.arch));
      CHECK(c.parents.empty());
      seen[encode_arch(c.arch)] += 1.0 / n;
    }
    for (const auto& [text, p] : expected) {
      CAPTURE(text);
      CHECK(std::fabs(seen[text] - p) < 0.015);
    }
  }
}

TEST_CASE("a state saved mid-run continues bit for bit, whatever the thread count") {
  const SearchSpace space = tiny_space();
  for (const std::string controller : {"factorized", "lstm"}) {
    CAPTURE(controller);
    Reinforce whole(options(controller), space, 11);
    train(whole, 10);
    const std::string saved = whole.save_state().dump();
    const std::vector<Arch> expected = train(whole, 20, 5);

    const int threads = at::get_num_threads();
    at::set_num_threads(2);
    Reinforce resumed(options(controller), space, 999);  // the state brings the generator
    resumed.load_state(nlohmann::json::parse(saved));
    CHECK(resumed.save_state().dump() == saved);
    CHECK(train(resumed, 20, 5) == expected);
    CHECK(at::get_num_threads() == 2);  // the caller's setting is given back
    at::set_num_threads(threads);
    CHECK(resumed.save_state().dump() == whole.save_state().dump());
  }
}

TEST_CASE("candidates are new until the space is exhausted") {
  const SearchSpace space = tiny_space();  // 15 distinct architectures
  Reinforce rl(options("factorized"), space, 6);
  std::set<std::string> seen;
  const std::vector<Arch> asked = train(rl, 3, 5);
  for (const Arch& a : asked) seen.insert(encode_arch(a));
  CHECK(seen.size() == 15);
  CHECK(train(rl, 1, 5).size() == 5);  // then repeats, as the loop allows
}

TEST_CASE("a state saved between ask and tell keeps the pending candidates") {
  const SearchSpace space = tiny_space();
  Reinforce a(options("factorized"), space, 2);
  train(a, 3);
  const auto pending = a.ask(4);
  Reinforce b(options("factorized"), space, 2);
  b.load_state(a.save_state());
  CHECK_THROWS_WITH(b.ask(1), "rl: ask() called again before tell()");
  a.tell(outcomes_of(pending));
  b.tell(outcomes_of(pending));
  CHECK(a.save_state() == b.save_state());
}

TEST_CASE("unusable outcomes: skipped before any reward, then given the worst reward") {
  const SearchSpace space = tiny_space();
  ReinforceOptions o = options("factorized");
  o.risk_epsilon = 0;
  Reinforce rl(o, space, 4);
  auto candidates = rl.ask(3);
  std::vector<Outcome> unusable = outcomes_of(candidates);
  for (Outcome& u : unusable) u.values.erase("ms");
  rl.tell(unusable);
  CHECK(rl.updates() == 0);
  CHECK(std::isnan(rl.baseline()));

  candidates = rl.ask(3);
  std::vector<Outcome> mixed = outcomes_of(candidates);
  mixed[1].values.clear();
  double sum = 0, worst = 1e9;
  for (std::size_t k : {0u, 2u}) {
    sum += quality(candidates[k].arch);
    worst = std::min(worst, quality(candidates[k].arch));
  }
  rl.tell(mixed);
  CHECK(rl.updates() == 1);
  CHECK(rl.baseline() == doctest::Approx((sum + worst) / 3));  // the first mean
}

TEST_CASE("misuse and foreign states are errors") {
  const SearchSpace space = tiny_space();
  Reinforce rl(options("factorized"), space, 1);
  CHECK_THROWS_WITH(rl.ask(0), "rl: asked for 0 candidates");
  const auto candidates = rl.ask(2);
  CHECK_THROWS_WITH(rl.tell({}), "rl: told 0 outcomes for 2 candidates");
  auto swapped = outcomes_of(candidates);
  swapped[0].arch = Arch{{2, 0, 2}};
  if (candidates[0].arch != swapped[0].arch) {
    CHECK_THROWS_WITH(rl.tell(swapped), "rl: outcome 0 is not of the candidate asked");
  }
  rl.tell(outcomes_of(candidates));

  nlohmann::json state = rl.save_state();
  Reinforce lstm(options("lstm"), space, 1);
  CHECK_THROWS_WITH(lstm.load_state(state),
                    "rl state: the state is of the factorized controller, the run uses lstm");
  nlohmann::json other = state;
  other["strategy"] = "random";
  CHECK_THROWS_WITH(rl.load_state(other),
                    R"(rl state: the state belongs to another strategy ("random"))");
  nlohmann::json cut = state;
  cut["params"][0] = "AAAAAA==";
  CHECK_THROWS_WITH(rl.load_state(cut), doctest::Contains("rl state: parameter 0: holds"));
  nlohmann::json missing = state;
  missing.erase("adam");
  CHECK_THROWS_AS(rl.load_state(missing), Error);
  CHECK(rl.save_state() == state);  // a failed load changes nothing

  ReinforceOptions bad = options("gru");
  CHECK_THROWS_WITH(Reinforce(bad, space, 1), doctest::Contains("unknown rl controller 'gru'"));
}

}  // namespace
}  // namespace nas
