// A Gaussian-process predictor over categorical decisions (plus optional
// numeric features), the learned predictor nas uses by default.
//
// Kernel, on two architectures a and b of a space with D decisions:
//   k(a, b) = s2 * [ w * m(a, b) / D + v * <fa, fb> / E
//                    + (1 - w - v) * exp(-theta * h(a, b) / D - gamma * r2(a, b)) ]
// where m counts the decisions on which a and b agree (an inactive decision
// agrees only with an inactive one), h = D - m is their Hamming distance, fa
// and fb their E standardised extra features and r2 the mean squared
// difference of those. The first term is a linear model on one-hot decisions
// (per-choice costs, as a look-up table has), the second a linear model on the
// features (cost per MAC); the third, an exponentiated Hamming kernel,
// carries every interaction between decisions (which op feeds which). The prior mean
// is the training mean; the target is standardised (and log-transformed for
// positive metrics such as latency, so that errors are relative).
//
// Hyperparameters (w, v, theta, gamma, noise) are chosen on a small grid by the
// log marginal likelihood, with the scale s2 in closed form; fitting is
// deterministic. The uncertainty is the predictive standard deviation (latent
// plus noise); for a log-scale model mean = exp(mu), std = mean * sd.
//
// The target is raw, not log: latency is additive over ops, which a log
// breaks (figures: docs/decisions/0003-predictor-targets-and-features.md).
#pragma once

#include <string>
#include <vector>

#include "estimators/predictor.h"

namespace nas {

struct GpOptions {
  // Fit log(value - log_floor): for positive metrics (latency, energy) whose
  // errors are relative (floor 0), or a bounded one measured by its distance
  // to the bound (a minimised -accuracy with floor -100 fits the log error
  // rate). Values must then be > log_floor.
  bool log_target = false;
  double log_floor = 0;
  // Extra numeric features (MACs, params, memory); none when empty.
  FeatureFunction features;
  // Categorical inputs in place of the decisions; the decisions when empty.
  CodeFunction codes;
  // The hyperparameter grid searched by marginal likelihood.
  std::vector<double> linear_weights{0.0, 0.1, 0.3, 0.5};      // w (decisions)
  std::vector<double> feature_weights{0.0, 0.3, 0.5, 0.7, 0.9};  // v (features), with features only
  std::vector<double> thetas{0.5, 1, 2, 4, 8, 16};             // theta
  std::vector<double> gammas{0.25, 1, 4};                      // gamma, with features only
  std::vector<double> noises{1e-4, 1e-3, 1e-2, 0.03, 0.1, 0.3};  // noise / s2
};

class GpPredictor : public Predictor {
 public:
  // `space` must outlive the predictor.
  GpPredictor(const SearchSpace& space, GpOptions options);

  void fit(const std::vector<Arch>& archs, const std::vector<double>& values) override;
  bool fitted() const override { return !alpha_.empty(); }
  std::size_t size() const override { return codes_.size(); }
  Prediction predict(const Arch& arch) const override;
  std::vector<Prediction> predict(const std::vector<Arch>& archs) const override;
  std::string describe() const override;

  struct Hyper {
    double w = 0;      // weight of the linear kernel on decisions
    double v = 0;      // weight of the linear kernel on features
    double theta = 1;  // Hamming length scale of the exponential term (weight 1 - w - v)
    double gamma = 0;  // feature length scale of the exponential term
    double noise = 1e-2;
  };
  // The chosen hyperparameters (after fit).
  const Hyper& hyper() const { return hyper_; }

 private:
  struct Input {
    std::vector<int> code;      // choice per decision, -1 where inactive
    std::vector<double> extra;  // standardised features
  };
  Input input(const Arch& arch) const;
  // Kernel without the scale s2.
  static double kernel(const Input& a, const Input& b, const Hyper& h);

  const SearchSpace& space_;
  GpOptions options_;

  // Fitted state.
  std::vector<Input> codes_;
  std::vector<double> feature_mean_, feature_scale_;
  double y_mean_ = 0, y_scale_ = 1;
  Hyper hyper_;
  double s2_ = 1;
  std::vector<double> alpha_;  // (C + noise I)^-1 y in standardised units, C = K / s2
  std::vector<double> chol_;   // lower Cholesky factor of C + noise I, row-major n x n
};

}  // namespace nas
