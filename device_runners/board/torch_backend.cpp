#include "device_runners/board/torch_backend.h"

#include <torch/torch.h>

#include "core/errors.h"
#include "core/hash.h"
#include "core/json_reader.h"
#include "core/mbv3_blocks.h"
#include "core/mbv3_space.h"
#include "core/time_runs.h"
#include "device_runners/board/power_meter.h"
#include "supernet/device.h"
#include "supernet/subnet.h"
#include "supernet/supernet_impl.h"

namespace nas {

TorchBackend::TorchBackend(const std::string& device)
    : cuda_(resolve_device(device) == ComputeDevice::kCuda) {}

nlohmann::json TorchBackend::capabilities() const {
  return {{"accepts", {"arch"}},
          {"spaces", {"mbv3"}},
          {"kinds", {kJobNetwork, kJobMbv3Block}},
          {"torch", describe_torch()},
          {"device", cuda_ ? "cuda" : "cpu"},
          {"precisions", {"fp32"}}};
}

namespace {

// A job's network on `device`, ready to time: the module's forward and its input.
struct Built {
  std::function<torch::Tensor(const torch::Tensor&)> forward;
  torch::Tensor input;
  std::vector<std::int64_t> input_shape;
};

Built build_network(const JobSpec& job, const torch::Device& device) {
  // Rebuild the space exactly as the search did, then the subnet.
  const nlohmann::json& space_json = job.space_options.value("space", nlohmann::json());
  Mbv3Options options;
  try {
    JsonReader r(space_json, "/space");
    r.string("type");
    options = parse_mbv3_options(r);
    r.finish();
  } catch (const Error& e) {
    throw UnsupportedJob(std::string("job's space options: ") + e.what());
  }
  const Mbv3Layout layout =
      mbv3_layout(options, job.space_options.value("in_channels", 1), job.space_options.value("classes", 10));
  const SearchSpace space = mbv3_space(layout);
  if (space.name() != job.space) {
    throw UnsupportedJob("job's space options give space " + space.name() + ", not " + job.space);
  }
  const Mbv3Subnet subnet = decode_mbv3(space, layout, space.from_json(job.arch));
  Subnet module(layout, subnet);
  module->eval();
  module->to(device);
  Built built;
  built.input_shape = {job.protocol.batch_size, layout.in_channels, subnet.resolution,
                       subnet.resolution};
  built.forward = [module](const torch::Tensor& x) mutable { return module->forward(x); };
  built.input = torch::randn(built.input_shape, torch::TensorOptions().device(device));
  return built;
}

// One inverted-residual block, as a per-block look-up table measures it.
Built build_block(const JobSpec& job, const torch::Device& device) {
  Mbv3BlockConfig c;
  try {
    c = Mbv3BlockConfig::from_json(job.arch);
  } catch (const Error& e) {
    throw UnsupportedJob(std::string("job's block: ") + e.what());
  }
  SubnetBlock block(c.in_channels, c.hidden(), c.out_channels, c.kernel, c.stride, c.se, c.hswish);
  block->eval();
  block->to(device);
  Built built;
  built.input_shape = {job.protocol.batch_size, c.in_channels, c.input_side, c.input_side};
  built.forward = [block](const torch::Tensor& x) mutable { return block->forward(x); };
  built.input = torch::randn(built.input_shape, torch::TensorOptions().device(device));
  return built;
}

}  // namespace

JobResult TorchBackend::measure(const JobSpec& job, PowerMeter* meter,
                                const std::function<bool()>& cancelled) {
  const bool block = job.kind == kJobMbv3Block;
  if (!block && job.space.rfind("mbv3", 0) != 0) {
    throw UnsupportedJob("the torch backend builds mbv3 subnets, not space '" + job.space + "'");
  }
  if (job.precision != Precision::kFp32) {
    // It builds the float network from the arch; timing it as int8 or fp16
    // would be a figure of another network.
    throw UnsupportedJob(std::string("the torch backend runs fp32 networks; job ") + job.job_id +
                         " asks for " + to_string(job.precision) +
                         " (an int8 runtime here: the command backend with "
                         "configs/runners/cpu-onnxruntime.json)");
  }
  JobResult result;
  result.job_id = job.job_id;
  try {
    ThreadsGuard threads(job.protocol.threads);
    torch::NoGradGuard no_grad;
    // The same job gets the same weights and input every time, and denormal
    // floats (which random weights can produce and which run many times
    // slower on x86) are flushed: both made repeated measurements of one
    // subnet differ by up to 2x.
    torch::manual_seed(stable_hash64(job.kind + job.space + job.arch.dump()));
    at::globalContext().setFlushDenormal(true);
    const torch::Device device = cuda_ ? torch::kCUDA : torch::kCPU;
    const Built built = block ? build_block(job, device) : build_network(job, device);
    const auto run_once = [&] {
      built.forward(built.input);
      if (cuda_) torch::cuda::synchronize();
    };
    auto latency = time_runs(run_once, job.protocol, cancelled);
    if (!latency) {
      result.status = wire::JobStatus::kTimeout;
      result.message = "cancelled at the job's deadline";
      return result;
    }
    result.latency = std::move(latency);
    if (meter && job.protocol.energy) {
      EnergyOptions energy_options;
      result.energy = measure_energy(*meter, run_once, energy_options, cancelled);
    }
    result.status = wire::JobStatus::kOk;
    result.environment = {{"backend", "torch"},
                          {"torch", describe_torch()},
                          {"threads", at::get_num_threads()},
                          {"kind", job.kind},
                          {"input", built.input_shape}};
  } catch (const c10::Error& e) {
    throw Error("torch backend, job " + job.job_id + ": LibTorch: " + e.what_without_backtrace());
  }
  return result;
}

}  // namespace nas
