#include "search/surrogate_search.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/errors.h"
#include "search/operators.h"
#include "core/hypervolume.h"
#include "core/metric.h"
#include "search/nsga2.h"
#include "core/pareto.h"
#include "search/state_codec.h"

namespace nas {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool usable(const Outcome& o) {
  if (!std::isfinite(o.violation)) return false;
  return std::all_of(o.objectives.begin(), o.objectives.end(),
                     [](double v) { return std::isfinite(v); });
}

}  // namespace

SurrogateSearch::SurrogateSearch(const SearchOptions& options, const SearchSpace& space,
                                 std::size_t num_objectives, std::uint64_t seed,
                                 PredictorFactory factory)
    : space_(space),
      num_objectives_(num_objectives),
      options_(options.surrogate),
      mutation_prob_(options.mutation_prob > 0
                         ? options.mutation_prob
                         : Nsga2::kDefaultMutationScale / static_cast<double>(space.num_decisions())),
      factory_(std::move(factory)),
      rng_(seed) {
  if (num_objectives_ == 0) throw Error("surrogate: a search needs at least one objective");
  if (options_.initial < 2) throw Error("surrogate: initial must be at least 2");
  if (options_.pool < 1) throw Error("surrogate: pool must be at least 1");
  if (!options_.reference.empty() && options_.reference.size() != num_objectives_) {
    throw Error("surrogate: the reference point has " + std::to_string(options_.reference.size()) +
                " values for " + std::to_string(num_objectives_) + " objectives");
  }
  if (!options_.metrics.empty() && options_.metrics.size() != num_objectives_) {
    throw Error("surrogate: " + std::to_string(options_.metrics.size()) + " metrics for " +
                std::to_string(num_objectives_) + " objectives");
  }
}

std::unique_ptr<Predictor> SurrogateSearch::model_of(std::size_t k,
                                                     const std::vector<double>& told) const {
  if (factory_) return factory_();
  // Told values are in minimisation form: a maximised accuracy's are <= 0.
  const bool maximised_accuracy =
      !options_.metrics.empty() && parse_metric(options_.metrics[k]).maximised() &&
      std::all_of(told.begin(), told.end(), [](double v) { return v <= 0; });
  if (!maximised_accuracy) return make_search_predictor(space_);
  const bool percent = std::any_of(told.begin(), told.end(), [](double v) { return v < -1; });
  return make_accuracy_predictor(space_, percent ? 100.0 : 1.0);
}

std::vector<Candidate> SurrogateSearch::ask(std::size_t n) {
  if (n == 0) throw Error("surrogate: ask(0)");
  if (!pending_.empty()) throw Error("surrogate: ask() twice without tell()");
  n = std::min(n, kDefaultBatch);
  const auto usable_count = static_cast<std::size_t>(
      std::count_if(archive_.begin(), archive_.end(), usable));
  pending_ = usable_count < static_cast<std::size_t>(options_.initial) ? ask_random(n)
                                                                        : ask_guided(n);
  for (const Candidate& c : pending_) {
    if (proposed_set_.insert(c.arch)) proposed_.push_back(c.arch);
  }
  return pending_;
}

std::vector<Candidate> SurrogateSearch::ask_random(std::size_t n) {
  std::vector<Candidate> out;
  ArchSet batch;
  for (std::size_t i = 0; i < n; ++i) {
    Arch a = sample_unseen(space_, proposed_set_, batch, Nsga2::kMaxRandomTries, rng_);
    batch.insert(a);
    out.push_back({std::move(a), {}});
  }
  return out;
}

std::vector<Candidate> SurrogateSearch::ask_guided(std::size_t n) {
  const std::size_t m = num_objectives_;
  // Training data, in the order told (deterministic fits).
  std::vector<Arch> archs;
  std::vector<std::vector<double>> targets(m);
  std::vector<const Outcome*> told;
  for (const Outcome& o : archive_) {
    if (!usable(o)) continue;
    archs.push_back(o.arch);
    for (std::size_t k = 0; k < m; ++k) targets[k].push_back(o.objectives[k]);
    told.push_back(&o);
  }
  std::vector<std::unique_ptr<Predictor>> models;
  for (std::size_t k = 0; k < m; ++k) {
    models.push_back(model_of(k, targets[k]));
    models.back()->fit(archs, targets[k]);
  }

  // The front: feasible non-dominated outcomes, or the least violating ones.
  std::vector<Point> points;
  std::vector<double> violations;
  for (const Outcome* o : told) {
    points.push_back(o->objectives);
    violations.push_back(o->violation);
  }
  std::vector<std::size_t> front_idx = non_dominated_feasible(points, violations);
  if (front_idx.empty()) {
    const double least = *std::min_element(violations.begin(), violations.end());
    std::vector<Point> least_points;
    std::vector<std::size_t> map;
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (violations[i] == least) {
        least_points.push_back(points[i]);
        map.push_back(i);
      }
    }
    for (std::size_t i : non_dominated(least_points)) front_idx.push_back(map[i]);
  }
  std::vector<Point> front;
  for (std::size_t i : front_idx) front.push_back(points[i]);

  // Reference point and ranges from every usable outcome.
  Point low(m, kInf), high(m, -kInf);
  for (const Point& p : points) {
    for (std::size_t k = 0; k < m; ++k) {
      low[k] = std::min(low[k], p[k]);
      high[k] = std::max(high[k], p[k]);
    }
  }
  Point reference(m), range(m);
  for (std::size_t k = 0; k < m; ++k) {
    range[k] = high[k] > low[k] ? high[k] - low[k] : 1;
    reference[k] = options_.reference.empty() ? high[k] + 0.1 * range[k] : options_.reference[k];
  }

  // The pool of unseen children.
  std::vector<Arch> pool;
  ArchSet pool_set;
  const auto want = static_cast<std::size_t>(options_.pool);
  for (std::size_t tries = 0; pool.size() < want && tries < 4 * want; ++tries) {
    Arch child;
    if (uniform_unit(rng_) < options_.random_share) {
      child = space_.sample(rng_);
    } else {
      const Arch& parent = told[front_idx[uniform_index(rng_, front_idx.size())]]->arch;
      child = mutate(space_, parent, mutation_prob_, rng_);
      if (uniform_unit(rng_) < 0.5) child = mutate(space_, child, mutation_prob_, rng_);
    }
    if (proposed_set_.contains(child) || !pool_set.insert(child)) continue;
    pool.push_back(std::move(child));
  }
  last_ = {pool.size(), 0};
  if (pool.empty()) return ask_random(n);  // fallback: the space is nearly exhausted

  std::vector<Point> mean(pool.size(), Point(m)), optimistic(pool.size(), Point(m));
  for (std::size_t k = 0; k < m; ++k) {
    const std::vector<Prediction> p = models[k]->predict(pool);
    for (std::size_t i = 0; i < pool.size(); ++i) {
      mean[i][k] = p[i].mean;
      optimistic[i][k] = p[i].mean - options_.explore * p[i].std;
    }
  }

  std::vector<Candidate> out;
  std::vector<bool> taken(pool.size(), false);
  while (out.size() < n && out.size() < pool.size()) {
    const double base = hypervolume(front, reference);
    double best = -kInf;
    std::size_t best_i = 0;
    std::size_t improving = 0;
    for (std::size_t i = 0; i < pool.size(); ++i) {
      if (taken[i]) continue;
      front.push_back(optimistic[i]);
      const double gain = hypervolume(front, reference) - base;
      front.pop_back();
      double score = gain;
      if (!(gain > 0)) {
        // How far (in range units) the optimistic point is from leaving the
        // dominated region: the smallest shift that makes it non-dominated.
        double eps = kInf;
        for (const Point& f : front) {
          double worst = -kInf;
          for (std::size_t k = 0; k < m; ++k) worst = std::max(worst, (optimistic[i][k] - f[k]) / range[k]);
          eps = std::min(eps, worst);
        }
        score = -std::max(eps, 0.0) - 1e-12;
      } else {
        ++improving;
      }
      if (score > best) {
        best = score;
        best_i = i;
      }
    }
    if (out.empty()) last_.improving = improving;
    taken[best_i] = true;
    front.push_back(mean[best_i]);  // kriging believer
    Candidate c;
    c.arch = pool[best_i];
    out.push_back(std::move(c));
  }
  return out;
}

void SurrogateSearch::tell(const std::vector<Outcome>& outcomes) {
  check_told("surrogate", outcomes, pending_.size(), num_objectives_);
  for (const Outcome& o : outcomes) {
    archive_.push_back(o);
  }
  pending_.clear();
}

nlohmann::json SurrogateSearch::save_state() const {
  return {{"strategy", name()},
          {"rng", save_rng(rng_)},
          {"archive", encode_outcomes(archive_)},
          {"proposed", encode_archs(proposed_)},
          {"pending", encode_candidates(pending_)}};
}

void SurrogateSearch::load_state(const nlohmann::json& state) {
  const std::string who = "surrogate";
  require_state_of(state, who, name());
  try {
    Rng rng;
    load_rng(rng, state_member(state, who, "rng").get<std::string>());
    std::vector<Outcome> archive = decode_outcomes(
        state_member(state, who, "archive").get<std::string>(), space_, num_objectives_);
    std::vector<Arch> proposed =
        decode_archs(state_member(state, who, "proposed").get<std::string>(), space_);
    std::vector<Candidate> pending = decode_candidates(state_member(state, who, "pending"), space_);
    ArchSet set;
    for (const Arch& a : proposed) set.insert(a);
    rng_ = rng;
    archive_ = std::move(archive);
    proposed_ = std::move(proposed);
    proposed_set_ = std::move(set);
    pending_ = std::move(pending);
  } catch (const nlohmann::json::exception& e) {
    throw Error(who + " state: " + e.what());
  }
}

}  // namespace nas
