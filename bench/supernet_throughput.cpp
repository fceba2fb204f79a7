// Supernet training throughput: one sandwich step (largest, smallest and n
// random subnets, in-place distillation from the largest, SGD with Nesterov
// momentum) on random 28x28 images, timed after warm-up. Prints images/s.
// Its Python twin, bench/supernet_throughput.py, times the same supernet and
// step with Debian's python3-torch (the same LibTorch 1.13); run both with
// the same arguments, or bench/supernet_throughput.sh for both side by side
// and the ratio.
//
// Usage: bench_supernet_throughput [steps=20] [batch=128] [threads=2]
//        [random_subnets=2] [stem_stride=1] [heap=default] [device=cpu|cuda]
//        [amp=bf16]
// device=cuda runs the step on the GPU (a CUDA LibTorch, scripts/gpu/);
// amp=bf16 runs it under autocast to bfloat16 (no gradient scaler needed,
// bfloat16 has float's exponent range), the baseline being fp32.
// Like `nas`, it keeps freed memory in the heap (core/heap_policy.h);
// heap=default leaves glibc's malloc as it comes, the baseline to print
// beside it.
// The first stage has stride 2 after a stride-1 stem and stride 1 after a
// stride-2 stem, so it runs at 14x14 either way.
#include <ATen/autocast_mode.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/heap_policy.h"
#include "core/mbv3_space.h"
#include "core/random.h"
#include "supernet/mbv3_supernet.h"

namespace {

// The quickstart's layout (configs/quickstart.json).
nas::Mbv3Options bench_space(int stem_stride) {
  nas::Mbv3Options o;
  o.stem_width = 16;
  o.stem_stride = stem_stride;
  auto stage = [](std::int64_t width, std::int64_t stride, bool se, const char* act) {
    nas::Mbv3StageOptions s;
    s.width = width;
    s.stride = stride;
    s.depths = {2, 3};
    s.se = se;
    s.activations = {act};
    return s;
  };
  o.stages = {stage(24, stem_stride == 1 ? 2 : 1, false, "relu"), stage(40, 2, true, "relu"), stage(64, 2, true, "hswish")};
  o.kernels = {3, 5, 7};
  o.expand_ratios = {3, 4, 6};
  o.resolutions = {28};
  o.head_width = 256;
  return o;
}

// Autocast to bfloat16 on `device` on or off; its API changed in LibTorch 2.4.
void set_autocast_bf16(torch::DeviceType device, bool on) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  at::autocast::set_autocast_enabled(device, on);
  at::autocast::set_autocast_dtype(device, at::kBFloat16);
#else
  if (device == torch::kCUDA) {
    at::autocast::set_enabled(on);
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
  } else {
    at::autocast::set_cpu_enabled(on);
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
  }
#endif
}

}  // namespace

int main(int argc, char** argv) {
  bool keep_heap = true;
  std::string device_name = "cpu";
  bool amp = false;
  // Named arguments may come anywhere; the rest are positional.
  int positional = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "heap=default") keep_heap = false;
    else if (a.rfind("device=", 0) == 0) device_name = a.substr(7);
    else if (a == "amp=bf16") amp = true;
    else argv[positional++] = argv[i];
  }
  argc = positional;
  const torch::Device device = device_name == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  if (keep_heap) nas::keep_freed_memory_in_heap();
  const int steps = argc > 1 ? std::atoi(argv[1]) : 20;
  const int batch = argc > 2 ? std::atoi(argv[2]) : 128;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
  const int random_subnets = argc > 4 ? std::atoi(argv[4]) : 2;
  const int stem_stride = argc > 5 ? std::atoi(argv[5]) : 1;
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  const nas::Mbv3Layout layout = nas::mbv3_layout(bench_space(stem_stride), 1, 10);
  const nas::SearchSpace space = nas::mbv3_space(layout);
  nas::Mbv3Supernet net(layout);
  net->to(device);
  net->train();
  torch::optim::SGD optimizer(net->parameters(),
                              torch::optim::SGDOptions(0.05).momentum(0.9).nesterov(true));
  const torch::Tensor x = torch::randn({batch, 1, 28, 28}).to(device);
  const torch::Tensor y = torch::randint(0, 10, {batch}, torch::kInt64).to(device);
  nas::Rng rng(0);
  auto step = [&] {
    optimizer.zero_grad();
    if (amp) set_autocast_bf16(device.type(), true);
    std::vector<nas::Arch> archs = {nas::largest_arch(space), nas::smallest_arch(space)};
    for (int r = 0; r < random_subnets; ++r) archs.push_back(space.sample(rng));
    torch::Tensor teacher;
    for (std::size_t a = 0; a < archs.size(); ++a) {
      const torch::Tensor logits = net->forward(x, nas::decode_mbv3(space, layout, archs[a]));
      torch::Tensor loss;
      if (a == 0) {
        loss = torch::nn::functional::cross_entropy(
            logits, y, torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(0.1));
        teacher = torch::softmax(logits.detach(), 1);
      } else {
        loss = -(teacher * torch::log_softmax(logits, 1)).sum(1).mean();
      }
      loss.backward();
    }
    if (amp) {
      set_autocast_bf16(device.type(), false);
      at::autocast::clear_cache();
    }
    optimizer.step();
  };
  // GPU work is asynchronous: the clock stops once it has finished.
  auto wait = [&] {
    if (device.is_cuda()) torch::cuda::synchronize();
  };
  for (int i = 0; i < 3; ++i) step();  // warm-up
  wait();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) step();
  wait();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("cpp  LibTorch %s on %s%s: %d sandwich steps (%d subnets, batch %d, %d threads, %s heap) in "
              "%.2fs: %.1f images/s (%.1f ms/step)\n",
              TORCH_VERSION, device_name.c_str(), amp ? " (autocast bf16)" : " (fp32)", steps,
              2 + random_subnets, batch, threads,
              keep_heap ? "freed memory kept in the" : "default", seconds,
              steps * batch / seconds, 1000 * seconds / steps);
  return 0;
}
