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

// What the models learn from: the usable outcomes told so far.
struct TrainingData {
  std::vector<Arch> archs;
  std::vector<std::vector<double>> targets;  // per objective, one value per arch
  std::vector<Point> points;                 // per arch, its objectives
  std::vector<double> violations;            // per arch
};

// The usable outcomes told so far, in the order told (deterministic fits).
TrainingData training_data(const std::vector<Outcome>& archive, std::size_t num_objectives) {
  TrainingData data;
  data.targets.resize(num_objectives);
  for (const Outcome& o : archive) {
    if (!usable(o)) continue;
    data.archs.push_back(o.arch);
    for (std::size_t k = 0; k < num_objectives; ++k) data.targets[k].push_back(o.objectives[k]);
    data.points.push_back(o.objectives);
    data.violations.push_back(o.violation);
  }
  return data;
}

// The front: feasible non-dominated outcomes, or the least violating ones.
std::vector<std::size_t> front_of(const std::vector<Point>& points,
                                  const std::vector<double>& violations) {
  std::vector<std::size_t> front_idx = non_dominated_feasible(points, violations);
  if (!front_idx.empty()) return front_idx;
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
  return front_idx;
}

// Where hypervolume is measured from, and each objective's spread (to compare
// distances across objectives).
struct Scale {
  Point reference;
  Point range;
};

// Reference point and ranges from every usable outcome; `given`, when not
// empty, is the reference point to use.
Scale scale_of(const std::vector<Point>& points, std::size_t m, const Point& given) {
  Point low(m, kInf), high(m, -kInf);
  for (const Point& p : points) {
    for (std::size_t k = 0; k < m; ++k) {
      low[k] = std::min(low[k], p[k]);
      high[k] = std::max(high[k], p[k]);
    }
  }
  Scale scale{Point(m), Point(m)};
  for (std::size_t k = 0; k < m; ++k) {
    scale.range[k] = high[k] > low[k] ? high[k] - low[k] : 1;
    scale.reference[k] = given.empty() ? high[k] + 0.1 * scale.range[k] : given[k];
  }
  return scale;
}

// The models' prediction for every pool member: the mean, and the optimistic
// point `explore` standard deviations better.
struct PoolPredictions {
  std::vector<Point> mean;
  std::vector<Point> optimistic;
};

PoolPredictions predict_pool(const std::vector<std::unique_ptr<Predictor>>& models,
                             const std::vector<Arch>& pool, double explore) {
  const std::size_t m = models.size();
  PoolPredictions out{std::vector<Point>(pool.size(), Point(m)),
                      std::vector<Point>(pool.size(), Point(m))};
  for (std::size_t k = 0; k < m; ++k) {
    const std::vector<Prediction> p = models[k]->predict(pool);
    for (std::size_t i = 0; i < pool.size(); ++i) {
      out.mean[i][k] = p[i].mean;
      out.optimistic[i][k] = p[i].mean - explore * p[i].std;
    }
  }
  return out;
}

// A dominated optimistic point's score: minus how far (in range units) it is
// from leaving the dominated region, the smallest shift that makes it
// non-dominated; always below any positive gain.
double dominated_score(const Point& optimistic, const std::vector<Point>& front,
                       const Point& range) {
  double eps = kInf;
  for (const Point& f : front) {
    double worst = -kInf;
    for (std::size_t k = 0; k < range.size(); ++k) {
      worst = std::max(worst, (optimistic[k] - f[k]) / range[k]);
    }
    eps = std::min(eps, worst);
  }
  return -std::max(eps, 0.0) - 1e-12;
}

// Up to n pool indices, greedily: each the largest optimistic hypervolume
// gain over `front`, which then takes the pick's mean as if told (kriging
// believer). `improving` is set to how many had a positive gain at the first
// pick.
std::vector<std::size_t> pick_by_gain(std::vector<Point> front, const Scale& scale,
                                      const PoolPredictions& predicted, std::size_t n,
                                      std::size_t& improving) {
  const std::size_t size = predicted.mean.size();
  std::vector<std::size_t> picked;
  std::vector<bool> taken(size, false);
  while (picked.size() < n && picked.size() < size) {
    const double base = hypervolume(front, scale.reference);
    double best = -kInf;
    std::size_t best_i = 0;
    std::size_t improving_now = 0;
    for (std::size_t i = 0; i < size; ++i) {
      if (taken[i]) continue;
      front.push_back(predicted.optimistic[i]);
      const double gain = hypervolume(front, scale.reference) - base;
      front.pop_back();
      double score = gain;
      if (gain > 0) {
        ++improving_now;
      } else {
        score = dominated_score(predicted.optimistic[i], front, scale.range);
      }
      if (score > best) {
        best = score;
        best_i = i;
      }
    }
    if (picked.empty()) improving = improving_now;
    taken[best_i] = true;
    front.push_back(predicted.mean[best_i]);
    picked.push_back(best_i);
  }
  return picked;
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
  const TrainingData data = training_data(archive_, num_objectives_);
  const std::vector<std::unique_ptr<Predictor>> models = fitted_models(data.archs, data.targets);
  const std::vector<std::size_t> front_idx = front_of(data.points, data.violations);
  const Scale scale = scale_of(data.points, num_objectives_, options_.reference);

  const std::vector<Arch> pool = child_pool(data.archs, front_idx);
  last_ = {pool.size(), 0};
  if (pool.empty()) return ask_random(n);  // fallback: the space is nearly exhausted

  std::vector<Point> front;
  for (std::size_t i : front_idx) front.push_back(data.points[i]);
  const PoolPredictions predicted = predict_pool(models, pool, options_.explore);
  std::vector<Candidate> out;
  for (std::size_t i : pick_by_gain(std::move(front), scale, predicted, n, last_.improving)) {
    Candidate c;
    c.arch = pool[i];
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::unique_ptr<Predictor>> SurrogateSearch::fitted_models(
    const std::vector<Arch>& archs, const std::vector<std::vector<double>>& targets) const {
  std::vector<std::unique_ptr<Predictor>> models;
  for (std::size_t k = 0; k < targets.size(); ++k) {
    models.push_back(model_of(k, targets[k]));
    models.back()->fit(archs, targets[k]);
  }
  return models;
}

// Children of front members (one or two mutations) and, at random_share, new
// random samples, none proposed before.
std::vector<Arch> SurrogateSearch::child_pool(const std::vector<Arch>& told,
                                              const std::vector<std::size_t>& front_idx) {
  std::vector<Arch> pool;
  ArchSet pool_set;
  const auto want = static_cast<std::size_t>(options_.pool);
  for (std::size_t tries = 0; pool.size() < want && tries < 4 * want; ++tries) {
    Arch child;
    if (uniform_unit(rng_) < options_.random_share) {
      child = space_.sample(rng_);
    } else {
      const Arch& parent = told[front_idx[uniform_index(rng_, front_idx.size())]];
      child = mutate(space_, parent, mutation_prob_, rng_);
      if (uniform_unit(rng_) < 0.5) child = mutate(space_, child, mutation_prob_, rng_);
    }
    if (proposed_set_.contains(child) || !pool_set.insert(child)) continue;
    pool.push_back(std::move(child));
  }
  return pool;
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
