#include "supernet/fake_quant.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>

namespace nas {
namespace {

constexpr std::int64_t kHistogramBins = 2048;
constexpr double kLevels = 255;  // int8: 256 values, 255 steps
constexpr double kWeightLimit = 127;  // symmetric: -128 unused

// The range an int8 tensor can hold: it must contain zero, so that zero
// (padding, ReLU's output) is exact.
ActivationRange with_zero(double lo, double hi) { return {std::min(lo, 0.0), std::max(hi, 0.0)}; }

torch::Tensor fake_quantize(const torch::Tensor& x, const Int8Affine& a) {
  if (a.scale <= 0) return torch::zeros_like(x);  // a site that was zero on every image
  return (x / a.scale).round().add(a.zero_point).clamp(-128, 127).sub(a.zero_point).mul(a.scale);
}

// Runs every batch with `observe` called on each site's activation.
template <typename Observe>
void for_each_site(SubnetImpl& net, const std::vector<torch::Tensor>& batches, Observe observe) {
  torch::NoGradGuard no_grad;
  std::size_t site = 0;
  // The tap refers to this frame: it must not outlive the call, thrown or not.
  struct Untap {
    SubnetImpl& net;
    ~Untap() { net.tap = nullptr; }
  } untap{net};
  net.tap = [&](const torch::Tensor& x) {
    observe(site++, x);
    return x;
  };
  for (const torch::Tensor& batch : batches) {
    site = 0;
    net.forward(batch);
  }
}

// The range that cuts (100 - percentile) % of the histogram's mass off its
// two tails together.
ActivationRange percentile_range(const torch::Tensor& counts, const ActivationRange& full,
                                 double percentile) {
  const torch::Tensor cumulative = counts.cumsum(0);
  const double total = cumulative[-1].item<double>();
  const double tail = total * (100.0 - percentile) / 200.0;
  const double width = (full.hi - full.lo) / kHistogramBins;
  const std::int64_t first = (cumulative <= tail).sum().item<std::int64_t>();
  // The first bin at which the mass below reaches all but the upper tail.
  const std::int64_t last = kHistogramBins - (cumulative >= total - tail).sum().item<std::int64_t>();
  return {full.lo + width * static_cast<double>(first),
          full.lo + width * static_cast<double>(std::max(last, first) + 1)};
}

// The range, among the full one shrunk towards zero by 1 %, 2 %, ..., 95 %,
// whose int8 rounding and clipping error over the histogram is least.
ActivationRange mse_range(const torch::Tensor& counts, const ActivationRange& full) {
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  const double width = (full.hi - full.lo) / kHistogramBins;
  const torch::Tensor centers =
      torch::arange(kHistogramBins, f64).add(0.5).mul(width).add(full.lo).unsqueeze(0);
  const torch::Tensor shrink = torch::arange(5, 101, f64).div(100).unsqueeze(1);  // 0.05 .. 1
  const torch::Tensor lo = shrink * full.lo, hi = shrink * full.hi;
  const torch::Tensor scale = ((hi - lo) / kLevels).clamp_min(1e-30);
  const torch::Tensor steps = ((centers - lo) / scale).round().clamp(0, kLevels);
  const torch::Tensor error = (centers - (steps * scale + lo)).pow(2).mul(counts.unsqueeze(0)).sum(1);
  const std::int64_t best = error.argmin().item<std::int64_t>();
  return {lo[best][0].item<double>(), hi[best][0].item<double>()};
}

}  // namespace

std::vector<ActivationRange> calibrate_activations(SubnetImpl& net,
                                                   const std::vector<torch::Tensor>& batches,
                                                   const QuantizationOptions& options) {
  const bool was_training = net.is_training();
  net.eval();
  std::vector<ActivationRange> full;
  for_each_site(net, batches, [&](std::size_t site, const torch::Tensor& x) {
    const double lo = x.min().item<double>(), hi = x.max().item<double>();
    if (site == full.size()) {
      full.push_back({lo, hi});
    } else {
      full[site] = {std::min(full[site].lo, lo), std::max(full[site].hi, hi)};
    }
  });
  for (ActivationRange& r : full) r = with_zero(r.lo, r.hi);
  std::vector<ActivationRange> chosen = full;
  if (options.rule != CalibrationRule::kMinMax) {
    std::vector<torch::Tensor> counts(full.size());
    for_each_site(net, batches, [&](std::size_t site, const torch::Tensor& x) {
      const ActivationRange& r = full[site];
      if (r.hi <= r.lo) return;
      torch::Tensor h = torch::histc(x.detach().to(torch::kFloat32).flatten(), kHistogramBins,
                                     r.lo, r.hi)
                            .to(torch::kCPU, torch::kFloat64);
      counts[site] = counts[site].defined() ? counts[site] + h : h;
    });
    for (std::size_t site = 0; site < full.size(); ++site) {
      if (!counts[site].defined()) continue;
      const ActivationRange r = options.rule == CalibrationRule::kPercentile
                                    ? percentile_range(counts[site], full[site], options.percentile)
                                    : mse_range(counts[site], full[site]);
      chosen[site] = with_zero(r.lo, r.hi);
    }
  }
  net.train(was_training);
  return chosen;
}

PerChannelInt8 per_channel_int8(const torch::Tensor& weight) {
  torch::NoGradGuard no_grad;
  std::vector<std::int64_t> shape(static_cast<std::size_t>(weight.dim()), 1);
  shape[0] = weight.size(0);
  const torch::Tensor scales =
      weight.reshape({weight.size(0), -1}).abs().amax(1).div(kWeightLimit).clamp_min(1e-12);
  const torch::Tensor values =
      weight.div(scales.reshape(shape)).round().clamp(-kWeightLimit, kWeightLimit);
  return {values.to(torch::kInt8), scales};
}

void quantize_weights_int8(SubnetImpl& net) {
  torch::NoGradGuard no_grad;
  for (const auto& module : net.modules(false)) {
    torch::Tensor weight;
    if (auto* conv = module->as<torch::nn::Conv2d>()) weight = conv->weight;
    if (auto* linear = module->as<torch::nn::Linear>()) weight = linear->weight;
    if (!weight.defined()) continue;
    const PerChannelInt8 q = per_channel_int8(weight);
    std::vector<std::int64_t> shape(static_cast<std::size_t>(weight.dim()), 1);
    shape[0] = weight.size(0);
    weight.copy_(q.values.to(weight.scalar_type()).mul(q.scales.reshape(shape)));
  }
}

void set_int8_activations(SubnetImpl& net, std::vector<ActivationRange> ranges) {
  std::vector<Int8Affine> affine;
  for (const ActivationRange& r : ranges) affine.push_back(int8_affine(r));
  // Every forward pass visits the sites in the same order, so a counter that
  // wraps around names them.
  auto site = std::make_shared<std::size_t>(0);
  net.tap = [affine = std::move(affine), site](const torch::Tensor& x) {
    const Int8Affine& a = affine[*site];
    *site = (*site + 1) % affine.size();
    return fake_quantize(x, a);
  };
}

void round_to_fp16(SubnetImpl& net) {
  torch::NoGradGuard no_grad;
  for (torch::Tensor& p : net.parameters()) p.copy_(p.to(torch::kHalf).to(p.scalar_type()));
  for (torch::Tensor& b : net.buffers()) {
    if (b.is_floating_point()) b.copy_(b.to(torch::kHalf).to(b.scalar_type()));
  }
  net.tap = [](const torch::Tensor& x) { return x.to(torch::kHalf).to(x.scalar_type()); };
}

void fake_quantize_int8(SubnetImpl& net, const std::vector<torch::Tensor>& batches,
                        const QuantizationOptions& options) {
  std::vector<ActivationRange> ranges = calibrate_activations(net, batches, options);
  quantize_weights_int8(net);
  set_int8_activations(net, std::move(ranges));
}

}  // namespace nas
