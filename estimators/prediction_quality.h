// How well predictions match held-out truth: the figures nas reports for a
// predictor (bench/predictor_quality.cpp, `nas predictor eval`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "estimators/predictor.h"

namespace nas {

struct PredictionQuality {
  std::size_t count = 0;  // pairs compared
  double spearman = 0;    // rank correlation (average ranks for ties)
  double within10 = 0;    // share of predictions within +-10 % of the truth, in [0, 1]
  double mape = 0;        // mean absolute percentage error, in % of the truth
};

// REQUIRES: equal sizes, truth values != 0. Throws nas::Error otherwise or
// when fewer than 2 pairs are given.
PredictionQuality prediction_quality(const std::vector<double>& truth,
                                     const std::vector<double>& predicted);

// Spearman rank correlation of two equally long samples (average ranks for
// ties); 0 when either is constant.
double spearman(const std::vector<double>& a, const std::vector<double>& b);

// One fold of k-fold cross-validation: indices into the data.
struct Fold {
  std::vector<std::size_t> train, test;
};

// `k` folds over `n` points shuffled by `seed`; every point is tested in
// exactly one fold. REQUIRES: 1 <= k <= n.
std::vector<Fold> k_folds(std::size_t n, std::size_t k, std::uint64_t seed);

// Held-out predictions of every value, each made by a fresh model (from
// `make`) fitted on the fold that did not see it, scored together.
PredictionQuality cross_validate(const PredictorFactory& make, const std::vector<Arch>& archs,
                                 const std::vector<double>& values, const std::vector<Fold>& folds);

}  // namespace nas
