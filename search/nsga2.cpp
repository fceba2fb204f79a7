#include "search/nsga2.h"

#include <algorithm>
#include <numeric>

#include "core/errors.h"
#include "core/pareto.h"
#include "search/state_codec.h"

namespace nas {

Nsga2::Nsga2(const SearchOptions& options, const SearchSpace& space, std::size_t num_objectives,
             std::uint64_t seed, Nsga2Tuning tuning)
    : space_(space),
      num_objectives_(num_objectives),
      mu_(static_cast<std::size_t>(std::max<std::int64_t>(2, options.population))),
      crossover_prob_(options.crossover_prob),
      mutation_prob_(options.mutation_prob > 0
                         ? options.mutation_prob
                         : kDefaultMutationScale / static_cast<double>(
                                                       std::max<std::size_t>(1, space.num_decisions()))),
      tuning_(tuning),
      adaptive_(tuning.adaptive_mutation && options.mutation_prob <= 0),
      rng_(seed),
      initial_archs_(options.initial_archs),
      credit_(space) {
  if (num_objectives_ == 0) throw Error("nsga2: needs at least one objective");
  if (tuning_.offspring == 0) tuning_.offspring = mu_;
  if (crossover_prob_ < 0 || crossover_prob_ > 1) {
    throw Error("nsga2: crossover_prob must be in [0, 1]");
  }
}

std::size_t Nsga2::tournament() {
  const std::size_t a = uniform_index(rng_, population_.size());
  const std::size_t b = uniform_index(rng_, population_.size());
  if (rank_[b] != rank_[a]) return rank_[b] < rank_[a] ? b : a;
  return crowding_[b] > crowding_[a] ? b : a;
}

Candidate Nsga2::make_child(const ArchSet& batch, std::optional<Move>& move) {
  auto seen = [&](const Arch& arch) {
    return tuning_.dedupe && (proposed_set_.contains(arch) || batch.contains(arch));
  };
  Candidate c;
  for (std::size_t attempt = 0; attempt <= kMaxRetries; ++attempt) {
    c.parents.clear();
    move.reset();
    const Arch& first = population_[tournament()].arch;
    c.parents.push_back(first);
    if (uniform_unit(rng_) < crossover_prob_) {
      const Arch& second = population_[tournament()].arch;
      c.parents.push_back(second);
      c.arch = mutate(space_, uniform_crossover(space_, first, second, rng_), mutation_prob_, rng_,
                      /*at_least_one=*/false);
    } else if (adaptive_) {
      move = credit_.draw(first, rng_);
      c.arch = move ? change_decision(space_, first, move->decision, move->choice, rng_) : first;
    } else {
      c.arch = mutate(space_, first, mutation_prob_, rng_);
    }
    if (tuning_.simplify) {
      Arch lean = tuning_.simplify(c.arch);
      if (lean.choices != c.arch.choices && !seen(lean)) c.arch = std::move(lean);
    }
    if (!seen(c.arch)) return c;
  }
  move.reset();
  Arch fresh = sample_unseen(space_, proposed_set_, batch, kMaxRandomTries, rng_);
  if (!seen(fresh)) {
    c.arch = std::move(fresh);
    c.parents.clear();
  }
  return c;
}

std::vector<Candidate> Nsga2::ask(std::size_t n) {
  if (n == 0) throw Error("nsga2: asked for 0 candidates");
  if (!pending_.empty()) throw Error("nsga2: ask() called again before tell()");
  ArchSet batch;
  if (initial_asked_ < mu_ || population_.empty()) {
    const std::size_t k = initial_asked_ < mu_ ? std::min(n, mu_ - initial_asked_) : n;
    for (std::size_t i = 0; i < k; ++i) {
      Candidate c;
      c.arch = initial_member(space_, initial_archs_, initial_asked_ + i, proposed_set_, batch,
                              kMaxRandomTries, rng_);
      batch.insert(c.arch);
      pending_.push_back(std::move(c));
      pending_moves_.emplace_back();
    }
    initial_asked_ = std::min(mu_, initial_asked_ + k);
  } else {
    const std::size_t k = std::min(n, tuning_.offspring);
    for (std::size_t i = 0; i < k; ++i) {
      std::optional<Move> move;
      Candidate c = make_child(batch, move);
      batch.insert(c.arch);
      pending_.push_back(std::move(c));
      pending_moves_.push_back(move);
    }
  }
  for (const Candidate& c : pending_) {
    if (proposed_set_.insert(c.arch)) proposed_.push_back(c.arch);
  }
  return pending_;
}

void Nsga2::tell(const std::vector<Outcome>& outcomes) {
  check_told("nsga2", outcomes, pending_.size(), num_objectives_);
  const bool generation = !population_.empty();
  credit_moves(outcomes);
  for (const Outcome& o : outcomes) {
    if (archive_set_.insert(o.arch)) archive_.push_back(o);
    offspring_.push_back(o);
  }
  pending_.clear();
  pending_moves_.clear();
  if (generation || initial_asked_ >= mu_) select();
}

void Nsga2::credit_moves(const std::vector<Outcome>& outcomes) {
  // A move succeeded when its child is not dominated by the front it was
  // bred from (the population's first rank).
  for (std::size_t k = 0; k < outcomes.size() && k < pending_moves_.size(); ++k) {
    if (!pending_moves_[k]) continue;
    const Outcome& child = outcomes[k];
    bool dominated = false;
    for (std::size_t i = 0; i < population_.size() && !dominated; ++i) {
      dominated = rank_[i] == 0 &&
                  constrained_dominates(population_[i].objectives, population_[i].violation,
                                        child.objectives, child.violation);
    }
    credit_.record(*pending_moves_[k], !dominated);
  }
}

void Nsga2::select() {
  std::vector<Outcome> pool;
  if (tuning_.archive_selection) {
    pool = archive_;
  } else {
    // Parents and children, each architecture once (a repeat adds nothing).
    ArchSet in_pool;
    for (const Outcome& o : population_) {
      if (in_pool.insert(o.arch)) pool.push_back(o);
    }
    for (const Outcome& o : offspring_) {
      if (in_pool.insert(o.arch)) pool.push_back(o);
    }
  }
  offspring_.clear();

  std::vector<Point> points;
  std::vector<double> violations;
  points.reserve(pool.size());
  violations.reserve(pool.size());
  for (const Outcome& o : pool) {
    points.push_back(o.objectives);
    violations.push_back(o.violation);
  }
  const auto fronts = non_dominated_sort(points, violations);

  std::vector<Outcome> next;
  std::vector<std::size_t> next_rank;
  std::vector<double> next_crowding;
  for (std::size_t r = 0; r < fronts.size() && next.size() < mu_; ++r) {
    const std::vector<std::size_t>& front = fronts[r];
    const std::vector<double> crowding = crowding_distance(points, front);
    std::vector<std::size_t> order(front.size());
    std::iota(order.begin(), order.end(), 0);
    std::size_t take = front.size();
    const bool whole = next.size() + front.size() <= mu_ || (r == 0 && tuning_.elite_front);
    if (!whole) {
      take = mu_ - next.size();
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t a, std::size_t b) { return crowding[a] > crowding[b]; });
      order.resize(take);
      std::sort(order.begin(), order.end());
    }
    for (std::size_t k : order) {
      next.push_back(pool[front[k]]);
      next_rank.push_back(r);
      next_crowding.push_back(crowding[k]);
    }
  }
  population_ = std::move(next);
  rank_ = std::move(next_rank);
  crowding_ = std::move(next_crowding);
}

nlohmann::json Nsga2::save_state() const {
  return {{"strategy", name()},
          {"rng", save_rng(rng_)},
          {"population", encode_outcomes(population_)},
          {"rank", rank_},
          {"crowding", [this] {
             nlohmann::json list = nlohmann::json::array();
             for (double c : crowding_) list.push_back(encode_double(c));
             return list;
           }()},
          {"archive", encode_outcomes(archive_)},
          {"offspring", encode_outcomes(offspring_)},
          {"initial_asked", initial_asked_},
          {"proposed", encode_archs(proposed_)},
          {"pending", encode_candidates(pending_)},
          {"credit", credit_.save()},
          {"pending_moves", [this] {
             nlohmann::json list = nlohmann::json::array();
             for (const auto& m : pending_moves_) {
               list.push_back(m ? nlohmann::json{m->decision, m->choice} : nlohmann::json(nullptr));
             }
             return list;
           }()}};
}

void Nsga2::load_state(const nlohmann::json& state) {
  const std::string who = "nsga2";
  require_state_of(state, who, name());
  try {
    Rng rng;
    load_rng(rng, state_member(state, who, "rng").get<std::string>());
    auto outcomes = [&](const char* key) {
      return decode_outcomes(state_member(state, who, key).get<std::string>(), space_,
                             num_objectives_);
    };
    std::vector<Outcome> population = outcomes("population");
    std::vector<Outcome> archive = outcomes("archive");
    std::vector<Outcome> offspring = outcomes("offspring");
    auto rank = state_member(state, who, "rank").get<std::vector<std::size_t>>();
    std::vector<double> crowding;
    for (const auto& c : state_member(state, who, "crowding")) {
      crowding.push_back(decode_double(c.get<std::string>()));
    }
    if (rank.size() != population.size() || crowding.size() != population.size()) {
      throw Error(who + " state: ranks and crowding do not match the population");
    }
    const auto initial = state_member(state, who, "initial_asked").get<std::size_t>();
    std::vector<Arch> proposed =
        decode_archs(state_member(state, who, "proposed").get<std::string>(), space_);
    std::vector<Candidate> pending = decode_candidates(state_member(state, who, "pending"), space_);
    MoveCredit credit(space_);
    credit.load(state_member(state, who, "credit"));
    std::vector<std::optional<Move>> pending_moves;
    for (const auto& m : state_member(state, who, "pending_moves")) {
      if (m.is_null()) {
        pending_moves.emplace_back();
        continue;
      }
      const Move move{m.at(0).get<std::size_t>(), m.at(1).get<int>()};
      if (move.decision >= space_.num_decisions() || move.choice < 0 ||
          move.choice >= static_cast<int>(space_.decision(move.decision).choices.size())) {
        throw Error(who + " state: a pending move is outside the space");
      }
      pending_moves.push_back(move);
    }
    if (pending_moves.size() != pending.size()) {
      throw Error(who + " state: pending moves do not match the pending candidates");
    }

    rng_ = rng;
    population_ = std::move(population);
    rank_ = std::move(rank);
    crowding_ = std::move(crowding);
    archive_ = std::move(archive);
    archive_set_.clear();
    for (const Outcome& o : archive_) archive_set_.insert(o.arch);
    offspring_ = std::move(offspring);
    initial_asked_ = initial;
    proposed_ = std::move(proposed);
    proposed_set_.clear();
    for (const Arch& a : proposed_) proposed_set_.insert(a);
    pending_ = std::move(pending);
    credit_ = std::move(credit);
    pending_moves_ = std::move(pending_moves);
  } catch (const nlohmann::json::exception& e) {
    throw Error(who + " state: " + e.what());
  }
}

}  // namespace nas
