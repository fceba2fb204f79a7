// Learned predictors of one metric (a device's latency or energy, or accuracy)
// from (architecture, value) pairs, each prediction with an uncertainty.
//
// A predictor is trained on the values stored so far and refitted as values
// arrive (fit() replaces the training set). Its inputs are the space's
// decisions (the active choice of every decision; inactive decisions count as
// one more category) and, optionally, numeric features of the architecture
// (MACs, params, peak memory) from a FeatureFunction supplied by whoever knows
// the space's cost model. Values it predicts are labelled Source::kPredicted
// wherever they are stored or shown (estimators/predicted_evaluator.h).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/search_space.h"

namespace nas {

// Numeric features of an architecture besides its decisions, e.g. {MACs,
// params, peak activation bytes}; the same length for every architecture.
using FeatureFunction = std::function<std::vector<double>(const Arch&)>;

// A named set of features: one candidate reading of what an architecture
// costs, among which a predictor may choose (estimators/robust_linear_predictor.h).
struct FeatureView {
  std::string name;  // for describe() and logs ("ops reaching the output")
  FeatureFunction features;
};

// Categorical features of an architecture that replace its decisions as
// predictor inputs: a space-specific reading of them (NB201: an op on an edge
// whose output never reaches the cell's output counts as "dead"). Every
// architecture gets the same number of codes; equal codes mean equal inputs.
using CodeFunction = std::function<std::vector<int>(const Arch&)>;

struct Prediction {
  double mean = 0;  // the predicted value, in the metric's unit
  double std = 0;   // its uncertainty (one standard deviation), same unit
};

class Predictor {
 public:
  virtual ~Predictor() = default;

  // Replaces the training set with (archs[i], values[i]) and fits. Throws
  // nas::Error if the sizes differ, fewer than 2 points are given, a value is
  // not finite (or not positive for a log-scale predictor), or an arch does
  // not fit the space.
  virtual void fit(const std::vector<Arch>& archs, const std::vector<double>& values) = 0;

  // Whether fit() has succeeded at least once.
  virtual bool fitted() const = 0;

  // Number of training points of the last fit.
  virtual std::size_t size() const = 0;

  // REQUIRES: fitted(). Throws nas::Error otherwise.
  virtual Prediction predict(const Arch& arch) const = 0;
  virtual std::vector<Prediction> predict(const std::vector<Arch>& archs) const;

  // A short description of the fitted model for logs ("gp theta=4 noise=0.01").
  virtual std::string describe() const = 0;
};

// The numeric features nas knows for `space` (NB201: op counts by liveness
// and MACs, estimators/nb201_cost.h); empty for a space without a cost model
// here. `space` must outlive the function.
FeatureFunction default_features(const SearchSpace& space);

// Candidate feature views for a latency model of `space` (NB201: op counts
// by liveness, estimators/nb201_cost.h); empty for a space without a cost
// model here. `space` must outlive the functions.
std::vector<FeatureView> default_feature_views(const SearchSpace& space);

// A GP predictor (estimators/gp_predictor.h) with default_features(space) and
// a hyperparameter grid small enough to refit every step of a search.
std::unique_ptr<Predictor> make_search_predictor(const SearchSpace& space);

// A GP predictor of an accuracy told in minimisation form (-accuracy) on a
// scale whose best value is `best` (100 for percent, 1 for a fraction). It
// fits the log error rate, log(best - accuracy): that spreads the
// high-accuracy end, where a search compares its candidates, and shrinks the
// gap to the few broken cells near chance that would otherwise set the
// model's scale. NB201 inputs: the live edges' ops (estimators/nb201_cost.h;
// a dead edge computes nothing that reaches the output) and the live op
// counts and MACs. Figures: docs/decisions/0003-predictor-targets-and-features.md.
// Throws nas::Error for best <= 0.
std::unique_ptr<Predictor> make_accuracy_predictor(const SearchSpace& space, double best);

// Builds a fresh, unfitted predictor; strategies and evaluators that refit
// per metric take one of these.
using PredictorFactory = std::function<std::unique_ptr<Predictor>()>;

}  // namespace nas
