#include "estimators/robust_linear_predictor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "core/errors.h"
#include "estimators/prediction_quality.h"

namespace nas {
namespace {

using Matrix = std::vector<std::vector<double>>;  // rows of [1, features...]

constexpr int kL1Rounds = 30;
constexpr int kTrimRounds = 10;
constexpr double kMinRelative = 1e-3;  // floor of a residual's size, relative to its value
constexpr double kRidge = 1e-9;        // relative to the normal matrix's mean diagonal

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  return std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
}

// argmin_w sum_i weight_i * (x_i . w - y_i)^2 over the rows in `rows`, by the
// normal equations and Gaussian elimination with partial pivoting.
std::vector<double> weighted_least_squares(const Matrix& x, const std::vector<double>& y,
                                           const std::vector<double>& weight,
                                           const std::vector<std::size_t>& rows) {
  const std::size_t p = x.front().size();
  Matrix a(p, std::vector<double>(p + 1, 0.0));  // [A | b]
  for (std::size_t i : rows) {
    for (std::size_t r = 0; r < p; ++r) {
      const double wx = weight[i] * x[i][r];
      for (std::size_t c = 0; c < p; ++c) a[r][c] += wx * x[i][c];
      a[r][p] += wx * y[i];
    }
  }
  double trace = 0;
  for (std::size_t r = 0; r < p; ++r) trace += a[r][r];
  const double ridge = kRidge * std::max(trace / static_cast<double>(p), 1e-300);
  for (std::size_t r = 0; r < p; ++r) a[r][r] += ridge;
  for (std::size_t col = 0; col < p; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < p; ++r) {
      if (std::abs(a[r][col]) > std::abs(a[pivot][col])) pivot = r;
    }
    std::swap(a[col], a[pivot]);
    if (a[col][col] == 0) throw Error("robust linear predictor: singular normal equations");
    for (std::size_t r = col + 1; r < p; ++r) {
      const double f = a[r][col] / a[col][col];
      for (std::size_t c = col; c <= p; ++c) a[r][c] -= f * a[col][c];
    }
  }
  std::vector<double> w(p);
  for (std::size_t r = p; r-- > 0;) {
    double s = a[r][p];
    for (std::size_t c = r + 1; c < p; ++c) s -= a[r][c] * w[c];
    w[r] = s / a[r][r];
  }
  return w;
}

struct LinearFit {
  std::vector<double> weights;
  double relative_sd = 0;
};

// Steps 1 and 2 of the header's fit, on the rows in `rows`.
LinearFit robust_fit(const Matrix& x, const std::vector<double>& y,
                     const std::vector<std::size_t>& rows, double keep) {
  const std::size_t n = x.size();
  std::vector<double> weight(n, 1.0);
  std::vector<double> w = weighted_least_squares(x, y, weight, rows);
  for (int round = 0; round < kL1Rounds; ++round) {
    for (std::size_t i : rows) {
      const double floor = kMinRelative * std::abs(y[i]);
      weight[i] = 1 / std::max({std::abs(dot(x[i], w) - y[i]), floor, 1e-300});
    }
    w = weighted_least_squares(x, y, weight, rows);
  }
  const auto relative_residual = [&](std::size_t i) {
    return std::abs(dot(x[i], w) - y[i]) / std::max(std::abs(y[i]), 1e-300);
  };
  const std::size_t kept =
      std::max<std::size_t>(x.front().size() + 1,
                            static_cast<std::size_t>(std::ceil(keep * static_cast<double>(rows.size()))));
  std::vector<std::size_t> chosen;
  for (std::size_t i : rows) weight[i] = 1 / std::max(y[i] * y[i], 1e-300);
  for (int round = 0; round < kTrimRounds; ++round) {
    std::vector<std::size_t> order = rows;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return relative_residual(a) < relative_residual(b);
    });
    order.resize(std::min(kept, order.size()));
    std::sort(order.begin(), order.end());
    if (order == chosen) break;
    chosen = std::move(order);
    w = weighted_least_squares(x, y, weight, chosen);
  }
  std::vector<double> residuals;
  for (std::size_t i : chosen) residuals.push_back(relative_residual(i));
  std::nth_element(residuals.begin(), residuals.begin() + residuals.size() / 2, residuals.end());
  return {w, std::max(1.4826 * residuals[residuals.size() / 2], kMinRelative)};
}

}  // namespace

RobustLinearPredictor::RobustLinearPredictor(RobustLinearOptions options)
    : options_(std::move(options)) {
  if (options_.views.empty()) throw Error("robust linear predictor: no feature view given");
  for (const FeatureView& v : options_.views) {
    if (!v.features) throw Error("robust linear predictor: view '" + v.name + "' has no function");
  }
  if (!(options_.keep > 0 && options_.keep <= 1)) {
    throw Error("robust linear predictor: keep must be in (0, 1], got " + std::to_string(options_.keep));
  }
  if (options_.folds < 2) throw Error("robust linear predictor: folds must be >= 2");
}

void RobustLinearPredictor::fit(const std::vector<Arch>& archs, const std::vector<double>& values) {
  if (archs.size() != values.size()) {
    throw Error("robust linear predictor: " + std::to_string(archs.size()) +
                " architectures but " + std::to_string(values.size()) + " values");
  }
  const std::size_t n = archs.size();
  if (n < 2) throw Error("robust linear predictor: needs at least 2 training points, got " + std::to_string(n));
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(values[i])) {
      char text[128];
      std::snprintf(text, sizeof text,
                    "robust linear predictor: training value %zu is %g, expected a finite number", i,
                    values[i]);
      throw Error(text);
    }
  }
  std::vector<Matrix> matrices;
  for (const FeatureView& view : options_.views) {
    Matrix x;
    x.reserve(n);
    for (const Arch& a : archs) {
      std::vector<double> row{1.0};
      const std::vector<double> f = view.features(a);
      row.insert(row.end(), f.begin(), f.end());
      if (!x.empty() && row.size() != x.front().size()) {
        throw Error("robust linear predictor: view '" + view.name + "' returns features of varying length");
      }
      x.push_back(std::move(row));
    }
    const std::size_t features = x.front().size() - 1;
    if (n < features + 2) {
      throw Error("robust linear predictor: view '" + view.name + "' has " +
                  std::to_string(features) + " features and needs at least " +
                  std::to_string(features + 2) + " training points, got " + std::to_string(n));
    }
    matrices.push_back(std::move(x));
  }

  std::size_t best = 0;
  const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(options_.folds), n);
  if (matrices.size() > 1) {
    const std::vector<Fold> folds = k_folds(n, k, options_.seed);
    double best_spearman = -2, best_within = -1;
    for (std::size_t v = 0; v < matrices.size(); ++v) {
      std::vector<double> truth, predicted;
      for (const Fold& fold : folds) {
        if (fold.train.size() < matrices[v].front().size() + 1) continue;
        const LinearFit f = robust_fit(matrices[v], values, fold.train, options_.keep);
        for (std::size_t i : fold.test) {
          truth.push_back(values[i]);
          predicted.push_back(dot(matrices[v][i], f.weights));
        }
      }
      if (truth.size() < 2) continue;
      const double rho = spearman(truth, predicted);
      double within = 0;
      for (std::size_t i = 0; i < truth.size(); ++i) {
        within += std::abs(predicted[i] - truth[i]) <= 0.1 * std::abs(truth[i]) ? 1 : 0;
      }
      if (rho > best_spearman || (rho == best_spearman && within > best_within)) {
        best = v;
        best_spearman = rho;
        best_within = within;
      }
    }
  }
  std::vector<std::size_t> all(n);
  std::iota(all.begin(), all.end(), 0);
  const LinearFit f = robust_fit(matrices[best], values, all, options_.keep);
  view_ = best;
  weights_ = f.weights;
  relative_sd_ = f.relative_sd;
  size_ = n;
}

Prediction RobustLinearPredictor::predict(const Arch& arch) const {
  if (!fitted()) throw Error("robust linear predictor: predict before fit");
  std::vector<double> row{1.0};
  const std::vector<double> f = options_.views[view_].features(arch);
  row.insert(row.end(), f.begin(), f.end());
  if (row.size() != weights_.size()) {
    throw Error("robust linear predictor: view '" + options_.views[view_].name +
                "' returned a different number of features than at fit");
  }
  const double mean = dot(row, weights_);
  return {mean, std::abs(mean) * relative_sd_};
}

std::string RobustLinearPredictor::describe() const {
  if (!fitted()) return "robust linear (not fitted)";
  char text[160];
  std::snprintf(text, sizeof text, "robust linear on %s: %zu features, relative sd %.3f, %zu points",
                options_.views[view_].name.c_str(), weights_.size() - 1, relative_sd_, size_);
  return text;
}

}  // namespace nas
