#include "supernet/device.h"

#include <doctest/doctest.h>

#include "core/errors.h"

namespace nas {
namespace {

TEST_CASE("device names resolve, and cuda without a GPU is a clear error") {
  CHECK(resolve_device("cpu") == ComputeDevice::kCpu);
  const ComputeDevice automatic = resolve_device("auto");
  const std::string description = describe_torch();
  CHECK(description.rfind("LibTorch ", 0) == 0);
  if (description.find("no CUDA") != std::string::npos) {
    // Debian's LibTorch is CPU-only: auto falls back, cuda is refused.
    CHECK(automatic == ComputeDevice::kCpu);
    CHECK_THROWS_WITH_AS(resolve_device("cuda"), doctest::Contains("sees no usable CUDA device"),
                         Error);
  } else {
    CHECK(automatic == ComputeDevice::kCuda);
    CHECK(resolve_device("cuda") == ComputeDevice::kCuda);
  }
  CHECK_THROWS_WITH_AS(resolve_device("tpu"), doctest::Contains("unknown device \"tpu\""), Error);
}

}  // namespace
}  // namespace nas
