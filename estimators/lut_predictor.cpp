#include "estimators/lut_predictor.h"

#include <cstdio>

#include "core/errors.h"

namespace nas {

LutPredictor::LutPredictor(const SearchSpace& space, Mbv3Layout layout, DeviceLut lut)
    : space_(space), layout_(std::move(layout)), lut_(std::move(lut)),
      fitted_(lut_.fit().subnets > 0) {}

void LutPredictor::fit(const std::vector<Arch>& archs, const std::vector<double>& values) {
  if (archs.size() != values.size()) {
    throw Error("look-up table predictor: " + std::to_string(archs.size()) + " archs but " +
                std::to_string(values.size()) + " values");
  }
  if (archs.size() < 2) throw Error("look-up table predictor: needs at least 2 measured subnets");
  std::vector<double> sums;
  for (const Arch& arch : archs) {
    sums.push_back(lut_.block_sum(mbv3_subnet_blocks(layout_, decode_mbv3(space_, layout_, arch))).mean);
  }
  lut_.set_fit(fit_lut_overhead(sums, values));
  fitted_ = true;
}

Prediction LutPredictor::predict(const Arch& arch) const {
  if (!fitted_) throw Error("look-up table predictor: predict() before fit()");
  return lut_.predict(mbv3_subnet_blocks(layout_, decode_mbv3(space_, layout_, arch)));
}

std::string LutPredictor::describe() const {
  char text[160];
  std::snprintf(text, sizeof text, "lut %zu blocks, overhead %.4g ms, scale %.4g (%zu subnets)",
                lut_.blocks().size(), lut_.fit().overhead_ms, lut_.fit().scale, lut_.fit().subnets);
  return text;
}

LutEvaluator::LutEvaluator(std::shared_ptr<const LutPredictor> lut, std::string device,
                           std::string protocol_key)
    : lut_(std::move(lut)), device_(std::move(device)), protocol_key_(std::move(protocol_key)) {
  if (!lut_ || !lut_->fitted()) throw Error("look-up table evaluator: the table has no fit");
}

EvaluationKey LutEvaluator::key(const std::string& metric) const {
  if (metric != device_ + "_ms") {
    throw Error("the look-up table predicts \"" + device_ + "_ms\", not \"" + metric + "\"");
  }
  return {metric, Source::kPredicted, device_, "lut:" + protocol_key_};
}

Evaluation LutEvaluator::evaluate(const Arch& arch, const std::string& metric) {
  Evaluation e;
  e.key = key(metric);
  const Prediction p = lut_->predict(arch);
  e.value = p.mean;
  char note[64];
  std::snprintf(note, sizeof note, "predicted by look-up table, std %.3g ms", p.std);
  e.note = note;
  return e;
}

}  // namespace nas
