#include "supernet/device.h"

#include <doctest/doctest.h>

#include "core/errors.h"
#include "device_runners/board/torch_backend.h"
#include "tests/support/process.h"

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

TEST_CASE("a torch runner asked to measure on cuda measures there, or says why it cannot") {
  if (describe_torch().find("no CUDA") != std::string::npos) {
    // The board daemon refuses before it connects anywhere: the address is never dialled.
    const test::ProcessResult r =
        test::run_process({test::nas_binary(), "runner", "--connect", "tcp://127.0.0.1:9", "--device",
                           "gpu", "--backend", "torch", "--torch-device", "cuda"});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("sees no usable CUDA device") != std::string::npos);
  } else {
    CHECK(TorchBackend("cuda").capabilities().at("device") == "cuda");
  }
  CHECK(TorchBackend("cpu").capabilities().at("device") == "cpu");
}

TEST_CASE("a torch runner runs fp32 only: an int8 job is answered unsupported, with the reason") {
  TorchBackend backend("cpu");
  CHECK(backend.capabilities().at("precisions") == nlohmann::json::array({"fp32"}));
  JobSpec job;
  job.job_id = "j";
  job.space = "mbv3";
  job.precision = Precision::kInt8;
  CHECK_THROWS_WITH_AS(backend.measure(job, nullptr, [] { return false; }),
                       doctest::Contains("the torch backend runs fp32 networks; job j asks for int8"),
                       UnsupportedJob);
}

}  // namespace
}  // namespace nas
