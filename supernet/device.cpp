#include "supernet/device.h"

#include <torch/cuda.h>
#include <torch/version.h>
#include <ATen/Parallel.h>

#include "core/errors.h"

namespace nas {

ComputeDevice resolve_device(const std::string& requested) {
  if (requested == "cpu") return ComputeDevice::kCpu;
  if (requested == "auto") return torch::cuda::is_available() ? ComputeDevice::kCuda : ComputeDevice::kCpu;
  if (requested == "cuda") {
    if (!torch::cuda::is_available()) {
      throw Error("device \"cuda\" was asked for, but LibTorch " TORCH_VERSION
                  " sees no usable CUDA device (a CPU-only LibTorch, such as Debian's, or no "
                  "GPU); use \"cpu\" or \"auto\", or build against a CUDA LibTorch with "
                  "-DTorch_DIR=...");
    }
    return ComputeDevice::kCuda;
  }
  throw Error("unknown device \"" + requested + "\" (expected \"cpu\", \"cuda\" or \"auto\")");
}

const char* to_string(ComputeDevice device) {
  return device == ComputeDevice::kCuda ? "cuda" : "cpu";
}

std::string describe_torch() {
  std::string text = "LibTorch " TORCH_VERSION ", ";
  if (torch::cuda::is_available()) {
    text += "CUDA with " + std::to_string(torch::cuda::device_count()) + " device(s), ";
  } else {
    text += "no CUDA, ";
  }
  return text + std::to_string(at::get_num_threads()) + " CPU threads";
}

}  // namespace nas
