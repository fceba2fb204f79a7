// Where LibTorch work runs. The header stays free of LibTorch so that code
// choosing a device compiles fast; only device.cpp includes it.
#pragma once

#include <string>

namespace nas {

enum class ComputeDevice { kCpu, kCuda };

// Resolves a config's "cpu", "cuda" or "auto" (CUDA when LibTorch sees a GPU,
// else the CPU). Throws nas::Error for "cuda" without a usable GPU (LibTorch
// built without CUDA, as Debian's is, or no device) and for any other word.
ComputeDevice resolve_device(const std::string& requested);

const char* to_string(ComputeDevice device);

// One line on the LibTorch in use, for logs and the run's environment:
// version, CUDA availability and device count, intra-op threads.
std::string describe_torch();

}  // namespace nas
