#include "supernet/subnet.h"

#include <type_traits>

namespace nas {
namespace {

std::int64_t per_image(const torch::Tensor& t) { return t.numel() / t.size(0); }

torch::Tensor traced_conv(torch::nn::Conv2d& conv, const torch::Tensor& x, CostTrace* trace,
                          std::int64_t held) {
  torch::Tensor y = conv(x);
  if (trace) {
    const auto& w = conv->weight;
    trace->macs += per_image(y) * w.size(1) * w.size(2) * w.size(3);
    trace->op(per_image(x) + per_image(y) + held);
  }
  return y;
}

torch::nn::Conv2d conv(int in, int out, int kernel, int stride = 1, int groups = 1,
                       bool bias = false) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel)
                               .stride(stride)
                               .padding(kernel / 2)
                               .groups(groups)
                               .bias(bias));
}

void copy_bn(torch::nn::BatchNorm2d& to, const DynamicBatchNormImpl& from) {
  const int64_t c = to->weight.size(0);
  to->weight.copy_(from.weight.narrow(0, 0, c));
  to->bias.copy_(from.bias.narrow(0, 0, c));
  to->running_mean.copy_(from.running_mean.narrow(0, 0, c));
  to->running_var.copy_(from.running_var.narrow(0, 0, c));
}

void copy_bn(torch::nn::BatchNorm2d& to, const torch::nn::BatchNorm2d& from) {
  to->weight.copy_(from->weight);
  to->bias.copy_(from->bias);
  to->running_mean.copy_(from->running_mean);
  to->running_var.copy_(from->running_var);
}

torch::Tensor tapped(const ActivationTap* tap, const torch::Tensor& x) {
  return tap && *tap ? (*tap)(x) : x;
}

}  // namespace

SubnetBlockImpl::SubnetBlockImpl(int in, int hidden, int out, int kernel, int stride, bool se,
                                 bool hswish_)
    : residual(stride == 1 && in == out), hswish(hswish_) {
  expand_conv = register_module("expand_conv", conv(in, hidden, 1));
  expand_bn = register_module("expand_bn", torch::nn::BatchNorm2d(hidden));
  depthwise = register_module("depthwise", conv(hidden, hidden, kernel, stride, hidden));
  depthwise_bn = register_module("depthwise_bn", torch::nn::BatchNorm2d(hidden));
  if (se) {
    const int mid = mbv3_se_channels(hidden);
    se_reduce = register_module("se_reduce", conv(hidden, mid, 1, 1, 1, true));
    se_expand = register_module("se_expand", conv(mid, hidden, 1, 1, 1, true));
  }
  project_conv = register_module("project_conv", conv(hidden, out, 1));
  project_bn = register_module("project_bn", torch::nn::BatchNorm2d(out));
}

torch::Tensor SubnetBlockImpl::forward(const torch::Tensor& x, CostTrace* trace,
                                      const ActivationTap* tap) {
  const std::int64_t held = residual ? per_image(x) : 0;
  torch::Tensor y = tapped(tap, activate(expand_bn(traced_conv(expand_conv, x, trace, 0)), hswish));
  y = tapped(tap, activate(depthwise_bn(traced_conv(depthwise, y, trace, held)), hswish));
  if (se_reduce) {
    torch::Tensor s = tapped(tap, torch::adaptive_avg_pool2d(y, {1, 1}));
    if (trace) trace->op(per_image(y) + per_image(s) + held);
    s = tapped(tap, torch::relu(traced_conv(se_reduce, s, trace, held + per_image(y))));
    s = tapped(tap, torch::hardsigmoid(traced_conv(se_expand, s, trace, held + per_image(y))));
    torch::Tensor scaled = tapped(tap, y * s);
    if (trace) trace->op(per_image(y) + per_image(s) + per_image(scaled) + held);
    y = scaled;
  }
  y = tapped(tap, project_bn(traced_conv(project_conv, y, trace, held)));
  if (!residual) return y;
  torch::Tensor sum = tapped(tap, y + x);
  if (trace) trace->op(per_image(y) + per_image(x) + per_image(sum));
  return sum;
}

SubnetImpl::SubnetImpl(const Mbv3Layout& layout, const Mbv3Subnet& subnet)
    : resolution(subnet.resolution), stem_hswish(subnet.stem_hswish), head_hswish(subnet.head_hswish) {
  stem_conv = register_module("stem_conv", conv(layout.in_channels, layout.stem_width, 3,
                                                layout.stem_stride));
  stem_bn = register_module("stem_bn", torch::nn::BatchNorm2d(layout.stem_width));
  int channels = layout.stem_width;
  for (std::size_t s = 0; s < layout.stages.size(); ++s) {
    const auto& stage = layout.stages[s];
    for (std::size_t b = 0; b < subnet.stages[s].size(); ++b) {
      const Mbv3Block& block = subnet.stages[s][b];
      blocks.push_back(register_module(
          "s" + std::to_string(s + 1) + "_b" + std::to_string(b + 1),
          SubnetBlock(channels, mbv3_hidden(channels, block.expand), stage.width, block.kernel,
                      b == 0 ? stage.stride : 1, stage.se, block.hswish)));
      channels = stage.width;
    }
  }
  head_conv = register_module("head_conv", conv(channels, layout.head_width, 1));
  head_bn = register_module("head_bn", torch::nn::BatchNorm2d(layout.head_width));
  classifier = register_module("classifier", torch::nn::Linear(layout.head_width, layout.classes));
}

torch::Tensor SubnetImpl::forward(const torch::Tensor& x, CostTrace* trace) {
  const ActivationTap* t = tap ? &tap : nullptr;
  torch::Tensor y =
      tapped(t, activate(stem_bn(traced_conv(stem_conv, tapped(t, x), trace, 0)), stem_hswish));
  if (activation_format != at::MemoryFormat::Contiguous) y = y.contiguous(activation_format);
  for (auto& block : blocks) y = block->forward(y, trace, t);
  y = tapped(t, activate(head_bn(traced_conv(head_conv, y, trace, 0)), head_hswish));
  torch::Tensor pooled = tapped(t, torch::adaptive_avg_pool2d(y, {1, 1}).flatten(1));
  if (trace) trace->op(per_image(y) + per_image(pooled));
  torch::Tensor logits = classifier(pooled);
  if (trace) {
    trace->macs += classifier->weight.numel();
    trace->op(per_image(pooled) + per_image(logits));
  }
  return logits;
}

void SubnetImpl::begin_recalibration() {
  for (auto& m : modules(false)) {
    if (auto* bn = m->as<torch::nn::BatchNorm2d>()) {
      bn->reset_running_stats();
      // No momentum: a cumulative average over the batches. The empty optional
      // is spelled through the option's own type, which is c10::optional in
      // LibTorch 1.x and std::optional in 2.x.
      bn->options.momentum(std::decay_t<decltype(bn->options.momentum())>());
    }
  }
}

void SubnetImpl::end_recalibration() {
  for (auto& m : modules(false)) {
    if (auto* bn = m->as<torch::nn::BatchNorm2d>()) bn->options.momentum(0.1);
  }
}

Subnet extract_subnet(Mbv3SupernetImpl& supernet, const Mbv3Subnet& spec) {
  const Mbv3Layout& layout = supernet.layout();
  Subnet net(layout, spec);
  torch::NoGradGuard no_grad;
  net->to(supernet.stem_conv->weight.device());
  net->stem_conv->weight.copy_(supernet.stem_conv->weight);
  copy_bn(net->stem_bn, supernet.stem_bn);
  std::size_t flat = 0;
  for (std::size_t s = 0; s < spec.stages.size(); ++s) {
    for (std::size_t b = 0; b < spec.stages[s].size(); ++b) {
      ElasticBlockImpl& from = *supernet.blocks[s][b];
      SubnetBlockImpl& to = *net->blocks[flat++];
      const int in = from.in_channels;
      const int hidden = mbv3_hidden(in, spec.stages[s][b].expand);
      to.expand_conv->weight.copy_(from.expand_conv->active_weight(in, hidden));
      copy_bn(to.expand_bn, *from.expand_bn);
      to.depthwise->weight.copy_(from.depthwise->active_weight(hidden, spec.stages[s][b].kernel));
      copy_bn(to.depthwise_bn, *from.depthwise_bn);
      if (from.se) {
        const int mid = mbv3_se_channels(hidden);
        to.se_reduce->weight.copy_(from.se->reduce->active_weight(hidden, mid));
        to.se_reduce->bias.copy_(from.se->reduce->active_bias(mid));
        to.se_expand->weight.copy_(from.se->expand->active_weight(mid, hidden));
        to.se_expand->bias.copy_(from.se->expand->active_bias(hidden));
      }
      to.project_conv->weight.copy_(from.project_conv->active_weight(hidden, from.out_channels));
      copy_bn(to.project_bn, *from.project_bn);
    }
  }
  net->head_conv->weight.copy_(supernet.head_conv->weight);
  copy_bn(net->head_bn, supernet.head_bn);
  net->classifier->weight.copy_(supernet.classifier->weight);
  net->classifier->bias.copy_(supernet.classifier->bias);
  net->eval();
  return net;
}

}  // namespace nas
