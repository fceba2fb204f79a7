// Subnet extraction: a standalone LibTorch module with the weights of one
// subnet copied out of the supernet (no supernet inside), for evaluation with
// BN recalibration, latency measurement and export. LibTorch inside: include
// only from .cpp files and tests.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "core/mbv3_space.h"
#include "supernet/mbv3_supernet.h"

namespace nas {

// What a forward pass touches, per image: multiply-accumulates of every
// convolution and linear layer, and the peak of live activation elements.
// An op's live elements are its inputs, its output and what the block keeps
// for later (a residual's input, squeeze-excite's input while the scale is
// computed). estimators/mbv3_cost.h computes the same figures analytically.
struct CostTrace {
  std::int64_t macs = 0;
  std::int64_t peak_elements = 0;
  void op(std::int64_t live) { peak_elements = std::max(peak_elements, live); }
};

// Applied, in a fixed order, to every activation an integer runtime keeps
// quantized between ops: the input, each convolution's output after its BN
// and activation, squeeze-excite's pooled vector, hidden vector, scale and
// product, each residual sum, and the pooled features. Returns what the next
// op reads; fake quantization (supernet/fake_quant.h) calibrates and rounds
// through it. Empty: every activation passes as it is.
using ActivationTap = std::function<torch::Tensor(const torch::Tensor&)>;

class SubnetBlockImpl : public torch::nn::Module {
 public:
  SubnetBlockImpl(int in, int hidden, int out, int kernel, int stride, bool se, bool hswish);
  torch::Tensor forward(const torch::Tensor& x, CostTrace* trace = nullptr,
                        const ActivationTap* tap = nullptr);

  bool residual, hswish;
  torch::nn::Conv2d expand_conv{nullptr}, depthwise{nullptr}, project_conv{nullptr};
  torch::nn::BatchNorm2d expand_bn{nullptr}, depthwise_bn{nullptr}, project_bn{nullptr};
  torch::nn::Conv2d se_reduce{nullptr}, se_expand{nullptr};  // empty without squeeze-excite
};
TORCH_MODULE(SubnetBlock);

class SubnetImpl : public torch::nn::Module {
 public:
  SubnetImpl(const Mbv3Layout& layout, const Mbv3Subnet& subnet);
  // Logits for x (N, C, r, r). With a trace, adds this pass's per-image costs.
  torch::Tensor forward(const torch::Tensor& x, CostTrace* trace = nullptr);

  // BN layers' running statistics reset, and averaged over all batches until
  // the next call to end_recalibration (momentum off). The module must be in
  // training mode while recalibration batches run.
  void begin_recalibration();
  void end_recalibration();

  int resolution;
  bool stem_hswish, head_hswish;  // else relu
  // Layout of the activations after the stem. Accuracy scoring on CPU sets
  // channels-last, where oneDNN's depthwise convolutions run several times
  // faster; latency is measured in the default layout, as a user runs it.
  at::MemoryFormat activation_format = at::MemoryFormat::Contiguous;
  ActivationTap tap;
  torch::nn::Conv2d stem_conv{nullptr};
  torch::nn::BatchNorm2d stem_bn{nullptr};
  std::vector<SubnetBlock> blocks;
  torch::nn::Conv2d head_conv{nullptr};
  torch::nn::BatchNorm2d head_bn{nullptr};
  torch::nn::Linear classifier{nullptr};
};
TORCH_MODULE(Subnet);

// Builds the standalone module of `subnet` with copies of the supernet's
// active weights (kernel transforms applied) and BN statistics. The result
// is in eval mode, on the supernet's device. REQUIRES: subnet fits the layout.
Subnet extract_subnet(Mbv3SupernetImpl& supernet, const Mbv3Subnet& subnet);

}  // namespace nas
