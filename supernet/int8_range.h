// An activation's int8 range and the affine mapping it gives, shared by the
// fake-quantized accuracy (supernet/fake_quant.h) and the QDQ file
// (supernet/onnx_export.h), so the two quantize with the same numbers.
// Torch-free.
#pragma once

#include <algorithm>
#include <cmath>

namespace nas {

// One activation site's int8 range; lo <= 0 <= hi.
struct ActivationRange {
  double lo = 0, hi = 0;
};

// Asymmetric int8: q = clamp(round(x / scale) + zero_point, -128, 127),
// x' = (q - zero_point) * scale, as ONNX's QuantizeLinear with an int8 zero
// point. scale == 0 marks a site that was zero on every calibration image.
struct Int8Affine {
  double scale = 0;
  double zero_point = 0;
};

inline Int8Affine int8_affine(const ActivationRange& r) {
  constexpr double kSteps = 255;  // 256 values
  Int8Affine a;
  a.scale = (r.hi - r.lo) / kSteps;
  if (a.scale <= 0) return a;
  a.zero_point = std::clamp(std::round(-128.0 - r.lo / a.scale), -128.0, 127.0);
  return a;
}

}  // namespace nas
