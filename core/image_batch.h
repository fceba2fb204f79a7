// Images as a network takes them: normalised, resized, float32, NCHW. The
// supernet hands them out (the images a split is scored on, the images int8
// calibration sees) and a farm job carries calibration images in this shape.
#pragma once

#include <cstdint>
#include <vector>

namespace nas {

struct ImageBatch {
  std::vector<float> pixels;        // NCHW, row-major
  std::vector<std::int64_t> shape;  // (images, channels, height, width)
};

}  // namespace nas
