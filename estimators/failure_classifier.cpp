#include "estimators/failure_classifier.h"

#include <algorithm>
#include <cmath>

namespace nas {
namespace {

// Strength of the L2 penalty (on the standardised weights, bias free): a
// handful of failures moves the boundary, a single odd one does not flip
// every neighbour of it.
constexpr double kRidge = 1.0;
constexpr int kRounds = 400;

double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

}  // namespace

FailureClassifier::FailureClassifier(const SearchSpace& space, FeatureFunction features)
    : space_(space), features_(std::move(features)) {}

std::vector<double> FailureClassifier::encode(const Arch& arch) const {
  if (features_) return features_(arch);
  std::vector<double> x;
  for (std::size_t d = 0; d < space_.num_decisions(); ++d) {
    const std::size_t choices = space_.decision(d).choices.size();
    const bool active = space_.is_active(arch, d);
    for (std::size_t c = 0; c < choices; ++c) {
      x.push_back(active && arch.choices[d] == static_cast<int>(c) ? 1.0 : 0.0);
    }
  }
  return x;
}

void FailureClassifier::add(const Arch& arch, bool failed) {
  inputs_.push_back(encode(arch));
  labels_.push_back(failed ? 1.0 : 0.0);
  if (failed) ++failures_;
  stale_ = true;
}

void FailureClassifier::fit() {
  stale_ = false;
  const std::size_t n = inputs_.size();
  if (failures_ == 0 || failures_ == static_cast<std::int64_t>(n)) {
    weights_.clear();  // one class only: nothing to tell apart
    return;
  }
  const std::size_t p = inputs_.front().size();
  mean_.assign(p, 0.0);
  scale_.assign(p, 0.0);
  for (const auto& x : inputs_) {
    for (std::size_t j = 0; j < p; ++j) mean_[j] += x[j] / static_cast<double>(n);
  }
  for (const auto& x : inputs_) {
    for (std::size_t j = 0; j < p; ++j) scale_[j] += (x[j] - mean_[j]) * (x[j] - mean_[j]);
  }
  for (double& s : scale_) s = std::sqrt(s / static_cast<double>(n));
  std::vector<std::vector<double>> z(n, std::vector<double>(p + 1, 1.0));  // bias last
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < p; ++j) {
      z[i][j] = scale_[j] > 0 ? (inputs_[i][j] - mean_[j]) / scale_[j] : 0.0;
    }
  }
  // Nesterov-accelerated gradient descent on the mean log loss plus the
  // penalty: standardised inputs bound the curvature by p / 4 + ridge / n,
  // which sets the step; no linear solve needed at these sizes.
  const double ridge = kRidge / static_cast<double>(n);
  const double step = 1 / (0.25 * static_cast<double>(p + 1) + ridge);
  std::vector<double> w(p + 1, 0.0), look = w, gradient(p + 1);
  for (int round = 0; round < kRounds; ++round) {
    std::fill(gradient.begin(), gradient.end(), 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      double s = 0;
      for (std::size_t j = 0; j <= p; ++j) s += look[j] * z[i][j];
      const double error = (sigmoid(s) - labels_[i]) / static_cast<double>(n);
      for (std::size_t j = 0; j <= p; ++j) gradient[j] += error * z[i][j];
    }
    for (std::size_t j = 0; j < p; ++j) gradient[j] += ridge * look[j];
    const double momentum = static_cast<double>(round) / (round + 3);
    for (std::size_t j = 0; j <= p; ++j) {
      const double next = look[j] - step * gradient[j];
      look[j] = next + momentum * (next - w[j]);
      w[j] = next;
    }
  }
  weights_ = std::move(w);
}

double FailureClassifier::risk(const Arch& arch) {
  if (stale_) fit();
  if (weights_.empty()) return 0;
  const std::vector<double> x = encode(arch);
  double s = weights_.back();
  for (std::size_t j = 0; j < x.size(); ++j) {
    if (scale_[j] > 0) s += weights_[j] * (x[j] - mean_[j]) / scale_[j];
  }
  return sigmoid(s);
}

}  // namespace nas
