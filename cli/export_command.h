// `nas export STORE --arch ID --format onnx [--precision fp32|int8] [-o FILE]
// [--inherited]`: ships a subnet the search found, with its latest
// fine-tune's weights where the store records one (`nas finetune`), else the
// trained supernet's; int8 as a calibrated QDQ file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace nas::cli {

struct ExportCommand {
  std::string store_path;
  std::string arch_id;
  std::string format = "onnx";          // the only format so far
  std::string output_path;              // default: <arch id>.onnx
  std::optional<std::int64_t> run_id;   // default: the latest run that queried the arch
  std::int64_t batch = 1;               // the file's fixed input batch
  bool inherited = false;               // the supernet's weights even when fine-tuned
  std::string precision = "fp32";       // "fp32", or "int8": QDQ calibrated as the run's
                                        // evaluator/quantization says
};

// Looks the arch and its run's configuration up in the store, loads that
// configuration's trained supernet checkpoint (never trains), and writes the
// file with the weights of the arch's latest stored fine-tune, or (none, or
// `inherited`) the supernet's, BN recalibrated as the run's accuracy was.
// Prints which weights it used. Throws nas::Error, one
// line each, for: an unknown arch id, a run that is not in the store or did
// not query the arch, an arch of a space with no network builder (nb201), a
// missing or unfinished checkpoint (naming the file and that `nas run` trains
// it), a fine-tune's missing or unfinished weights file, an unwritable
// output file.
int export_command(const ExportCommand& command);

}  // namespace nas::cli
