// Scoring subnets of a trained supernet: accuracy after BN recalibration,
// and latency on this machine's CPU.
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>

#include "core/errors.h"
#include "supernet/fake_quant.h"
#include "supernet/library_errors.h"
#include "core/time_runs.h"
#include "supernet/subnet.h"
#include "supernet/supernet.h"
#include "supernet/supernet_impl.h"

namespace nas {

const Supernet::Impl::Tensors& Supernet::Impl::test_split() {
  if (!test) {
    const ImageSet set = load_test_split(options.data, data_side(), options.training.checkpoint_dir);
    test = to_tensors(set, {0.0f}, {1.0f});
    test->mean = train.mean;
    test->std = train.std;
  }
  return *test;
}

Subnet Supernet::Impl::recalibrated_subnet(const Mbv3Subnet& spec, std::int64_t batches,
                                           std::int64_t batch_size) {
  Subnet subnet = extract_subnet(*net, spec);
  if (device.is_cpu()) subnet->activation_format = at::MemoryFormat::ChannelsLast;
  if (batches <= 0) return subnet;
  torch::NoGradGuard no_grad;
  // BN recalibration: a fixed set of training images (the first batches
  // of the stored order), so every subnet sees the same ones.
  subnet->train();
  subnet->begin_recalibration();
  const std::int64_t n_train = train.images.size(0);
  for (std::int64_t b = 0; b < batches; ++b) {
    const std::int64_t start = (b * batch_size) % n_train;
    const std::int64_t count = std::min(batch_size, n_train - start);
    const torch::Tensor raw = train.images.narrow(0, start, count);
    subnet->forward(resize_to(normalize(train, raw), spec.resolution));
  }
  subnet->end_recalibration();
  subnet->eval();
  return subnet;
}

std::int64_t Supernet::Impl::scored_count(Split split, const SupernetEvaluatorOptions& scoring) {
  const Tensors& data = split == Split::kValidation ? validation : test_split();
  std::int64_t n = data.images.size(0);
  if (split == Split::kValidation && scoring.val_images > 0) n = std::min(n, scoring.val_images);
  return n;
}

torch::Tensor Supernet::Impl::predicted_classes(SubnetImpl& subnet, Split split,
                                                const SupernetEvaluatorOptions& scoring) {
  torch::NoGradGuard no_grad;
  const Tensors& data = split == Split::kValidation ? validation : test_split();
  const std::int64_t n = scored_count(split, scoring);
  std::vector<torch::Tensor> predicted;
  for (std::int64_t start = 0; start < n; start += scoring.batch_size) {
    const std::int64_t count = std::min(scoring.batch_size, n - start);
    const torch::Tensor x = resize_to(normalize(data, data.images.narrow(0, start, count)),
                                      subnet.resolution)
                                .to(subnet.stem_conv->weight.scalar_type());
    predicted.push_back(subnet.forward(x).argmax(1).to(torch::kCPU));
  }
  return torch::cat(predicted);
}

double Supernet::Impl::top1(SubnetImpl& subnet, Split split,
                            const SupernetEvaluatorOptions& scoring) {
  const Tensors& data = split == Split::kValidation ? validation : test_split();
  const torch::Tensor predicted = predicted_classes(subnet, split, scoring);
  const std::int64_t n = predicted.size(0);
  const std::int64_t correct =
      predicted.eq(data.labels.narrow(0, 0, n)).sum().item<std::int64_t>();
  return static_cast<double>(correct) / static_cast<double>(n);
}

std::vector<torch::Tensor> Supernet::Impl::calibration_batches(int resolution,
                                                               std::int64_t images,
                                                               std::int64_t batch_size) {
  std::vector<torch::Tensor> batches;
  const std::int64_t n = std::min(images, train.images.size(0));
  for (std::int64_t start = 0; start < n; start += batch_size) {
    const std::int64_t count = std::min(batch_size, n - start);
    batches.push_back(resize_to(normalize(train, train.images.narrow(0, start, count)), resolution));
  }
  return batches;
}

namespace {

std::vector<std::int64_t> to_vector(const torch::Tensor& classes) {
  const torch::Tensor c = classes.to(torch::kCPU, torch::kInt64).contiguous();
  return {c.data_ptr<std::int64_t>(), c.data_ptr<std::int64_t>() + c.numel()};
}

}  // namespace

// The subnet accuracy() and predictions() score: BN recalibrated, then
// quantized as `precision` says.
Subnet Supernet::Impl::scored_subnet(const Arch& arch, const SupernetEvaluatorOptions& scoring,
                                     Precision precision) {
  const Mbv3Subnet spec = decode_mbv3(*space, layout, arch);
  Subnet subnet = recalibrated_subnet(spec, scoring.bn_batches, scoring.bn_batch_size);
  if (precision == Precision::kInt8) {
    fake_quantize_int8(*subnet,
                       calibration_batches(spec.resolution, scoring.quantization.calibration_images,
                                           scoring.bn_batch_size),
                       scoring.quantization);
  } else if (precision == Precision::kFp16) {
    round_to_fp16(*subnet);
  }
  return subnet;
}

double Supernet::accuracy(const Arch& arch, Split split, const SupernetEvaluatorOptions& options,
                          Precision precision) {
  Impl& s = *impl_;
  try {
    Subnet net = s.scored_subnet(arch, options, precision);
    return s.top1(*net, split, options);
  } catch (const c10::Error& e) {
    throw Error("supernet accuracy: " + first_line(e.what()));
  }
}

SplitPredictions Supernet::predictions(const Arch& arch, Split split,
                                       const SupernetEvaluatorOptions& options,
                                       Precision precision) {
  Impl& s = *impl_;
  try {
    Subnet net = s.scored_subnet(arch, options, precision);
    SplitPredictions out;
    out.predicted = to_vector(s.predicted_classes(*net, split, options));
    const Impl::Tensors& data = split == Split::kValidation ? s.validation : s.test_split();
    out.labels = to_vector(data.labels.narrow(0, 0, static_cast<std::int64_t>(out.predicted.size())));
    return out;
  } catch (const c10::Error& e) {
    throw Error("supernet predictions: " + first_line(e.what()));
  }
}

namespace {

ImageBatch to_image_batch(const torch::Tensor& images) {
  const torch::Tensor x = images.to(torch::kCPU, torch::kFloat32).contiguous();
  ImageBatch out;
  out.shape.assign(x.sizes().begin(), x.sizes().end());
  out.pixels.assign(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
  return out;
}

}  // namespace

ImageBatch Supernet::scored_images(Split split, int resolution,
                                   const SupernetEvaluatorOptions& options) {
  Impl& s = *impl_;
  try {
    const Impl::Tensors& data = split == Split::kValidation ? s.validation : s.test_split();
    const std::int64_t n = s.scored_count(split, options);
    return to_image_batch(resize_to(s.normalize(data, data.images.narrow(0, 0, n)), resolution));
  } catch (const c10::Error& e) {
    throw Error("supernet images: " + first_line(e.what()));
  }
}

ImageBatch Supernet::calibration_images(const Arch& arch, const SupernetEvaluatorOptions& options) {
  Impl& s = *impl_;
  try {
    const int resolution = decode_mbv3(*s.space, s.layout, arch).resolution;
    return to_image_batch(torch::cat(s.calibration_batches(
        resolution, options.quantization.calibration_images, options.bn_batch_size)));
  } catch (const c10::Error& e) {
    throw Error("supernet calibration images: " + first_line(e.what()));
  }
}

LatencyStats Supernet::measure_cpu_latency(const Arch& arch, const LatencyOptions& options) {
  Impl& s = *impl_;
  try {
    const Mbv3Subnet spec = decode_mbv3(*s.space, s.layout, arch);
    Subnet net = extract_subnet(*s.net, spec);
    net->to(torch::kCPU);
    net->eval();
    ThreadsGuard threads(static_cast<int>(options.threads));
    torch::InferenceMode inference;
    const torch::Tensor x =
        torch::randn({options.batch, s.layout.in_channels, spec.resolution, spec.resolution});
    // The same protocol and timing loop the runners use.
    const MeasureProtocol protocol = MeasureProtocol::from_options(options);
    LatencyStats stats = *time_runs([&] { net->forward(x); }, protocol, [] { return false; });
    return stats;
  } catch (const c10::Error& e) {
    throw Error("cpu latency: " + first_line(e.what()));
  }
}

}  // namespace nas
