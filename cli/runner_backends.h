// The measuring backends a `nas runner` can use, by name.
#pragma once

#include <memory>

#include "cli/farm_commands.h"
#include "device_runners/board/backend.h"

namespace nas::cli {

// "sleep" (synthetic), "command" (vendor tools on ONNX files), and "torch"
// where the build has LibTorch. Throws UsageError for a backend this build
// lacks or missing options.
std::unique_ptr<Backend> make_runner_backend(const RunnerCommand& command);

}  // namespace nas::cli
