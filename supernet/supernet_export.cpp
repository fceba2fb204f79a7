// Shipping subnets of a trained supernet: loading its checkpoint without
// training, and the ONNX file of one subnet.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "core/errors.h"
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

OnnxModel Supernet::export_onnx(const Arch& arch, const OnnxExportOptions& onnx,
                                const SupernetEvaluatorOptions& bn) {
  Impl& s = *impl_;
  const Mbv3Subnet spec = decode_mbv3(*s.space, s.layout, arch);
  try {
    Subnet net = s.recalibrated_subnet(spec, bn.bn_batches, bn.bn_batch_size);
    OnnxExportOptions with_input = onnx;
    with_input.metadata.emplace_back("nas.preprocessing", preprocessing_json(*this));
    with_input.metadata.emplace_back("nas.weights", "inherited from supernet " + s.checkpoint_id);
    return nas::export_onnx(*net, with_input);
  } catch (const c10::Error& e) {
    throw Error(std::string("onnx export: LibTorch: ") + e.what_without_backtrace());
  }
}

OnnxModel Supernet::export_finetuned_onnx(const Arch& arch, const std::string& finetune_id,
                                          const OnnxExportOptions& onnx) {
  Impl& s = *impl_;
  const Mbv3Subnet spec = decode_mbv3(*s.space, s.layout, arch);
  try {
    Subnet net = s.finetuned_subnet(spec, finetune_id);
    OnnxExportOptions with_input = onnx;
    with_input.metadata.emplace_back("nas.preprocessing", preprocessing_json(*this));
    with_input.metadata.emplace_back("nas.weights", "fine-tuned " + finetune_id);
    return nas::export_onnx(*net, with_input);
  } catch (const c10::Error& e) {
    throw Error(std::string("onnx export: LibTorch: ") + e.what_without_backtrace());
  }
}

}  // namespace nas
