// A device look-up table (estimators/device_lut.h) as a learned predictor and
// as an evaluator of "<device>_ms". Its values are predictions: every value
// the evaluator gives carries Source::kPredicted in its key, so stores and
// reports label it predicted.
#pragma once

#include <memory>
#include <string>

#include "core/mbv3_space.h"
#include "estimators/device_lut.h"
#include "estimators/evaluator.h"
#include "estimators/predictor.h"

namespace nas {

// fit() refits only the overhead and scale (the block entries are measured,
// not learned) on the given whole-subnet latencies; predict() sums the
// subnet's blocks. The table and the space must cover the same layout.
class LutPredictor : public Predictor {
 public:
  // `space` (mbv3_space(layout)) must outlive the predictor. A table that
  // already has a fit counts as fitted.
  LutPredictor(const SearchSpace& space, Mbv3Layout layout, DeviceLut lut);

  // Throws nas::Error as Predictor::fit, and naming a block the table lacks.
  void fit(const std::vector<Arch>& archs, const std::vector<double>& values) override;
  bool fitted() const override { return fitted_; }
  std::size_t size() const override { return lut_.fit().subnets; }
  Prediction predict(const Arch& arch) const override;
  using Predictor::predict;
  std::string describe() const override;

  const DeviceLut& lut() const { return lut_; }

 private:
  const SearchSpace& space_;
  Mbv3Layout layout_;
  DeviceLut lut_;
  bool fitted_ = false;
};

// "<device>_ms" from a look-up table, as a prediction. Its key's fidelity is
// "lut:<protocol key>", apart from the measured values of that protocol.
class LutEvaluator : public Evaluator {
 public:
  LutEvaluator(std::shared_ptr<const LutPredictor> lut, std::string device,
               std::string protocol_key);

  std::vector<std::string> metrics() const override { return {device_ + "_ms"}; }
  EvaluationKey key(const std::string& metric) const override;
  Evaluation evaluate(const Arch& arch, const std::string& metric) override;

 private:
  std::shared_ptr<const LutPredictor> lut_;
  std::string device_;
  std::string protocol_key_;
};

}  // namespace nas
