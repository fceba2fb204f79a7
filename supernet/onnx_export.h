// ONNX export of an extracted subnet (supernet/subnet.h), built with the
// ONNX protobuf types of Debian's libonnx-dev. Torch-free and protobuf-free
// header: callers pass the module and get the file's bytes.
//
// The graph: opset 14, one float input "input" of a fixed shape
// (batch, channels, resolution, resolution) and one output "logits"
// (batch, classes). Batch normalisation is folded into the convolution before
// it (eval-mode statistics), so the nodes are Conv, Relu, HardSwish,
// HardSigmoid, GlobalAveragePool, Mul, Add, Flatten and Gemm; the weights are
// initializers in the file.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "supernet/int8_range.h"

namespace nas {

class SubnetImpl;

struct OnnxExportOptions {
  std::int64_t batch = 1;              // the input's fixed batch size; >= 1
  std::string producer_version;        // recorded in the file; "" = unknown
  std::string doc;                     // the model's doc_string, e.g. the arch's JSON
  // The file's metadata_props (key, value), e.g. how to prepare an input.
  std::vector<std::pair<std::string, std::string>> metadata;
  // Non-empty: an int8 QDQ file with these ranges, from
  // calibrate_activations on the same net (one per ActivationTap site).
  std::vector<ActivationRange> int8_activations;
};

// An exported network and the input shape it was exported for.
struct OnnxModel {
  std::string bytes;                      // a serialized onnx.ModelProto
  std::vector<std::int64_t> input_shape;  // (batch, channels, resolution, resolution)
  std::vector<std::pair<std::string, std::string>> metadata;  // as in the file
};

// Exports `net` as it computes in eval mode (running BN statistics).
// The weights are read from wherever the module lives (CPU or CUDA); the
// module is not changed. The model passes ONNX's own checker before it is
// returned. Throws nas::Error for a batch < 1, int8 ranges whose count is not
// the net's number of sites, or a model the checker refuses (a bug of ours:
// the message says what the checker said).
OnnxModel export_onnx(const SubnetImpl& net, const OnnxExportOptions& options);

// Writes `bytes` to `path` atomically (a temporary file renamed into place),
// so a reader never sees half a model. Throws nas::Error naming the path.
void write_model_file(const std::string& path, const std::string& bytes);

}  // namespace nas
