#include "supernet/onnx_export.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include "core/errors.h"
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

class GraphWriter {
 public:
  explicit GraphWriter(onnx::GraphProto& graph) : graph_(graph) {}

  // A float initializer named `name`, returned for use as a node input.
  std::string initializer(const std::string& name, const torch::Tensor& value) {
    const torch::Tensor t = value.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    onnx::TensorProto* p = graph_.add_initializer();
    p->set_name(name);
    p->set_data_type(onnx::TensorProto::FLOAT);
    for (const std::int64_t d : t.sizes()) p->add_dims(d);
    p->set_raw_data(t.data_ptr<float>(), static_cast<std::size_t>(t.numel()) * sizeof(float));
    return name;
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
    std::vector<std::string> inputs = {x, initializer(name + ".weight", w.weight)};
    if (w.bias.defined()) inputs.push_back(initializer(name + ".bias", w.bias));
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
  onnx::GraphProto& graph_;
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
  std::string y = g.conv(name + ".expand", x, b.expand_conv, fold(b.expand_conv, b.expand_bn));
  y = g.activation(b.hswish, y, name + ".expand_act");
  y = g.conv(name + ".depthwise", y, b.depthwise, fold(b.depthwise, b.depthwise_bn));
  y = g.activation(b.hswish, y, name + ".depthwise_act");
  if (b.se_reduce) {
    std::string s = g.unary("GlobalAveragePool", y, name + ".se_pool");
    s = g.conv(name + ".se_reduce", s, b.se_reduce, plain(b.se_reduce));
    s = g.unary("Relu", s, name + ".se_relu");
    s = g.conv(name + ".se_expand", s, b.se_expand, plain(b.se_expand));
    // torch's hardsigmoid is relu6(x + 3) / 6; ONNX's default slope is 0.2.
    g.real(g.node("HardSigmoid", {s}, name + ".se_gate"), "alpha", 1.0f / 6.0f);
    y = g.node("Mul", {y, name + ".se_gate"}, name + ".se_scale").output(0);
  }
  y = g.conv(name + ".project", y, b.project_conv, fold(b.project_conv, b.project_bn));
  if (!b.residual) return y;
  return g.node("Add", {y, x}, name + ".residual").output(0);
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

  GraphWriter g(graph);
  try {
    torch::NoGradGuard no_grad;
    std::string y = g.conv("stem", "input", net.stem_conv, fold(net.stem_conv, net.stem_bn));
    y = g.activation(true, y, "stem_act");
    for (std::size_t i = 0; i < net.blocks.size(); ++i) {
      y = block(g, *net.blocks[i], y, "block" + std::to_string(i + 1));
    }
    y = g.conv("head", y, net.head_conv, fold(net.head_conv, net.head_bn));
    y = g.activation(true, y, "head_act");
    y = g.unary("GlobalAveragePool", y, "pool");
    onnx::NodeProto& flatten = g.node("Flatten", {y}, "flatten");
    GraphWriter::integer(flatten, "axis", 1);
    onnx::NodeProto& gemm =
        g.node("Gemm",
               {"flatten", g.initializer("classifier.weight", net.classifier->weight),
                g.initializer("classifier.bias", net.classifier->bias)},
               "logits");
    GraphWriter::integer(gemm, "transB", 1);
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
