// The runner's `torch` backend: builds a job's subnet from its architecture
// with LibTorch (fresh weights: latency does not depend on their values) and
// times its forward pass on this machine's CPU or GPU. A job of kind
// kJobMbv3Block builds and times one inverted-residual block instead, for
// per-block look-up tables (`nas lut build`). fp32 only: a job at another
// precision is answered `unsupported`.
#pragma once

#include "device_runners/board/backend.h"

namespace nas {

class TorchBackend : public Backend {
 public:
  // `device` is "cpu", "cuda" or "auto" (see supernet/device.h). Throws
  // nas::Error for cuda without a usable GPU.
  explicit TorchBackend(const std::string& device = "cpu");

  std::string name() const override { return "torch"; }
  // Accepts architectures of the mbv3 space family; job.space_options holds
  // {"space": <the config's space section>, "in_channels": C, "classes": K}.
  nlohmann::json capabilities() const override;
  JobResult measure(const JobSpec& job, PowerMeter* meter,
                    const std::function<bool()>& cancelled) override;

 private:
  bool cuda_ = false;
};

}  // namespace nas
