#include "cli/runner_backends.h"

#include "core/errors.h"
#include "device_runners/sleep_backend.h"

namespace nas::cli {

std::unique_ptr<Backend> make_runner_backend(const RunnerCommand& command) {
  if (command.backend == "sleep") {
    if (!(command.sleep_ms >= 0)) throw UsageError("--sleep-ms must be >= 0");
    return std::make_unique<SleepBackend>(command.sleep_ms / 1000.0);
  }
  throw UsageError("--backend: \"" + command.backend + "\" is not available in this build");
}

}  // namespace nas::cli
