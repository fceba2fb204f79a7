// What a runtime says each convolution of a network ran at, from its own
// per-layer report:
//   TensorRT   the layer information trtexec writes with
//              --profilingVerbosity=detailed --exportLayerInfo=FILE (JSON)
//   OpenVINO   benchmark_app's performance counters (-pc), whose execType
//              ends in the primitive's precision (_I8, _FP16, _FP32)
// An int8 file is not an int8 network: QuantizeLinear/DequantizeLinear pairs
// that the runtime cannot fuse into a convolution leave that convolution in
// fp16 or fp32 between reformatting layers, which can make the "int8" engine
// slower than the fp16 one. This report lets a measurement say so.
// A fully connected layer counts as a (1x1) convolution.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/metric.h"

namespace nas {

struct LayerPrecisions {
  struct Layer {
    std::string name;
    std::string precision;  // "int8", "fp16", "fp32", or "unknown" (the report does not say)
  };
  std::string source;          // "trtexec layer information", "benchmark_app -pc"
  std::vector<Layer> convolutions;  // in the runtime's order; only layers that ran

  // Convolutions the report places at a known precision other than `p`.
  std::vector<Layer> not_at(Precision p) const;

  // For JobResult::environment["layer_precisions"]: source, the count per
  // precision and the convolutions not at `p`.
  nlohmann::json to_json(Precision p) const;
};

// A report of `trtexec --profilingVerbosity=detailed --exportLayerInfo`.
// Throws ToolOutputError for JSON that is not one, and for a report with
// layer names only (built without detailed profiling verbosity), which says
// nothing of precision.
LayerPrecisions parse_trtexec_layer_info(const std::string& json_text);

// benchmark_app's performance counters in `output` (its whole printout);
// nullopt when it printed none (run without -pc).
std::optional<LayerPrecisions> parse_benchmark_app_counters(const std::string& output);

// One line for a measurement whose convolutions did not all run at `p`:
// "2 of 7 convolutions ran at fp16, not int8 (block1.depthwise, ...): ..."
// nullopt when they all did, or the report does not say.
std::optional<std::string> layer_precision_note(const LayerPrecisions& layers, Precision p);

}  // namespace nas
