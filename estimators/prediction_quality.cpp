#include "estimators/prediction_quality.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "core/errors.h"
#include "core/random.h"

namespace nas {
namespace {

std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double average = 0.5 * static_cast<double>(i + j);
    for (std::size_t k = i; k <= j; ++k) r[order[k]] = average;
    i = j + 1;
  }
  return r;
}

}  // namespace

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) throw Error("spearman: samples of different sizes");
  const std::vector<double> ra = ranks(a), rb = ranks(b);
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n;
  const double mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) * (ra[i] - ma);
    sbb += (rb[i] - mb) * (rb[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
}

PredictionQuality prediction_quality(const std::vector<double>& truth,
                                     const std::vector<double>& predicted) {
  if (truth.size() != predicted.size()) {
    throw Error("prediction quality: " + std::to_string(truth.size()) + " true values but " +
                std::to_string(predicted.size()) + " predictions");
  }
  if (truth.size() < 2) throw Error("prediction quality: needs at least 2 pairs");
  PredictionQuality q;
  q.count = truth.size();
  std::size_t within = 0;
  double ape = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] == 0) throw Error("prediction quality: a true value is 0 (relative error undefined)");
    const double rel = std::abs(predicted[i] - truth[i]) / std::abs(truth[i]);
    if (rel <= 0.10) ++within;
    ape += rel;
  }
  q.within10 = static_cast<double>(within) / static_cast<double>(truth.size());
  q.mape = 100.0 * ape / static_cast<double>(truth.size());
  q.spearman = spearman(truth, predicted);
  return q;
}

std::vector<Fold> k_folds(std::size_t n, std::size_t k, std::uint64_t seed) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[uniform_index(rng, i)]);
  std::vector<Fold> folds(k);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t f = 0; f < k; ++f) {
      (i % k == f ? folds[f].test : folds[f].train).push_back(order[i]);
    }
  }
  return folds;
}

PredictionQuality cross_validate(const PredictorFactory& make, const std::vector<Arch>& archs,
                                 const std::vector<double>& values, const std::vector<Fold>& folds) {
  std::vector<double> truth, predicted;
  for (const Fold& fold : folds) {
    std::vector<Arch> train_archs;
    std::vector<double> train_values;
    for (std::size_t i : fold.train) {
      train_archs.push_back(archs[i]);
      train_values.push_back(values[i]);
    }
    auto model = make();
    model->fit(train_archs, train_values);
    for (std::size_t i : fold.test) {
      truth.push_back(values[i]);
      predicted.push_back(model->predict(archs[i]).mean);
    }
  }
  return prediction_quality(truth, predicted);
}

}  // namespace nas
