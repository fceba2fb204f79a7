#include "estimators/device_lut.h"

#include <cmath>
#include <string>

#include "core/errors.h"

namespace nas {

LutFit fit_lut_overhead(const std::vector<double>& block_sums, const std::vector<double>& measured) {
  if (block_sums.size() != measured.size()) {
    throw Error("look-up table fit: " + std::to_string(block_sums.size()) + " block sums but " +
                std::to_string(measured.size()) + " measured values");
  }
  if (measured.empty()) throw Error("look-up table fit: no measured subnet");
  const std::size_t n = measured.size();
  double sx = 0, sy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(block_sums[i]) || !std::isfinite(measured[i])) {
      throw Error("look-up table fit: subnet " + std::to_string(i) + " has a value that is not finite");
    }
    sx += block_sums[i];
    sy += measured[i];
  }
  const double mx = sx / static_cast<double>(n), my = sy / static_cast<double>(n);
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxx += (block_sums[i] - mx) * (block_sums[i] - mx);
    sxy += (block_sums[i] - mx) * (measured[i] - my);
  }
  LutFit fit;
  fit.subnets = n;
  // A slope needs spread in the sums and more points than parameters.
  const bool slope = n >= 3 && sxx > 1e-12 * (1 + mx * mx) && sxy / sxx > 0;
  fit.scale = slope ? sxy / sxx : 1.0;
  fit.overhead_ms = my - fit.scale * mx;
  double ss = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = measured[i] - (fit.overhead_ms + fit.scale * block_sums[i]);
    ss += r * r;
  }
  fit.residual_ms = std::sqrt(ss / static_cast<double>(n));
  return fit;
}

Prediction DeviceLut::block_sum(const std::vector<Mbv3BlockConfig>& blocks) const {
  std::vector<std::string> keys;
  keys.reserve(blocks.size());
  for (const Mbv3BlockConfig& b : blocks) keys.push_back(b.key());
  return blocks_.sum(keys);
}

Prediction DeviceLut::predict(const std::vector<Mbv3BlockConfig>& blocks) const {
  const Prediction sum = block_sum(blocks);
  Prediction p;
  p.mean = fit_.overhead_ms + fit_.scale * sum.mean;
  p.std = std::sqrt(fit_.scale * fit_.scale * sum.std * sum.std + fit_.residual_ms * fit_.residual_ms);
  return p;
}

}  // namespace nas
