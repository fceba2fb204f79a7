// A linear cost model, value = b + sum_k w_k * f_k(arch), fitted robustly:
// the per-operation cost table that nn-Meter-style kernel sums assume, learned
// from whole-network measurements.
//
// Why robust: measured latency has heavy tails. On the NB201 raspi4 column,
// 30 % of architectures lie more than 10 % from the median latency of the
// architectures with the same operations, and a few cells measured at 1 % of
// the median. Least squares chases those; the share of predictions within
// +-10 %, which a latency table is judged by, suffers.
//
// Fit, on the view's features plus an intercept:
//   1. least absolute deviations, by iteratively reweighted least squares
//      (30 rounds; a residual counts at least 0.1 % of its value), which no
//      single wild value can drag;
//   2. then least squares on relative error over the `keep` share of points
//      with the smallest relative residuals, repeated until that set stops
//      changing (at most 10 rounds).
// A tiny ridge keeps collinear counts (ops that always sum to a constant)
// solvable.
//
// Views: several feature functions may be offered (NB201: every op, the ops
// that reach the cell's output, the live ops; runtimes differ in which they
// execute). With more than one, k-fold cross-validation on the training set
// picks the view with the highest held-out Spearman correlation (the share
// within +-10 % breaks ties), then the model is refitted on every point.
//
// Uncertainty: prediction * 1.4826 * median relative residual of the kept
// training points (a robust standard deviation of relative error), at least
// 0.1 % of the prediction. It is a constant relative spread, not a
// per-architecture one: use the GP predictor where that matters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "estimators/predictor.h"

namespace nas {

struct RobustLinearOptions {
  std::vector<FeatureView> views;  // at least one
  double keep = 0.8;               // share of points the final least squares keeps, in (0, 1]
  int folds = 5;                   // cross-validation folds for picking a view
  std::uint64_t seed = 1;          // of the fold assignment
};

class RobustLinearPredictor : public Predictor {
 public:
  // Throws nas::Error for no views, a view without a function, keep outside
  // (0, 1] or folds < 2.
  explicit RobustLinearPredictor(RobustLinearOptions options);

  // Throws nas::Error (see Predictor::fit) and also when a feature function's
  // length varies or fewer points than features + 2 are given.
  void fit(const std::vector<Arch>& archs, const std::vector<double>& values) override;
  bool fitted() const override { return !weights_.empty(); }
  std::size_t size() const override { return size_; }
  using Predictor::predict;  // the batch form, one prediction per arch
  Prediction predict(const Arch& arch) const override;
  std::string describe() const override;

  // The view the last fit chose (index into options.views). REQUIRES: fitted().
  std::size_t view() const { return view_; }
  // Intercept first, then one weight per feature of the chosen view.
  const std::vector<double>& weights() const { return weights_; }

 private:
  RobustLinearOptions options_;
  std::size_t view_ = 0;
  std::vector<double> weights_;
  double relative_sd_ = 0;
  std::size_t size_ = 0;
};

}  // namespace nas
