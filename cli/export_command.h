// `nas export STORE --arch ID --format onnx [-o FILE]`: ships a subnet the
// search found, with the trained supernet's weights.
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
};

// Looks the arch and its run's configuration up in the store, loads that
// configuration's trained supernet checkpoint (never trains), recalibrates
// BN as the run's accuracy did and writes the file. Throws nas::Error, one
// line each, for: an unknown arch id, a run that is not in the store or did
// not query the arch, an arch of a space with no network builder (nb201), a
// missing or unfinished checkpoint (naming the file and that `nas run` trains
// it), an unwritable output file.
int export_command(const ExportCommand& command);

}  // namespace nas::cli
