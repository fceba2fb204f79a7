#include "cli/runner_backends.h"

#include "core/errors.h"
#include "device_runners/board/command_backend.h"
#include "device_runners/board/sleep_backend.h"
#ifdef NAS_WITH_TORCH
#include "device_runners/board/torch_backend.h"
#endif

namespace nas::cli {

std::unique_ptr<Backend> make_runner_backend(const RunnerCommand& command) {
  if (command.backend == "sleep") {
    if (!(command.sleep_ms >= 0)) throw UsageError("--sleep-ms must be >= 0");
    return std::make_unique<SleepBackend>(command.sleep_ms / 1000.0);
  }
  if (command.backend == "command") {
    if (command.pipeline.empty()) {
      throw UsageError("--backend command needs --pipeline FILE (see configs/runners/)");
    }
    return std::make_unique<CommandBackend>(CommandPipeline::load(command.pipeline));
  }
#ifdef NAS_WITH_TORCH
  if (command.backend == "torch") return std::make_unique<TorchBackend>(command.torch_device);
#endif
  throw UsageError("--backend: \"" + command.backend + "\" is not available in this build");
}

}  // namespace nas::cli
