#include "device_runners/board/layer_precisions.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "core/text.h"
#include "device_runners/board/tool_parsers.h"

namespace nas {
namespace {

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// TensorRT names a tensor format with its data type ("Thirty-two wide
// channel vectorized row major Int8 format", "Row major linear FP16") and a
// weight type as "Int8", "Half" or "Float".
std::string tensorrt_precision(const std::string& type) {
  if (contains(type, "Int8")) return "int8";
  if (contains(type, "FP16") || contains(type, "Half")) return "fp16";
  if (contains(type, "FP32") || contains(type, "Float")) return "fp32";
  return "unknown";
}

bool tensorrt_convolution(const nlohmann::json& layer) {
  const std::string parameters = layer.value("ParameterType", "");
  const std::string type = layer.value("LayerType", "");
  return parameters == "Convolution" || parameters == "FullyConnected" ||
         parameters == "MatrixMultiply" || contains(type, "Convolution") || contains(type, "Gemm");
}

// The weights' type says what the convolution computes at; without weights
// (a dynamic filter), its input's format does.
std::string tensorrt_layer_precision(const nlohmann::json& layer) {
  const auto weights = layer.find("Weights");
  if (weights != layer.end() && weights->is_object() && weights->contains("Type")) {
    const std::string p = tensorrt_precision(weights->value("Type", ""));
    if (p != "unknown") return p;
  }
  const auto inputs = layer.find("Inputs");
  if (inputs != layer.end() && inputs->is_array() && !inputs->empty() &&
      (*inputs)[0].is_object()) {
    return tensorrt_precision((*inputs)[0].value("Format/Datatype", ""));
  }
  return "unknown";
}

// OpenVINO's CPU primitives end in their precision: jit_avx2_I8, brgconv_avx512_FP32.
std::string openvino_precision(const std::string& exec_type) {
  const auto underscore = exec_type.rfind('_');
  if (underscore == std::string::npos) return "unknown";
  const std::string suffix = exec_type.substr(underscore + 1);
  if (suffix == "I8" || suffix == "U8") return "int8";
  if (suffix == "FP16" || suffix == "F16") return "fp16";
  if (suffix == "FP32" || suffix == "F32") return "fp32";
  if (suffix == "BF16") return "bf16";
  return "unknown";
}

std::string first_word(const std::string& s) {
  std::istringstream in(s);
  std::string word;
  in >> word;
  return word;
}

}  // namespace

std::vector<LayerPrecisions::Layer> LayerPrecisions::not_at(Precision p) const {
  std::vector<Layer> out;
  for (const Layer& layer : convolutions) {
    if (layer.precision != "unknown" && layer.precision != to_string(p)) out.push_back(layer);
  }
  return out;
}

nlohmann::json LayerPrecisions::to_json(Precision p) const {
  std::map<std::string, int> count;
  for (const Layer& layer : convolutions) ++count[layer.precision];
  nlohmann::json off = nlohmann::json::array();
  for (const Layer& layer : not_at(p)) {
    off.push_back({{"name", layer.name}, {"precision", layer.precision}});
  }
  return {{"source", source},
          {"convolutions", convolutions.size()},
          {"by_precision", count},
          {"not_at_job_precision", off}};
}

LayerPrecisions parse_trtexec_layer_info(const std::string& json_text) {
  const std::string what = "trtexec layer information";
  const nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw ToolOutputError(what + ": not JSON");
  const nlohmann::json* layers = &doc;
  if (doc.is_object()) {
    const auto found = doc.find("Layers");
    if (found == doc.end()) throw ToolOutputError(what + ": no \"Layers\" array");
    layers = &*found;
  }
  if (!layers->is_array()) throw ToolOutputError(what + ": \"Layers\" is not an array");
  LayerPrecisions out;
  out.source = what;
  for (const nlohmann::json& layer : *layers) {
    if (layer.is_string()) {
      throw ToolOutputError(what + ": layer names only, which say nothing of precision; build "
                                   "the engine with --profilingVerbosity=detailed");
    }
    if (!layer.is_object()) throw ToolOutputError(what + ": a layer is neither object nor name");
    if (!tensorrt_convolution(layer)) continue;
    out.convolutions.push_back({layer.value("Name", "?"), tensorrt_layer_precision(layer)});
  }
  return out;
}

std::optional<LayerPrecisions> parse_benchmark_app_counters(const std::string& output) {
  LayerPrecisions out;
  out.source = "benchmark_app -pc";
  bool any = false;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    // "<name>  <status>  layerType: <type>  execType: <primitive>  realTime (ms): ..."
    // (Python's benchmark_app glues "Status.EXECUTED" to "layerType:").
    const auto type_at = line.find("layerType:");
    const auto exec_at = line.find("execType:");
    if (type_at == std::string::npos || exec_at == std::string::npos) continue;
    any = true;
    std::string before = line.substr(0, type_at);
    const auto last = before.find_last_not_of(" \t");
    if (last == std::string::npos) continue;
    before.resize(last + 1);
    const auto status_at = before.find_last_of(" \t");
    const std::string status = status_at == std::string::npos ? before : before.substr(status_at + 1);
    if (status.size() < 8 || status.compare(status.size() - 8, 8, "EXECUTED") != 0) continue;
    const std::string type = first_word(line.substr(type_at + 10));
    if (type != "Convolution" && type != "GroupConvolution" && type != "FullyConnected" &&
        type != "MatMul") {
      continue;
    }
    const std::string name = status_at == std::string::npos ? "" : trim(before.substr(0, status_at));
    out.convolutions.push_back({name.empty() ? "?" : name, openvino_precision(first_word(line.substr(exec_at + 9)))});
  }
  if (!any) return std::nullopt;
  return out;
}

std::optional<std::string> layer_precision_note(const LayerPrecisions& layers, Precision p) {
  const auto off = layers.not_at(p);
  if (off.empty()) return std::nullopt;
  std::string names;
  const std::size_t shown = std::min<std::size_t>(off.size(), 5);
  for (std::size_t i = 0; i < shown; ++i) {
    names += (i ? ", " : "") + off[i].name + " (" + off[i].precision + ")";
  }
  if (off.size() > shown) names += " and " + std::to_string(off.size() - shown) + " more";
  std::string why = p == Precision::kInt8
                        ? ": the runtime did not fuse their QuantizeLinear/DequantizeLinear pairs, "
                          "so this latency is not wholly int8"
                        : ": this latency is not wholly " + std::string(to_string(p));
  return std::to_string(off.size()) + " of " + std::to_string(layers.convolutions.size()) +
         " convolutions did not run at " + to_string(p) + " (" + layers.source + "): " + names +
         why;
}

}  // namespace nas
