#include "supernet/onnx_export.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <limits>
#include <map>

#include "core/errors.h"
#include "supernet/fake_quant.h"
#include "supernet/subnet.h"

// ONNX stores raw tensor data little-endian; so do both hosts we build for
// (x86-64, aarch64), which lets a float buffer be copied as it is.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "raw_data needs a little-endian host");

namespace nas {
namespace {

constexpr std::int64_t kOpset = 14;  // the first with HardSwish

// A conv's weights with the BN after it folded in (eval-mode statistics):
// w' = w * g / sqrt(v + eps), b' = beta + (b - mean) * g / sqrt(v + eps).
// In double, so folding adds no rounding beyond the final cast to float.
struct Folded {
  torch::Tensor weight, bias;
};

Folded fold(const torch::nn::Conv2d& conv, const torch::nn::BatchNorm2d& bn) {
  const auto d = [](const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kFloat64); };
  const torch::Tensor scale = d(bn->weight) / torch::sqrt(d(bn->running_var) + bn->options.eps());
  torch::Tensor shift = -d(bn->running_mean);
  if (conv->bias.defined()) shift = shift + d(conv->bias);
  return {d(conv->weight) * scale.view({-1, 1, 1, 1}), d(bn->bias) + shift * scale};
}

Folded plain(const torch::nn::Conv2d& conv) {
  return {conv->weight.detach(), conv->bias.defined() ? conv->bias.detach() : torch::Tensor()};
}

// Writes the graph's nodes and initializers. In int8 mode (ranges given)
// every activation site gets a QuantizeLinear/DequantizeLinear pair, and
// the weights and biases of Conv and Gemm are stored as integers behind a
// DequantizeLinear.
class GraphWriter {
 public:
  GraphWriter(onnx::GraphProto& graph, const std::vector<ActivationRange>& int8_ranges)
      : graph_(graph), ranges_(int8_ranges) {}

  // The number of activation sites passed so far.
  std::size_t sites() const { return next_site_; }

  // A float initializer named `name`, returned for use as a node input.
  std::string initializer(const std::string& name, const torch::Tensor& value) {
    return typed_initializer(name, value.to(torch::kFloat32), onnx::TensorProto::FLOAT);
  }

  // An activation site (an ActivationTap of the subnet's forward): in int8
  // mode `x` quantized with the site's calibrated range and dequantized, so
  // the next node reads what an int8 runtime holds.
  std::string site(const std::string& x) {
    if (ranges_.empty()) return x;
    if (next_site_ >= ranges_.size()) {
      throw Error("onnx export: " + std::to_string(ranges_.size()) +
                  " int8 activation ranges for a subnet with more activation sites");
    }
    const Int8Affine a = int8_affine(ranges_[next_site_++]);
    // A site that was zero on every calibration image stays zero: the
    // smallest scale there is rounds anything else to nothing.
    const float scale =
        a.scale > 0 ? static_cast<float>(a.scale) : std::numeric_limits<float>::min();
    const std::string scale_name = initializer(x + ".q_scale", torch::tensor(scale));
    const std::string zero_name = typed_initializer(
        x + ".q_zero", torch::tensor(static_cast<std::int8_t>(a.zero_point)), onnx::TensorProto::INT8);
    node("QuantizeLinear", {x, scale_name, zero_name}, x + ".q");
    node("DequantizeLinear", {x + ".q", scale_name, zero_name}, x + ".dq");
    activation_scale_[x + ".dq"] = scale;
    return x + ".dq";
  }

  // A Conv or Gemm weight (output channels first), with its optional bias,
  // for a node whose input is `x`: float initializers, or in int8 mode int8
  // per output channel and int32 at scale(x) * weight scale, each behind a
  // DequantizeLinear on axis 0.
  std::vector<std::string> weights(const std::string& name, const std::string& x,
                                   const torch::Tensor& weight, const torch::Tensor& bias) {
    if (ranges_.empty()) {
      std::vector<std::string> names = {initializer(name + ".weight", weight)};
      if (bias.defined()) names.push_back(initializer(name + ".bias", bias));
      return names;
    }
    const auto scale_of_x = activation_scale_.find(x);
    if (scale_of_x == activation_scale_.end()) {
      throw Error("onnx export: " + name + " reads " + x + ", which is not quantized");
    }
    const PerChannelInt8 q = per_channel_int8(weight.detach().to(torch::kCPU, torch::kFloat32));
    const torch::Tensor weight_scales = q.scales.to(torch::kFloat32);
    std::vector<std::string> names = {dequantized(
        name + ".weight", typed_initializer(name + ".weight_q", q.values, onnx::TensorProto::INT8),
        weight_scales, torch::zeros_like(weight_scales, torch::kInt8), onnx::TensorProto::INT8)};
    if (bias.defined()) {
      // The runtime adds the bias to the int32 accumulator, whose scale is
      // the input's times the weight's.
      const torch::Tensor bias_scales = weight_scales * scale_of_x->second;
      const torch::Tensor values =
          (bias.detach().to(torch::kCPU, torch::kFloat64) / bias_scales.to(torch::kFloat64))
              .round()
              .clamp(std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max())
              .to(torch::kInt32);
      names.push_back(dequantized(
          name + ".bias", typed_initializer(name + ".bias_q", values, onnx::TensorProto::INT32),
          bias_scales, torch::zeros_like(bias_scales, torch::kInt32), onnx::TensorProto::INT32));
    }
    return names;
  }

  // A node of `op` whose one output is named `output`.
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::string& output) {
    onnx::NodeProto* n = graph_.add_node();
    n->set_op_type(op);
    n->set_name(output);
    for (const auto& in : inputs) n->add_input(in);
    n->add_output(output);
    return *n;
  }

  std::string conv(const std::string& name, const std::string& x, const torch::nn::Conv2d& conv,
                   const Folded& w) {
    const auto& o = conv->options;
    const auto* padding = c10::get_if<torch::ExpandingArray<2>>(&o.padding());
    if (!padding || (*o.dilation())[0] != 1 || (*o.dilation())[1] != 1) {
      throw Error("onnx export: " + name + " has padding or dilation the exporter does not know");
    }
    std::vector<std::string> inputs = {x};
    for (const std::string& w_name : weights(name, x, w.weight, w.bias)) inputs.push_back(w_name);
    onnx::NodeProto& n = node("Conv", inputs, name);
    ints(n, "kernel_shape", {w.weight.size(2), w.weight.size(3)});
    ints(n, "strides", {(*o.stride())[0], (*o.stride())[1]});
    ints(n, "pads", {(**padding)[0], (**padding)[1], (**padding)[0], (**padding)[1]});
    integer(n, "group", o.groups());
    return name;
  }

  std::string unary(const std::string& op, const std::string& x, const std::string& name) {
    node(op, {x}, name);
    return name;
  }

  std::string activation(bool hswish, const std::string& x, const std::string& name) {
    return unary(hswish ? "HardSwish" : "Relu", x, name);
  }

  static void ints(onnx::NodeProto& n, const std::string& name, const std::vector<std::int64_t>& v) {
    onnx::AttributeProto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (const std::int64_t x : v) a->add_ints(x);
  }
  static void integer(onnx::NodeProto& n, const std::string& name, std::int64_t v) {
    onnx::AttributeProto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void real(onnx::NodeProto& n, const std::string& name, float v) {
    onnx::AttributeProto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }

 private:
  std::string typed_initializer(const std::string& name, const torch::Tensor& value,
                                onnx::TensorProto::DataType type) {
    const torch::Tensor t = value.detach().to(torch::kCPU).contiguous();
    onnx::TensorProto* p = graph_.add_initializer();
    p->set_name(name);
    p->set_data_type(type);
    for (const std::int64_t d : t.sizes()) p->add_dims(d);
    p->set_raw_data(t.data_ptr(), t.nbytes());
    return name;
  }

  // DequantizeLinear of the integer initializer `values` per axis 0.
  std::string dequantized(const std::string& name, const std::string& values,
                          const torch::Tensor& scales, const torch::Tensor& zeros,
                          onnx::TensorProto::DataType zero_type) {
    const std::string scale_name = initializer(name + "_scale", scales);
    const std::string zero_name = typed_initializer(name + "_zero", zeros, zero_type);
    integer(node("DequantizeLinear", {values, scale_name, zero_name}, name), "axis", 0);
    return name;
  }

  onnx::GraphProto& graph_;
  const std::vector<ActivationRange>& ranges_;
  std::size_t next_site_ = 0;
  std::map<std::string, float> activation_scale_;  // DequantizeLinear output -> its scale
};

void set_float_tensor(onnx::ValueInfoProto* v, const std::string& name,
                      const std::vector<std::int64_t>& shape) {
  v->set_name(name);
  onnx::TypeProto_Tensor* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  for (const std::int64_t d : shape) t->mutable_shape()->add_dim()->set_dim_value(d);
}

std::string block(GraphWriter& g, const SubnetBlockImpl& b, const std::string& x,
                  const std::string& name) {
  // The sites in the order SubnetBlockImpl::forward taps them.
  std::string y = g.conv(name + ".expand", x, b.expand_conv, fold(b.expand_conv, b.expand_bn));
  y = g.site(g.activation(b.hswish, y, name + ".expand_act"));
  y = g.conv(name + ".depthwise", y, b.depthwise, fold(b.depthwise, b.depthwise_bn));
  y = g.site(g.activation(b.hswish, y, name + ".depthwise_act"));
  if (b.se_reduce) {
    std::string s = g.site(g.unary("GlobalAveragePool", y, name + ".se_pool"));
    s = g.conv(name + ".se_reduce", s, b.se_reduce, plain(b.se_reduce));
    s = g.site(g.unary("Relu", s, name + ".se_relu"));
    s = g.conv(name + ".se_expand", s, b.se_expand, plain(b.se_expand));
    // torch's hardsigmoid is relu6(x + 3) / 6; ONNX's default slope is 0.2.
    g.real(g.node("HardSigmoid", {s}, name + ".se_gate"), "alpha", 1.0f / 6.0f);
    s = g.site(name + ".se_gate");
    y = g.site(g.node("Mul", {y, s}, name + ".se_scale").output(0));
  }
  y = g.site(g.conv(name + ".project", y, b.project_conv, fold(b.project_conv, b.project_bn)));
  if (!b.residual) return y;
  return g.site(g.node("Add", {y, x}, name + ".residual").output(0));
}

}  // namespace

OnnxModel export_onnx(const SubnetImpl& net, const OnnxExportOptions& options) {
  if (options.batch < 1) throw Error("onnx export: batch must be >= 1");
  OnnxModel out;
  const std::int64_t channels = net.stem_conv->weight.size(1);
  out.input_shape = {options.batch, channels, net.resolution, net.resolution};
  const std::int64_t classes = net.classifier->weight.size(0);

  onnx::ModelProto model;
  model.set_ir_version(onnx::IR_VERSION);
  model.set_producer_name("nas");
  model.set_producer_version(options.producer_version.empty() ? "unknown"
                                                              : options.producer_version);
  out.metadata = options.metadata;
  for (const auto& [key, value] : options.metadata) {
    onnx::StringStringEntryProto* entry = model.add_metadata_props();
    entry->set_key(key);
    entry->set_value(value);
  }
  model.set_doc_string(options.doc);
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  onnx::GraphProto& graph = *model.mutable_graph();
  graph.set_name("nas_subnet");
  set_float_tensor(graph.add_input(), "input", out.input_shape);
  set_float_tensor(graph.add_output(), "logits", {options.batch, classes});

  GraphWriter g(graph, options.int8_activations);
  try {
    torch::NoGradGuard no_grad;
    // The sites in the order SubnetImpl::forward taps them.
    std::string y = g.conv("stem", g.site("input"), net.stem_conv, fold(net.stem_conv, net.stem_bn));
    y = g.site(g.activation(net.stem_hswish, y, "stem_act"));
    for (std::size_t i = 0; i < net.blocks.size(); ++i) {
      y = block(g, *net.blocks[i], y, "block" + std::to_string(i + 1));
    }
    y = g.conv("head", y, net.head_conv, fold(net.head_conv, net.head_bn));
    y = g.site(g.activation(net.head_hswish, y, "head_act"));
    y = g.unary("GlobalAveragePool", y, "pool");
    GraphWriter::integer(g.node("Flatten", {y}, "flatten"), "axis", 1);
    const std::string pooled = g.site("flatten");
    std::vector<std::string> gemm_inputs = {pooled};
    for (const std::string& w : g.weights("classifier", pooled, net.classifier->weight,
                                          net.classifier->bias)) {
      gemm_inputs.push_back(w);
    }
    GraphWriter::integer(g.node("Gemm", gemm_inputs, "logits"), "transB", 1);
    if (g.sites() != options.int8_activations.size() && !options.int8_activations.empty()) {
      throw Error("onnx export: " + std::to_string(options.int8_activations.size()) +
                  " int8 activation ranges for a subnet with " + std::to_string(g.sites()) +
                  " activation sites");
    }
  } catch (const c10::Error& e) {
    throw Error(std::string("onnx export: LibTorch: ") + e.what_without_backtrace());
  }

  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    throw Error(std::string("onnx export: the model fails ONNX's checker: ") + e.what());
  }
  if (!model.SerializeToString(&out.bytes)) throw Error("onnx export: cannot serialize the model");
  return out;
}

}  // namespace nas
