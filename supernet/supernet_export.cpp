// Shipping subnets of a trained supernet: loading its checkpoint without
// training, and the ONNX file of one subnet.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "supernet/fake_quant.h"
#include "supernet/onnx_export.h"
#include "supernet/subnet.h"
#include "supernet/supernet.h"
#include "supernet/supernet_impl.h"

namespace nas {

bool Supernet::load() {
  Impl& s = *impl_;
  if (!s.checkpoint_loaded) {
    if (!s.load_checkpoint()) return false;
    s.checkpoint_loaded = true;
  }
  return true;
}

namespace {

// What a user does to an image before the model sees it, in the file itself.
std::string preprocessing_json(const Supernet& supernet) {
  return nlohmann::json{{"layout", "NCHW float32, channels " +
                                        std::to_string(supernet.input_mean().size())},
                        {"scale", 1.0 / 255.0},
                        {"mean", supernet.input_mean()},
                        {"std", supernet.input_std()},
                        {"formula", "(pixel * scale - mean[c]) / std[c]"},
                        {"classes", supernet.class_names()}}
      .dump();
}

}  // namespace

namespace {

// What the file says of its numbers.
std::string precision_note(Precision precision, const QuantizationOptions& quantization,
                           std::int64_t calibration_images) {
  if (precision != Precision::kInt8) return "fp32";
  std::string rule = to_string(quantization.rule);
  if (quantization.rule == CalibrationRule::kPercentile) {
    rule += " " + nlohmann::json(quantization.percentile).dump();
  }
  return "int8 QDQ: weights symmetric per output channel, activations per tensor calibrated by " +
         rule + " on " + std::to_string(calibration_images) + " training images";
}

}  // namespace

// The file of `subnet`, which the caller has set up with its weights; for
// kInt8 calibrated first on the training images.
OnnxModel Supernet::Impl::export_subnet(const Supernet& owner, SubnetImpl& subnet, OnnxExportOptions onnx,
                                        const std::string& weights, Precision precision,
                                        const QuantizationOptions& quantization,
                                        std::int64_t batch_size) {
  if (precision != Precision::kFp32 && precision != Precision::kInt8) {
    throw Error(std::string("onnx export: precision ") + to_string(precision) +
                " is not written; fp32 or int8");
  }
  std::int64_t calibration_images = 0;
  if (precision == Precision::kInt8) {
    const std::vector<torch::Tensor> batches =
        calibration_batches(subnet.resolution, quantization.calibration_images, batch_size);
    for (const torch::Tensor& b : batches) calibration_images += b.size(0);
    onnx.int8_activations = calibrate_activations(subnet, batches, quantization);
  }
  onnx.metadata.emplace_back("nas.preprocessing", preprocessing_json(owner));
  onnx.metadata.emplace_back("nas.weights", weights);
  onnx.metadata.emplace_back("nas.precision",
                             precision_note(precision, quantization, calibration_images));
  return nas::export_onnx(subnet, onnx);
}

OnnxModel Supernet::export_onnx(const Arch& arch, const OnnxExportOptions& onnx,
                                const SupernetEvaluatorOptions& bn, Precision precision) {
  Impl& s = *impl_;
  const Mbv3Subnet spec = decode_mbv3(*s.space, s.layout, arch);
  try {
    Subnet net = s.recalibrated_subnet(spec, bn.bn_batches, bn.bn_batch_size);
    return s.export_subnet(*this, *net, onnx, "inherited from supernet " + s.checkpoint_id, precision,
                           bn.quantization, bn.bn_batch_size);
  } catch (const c10::Error& e) {
    throw Error(std::string("onnx export: LibTorch: ") + e.what_without_backtrace());
  }
}

OnnxModel Supernet::export_finetuned_onnx(const Arch& arch, const std::string& finetune_id,
                                          const OnnxExportOptions& onnx, Precision precision,
                                          const QuantizationOptions& quantization) {
  Impl& s = *impl_;
  const Mbv3Subnet spec = decode_mbv3(*s.space, s.layout, arch);
  try {
    Subnet net = s.finetuned_subnet(spec, finetune_id);
    return s.export_subnet(*this, *net, onnx, "fine-tuned " + finetune_id, precision, quantization,
                           SupernetEvaluatorOptions{}.bn_batch_size);
  } catch (const c10::Error& e) {
    throw Error(std::string("onnx export: LibTorch: ") + e.what_without_backtrace());
  }
}

}  // namespace nas
