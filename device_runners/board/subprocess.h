// Running one command of a backend's pipeline: no shell, its own process
// group, stdout and stderr captured together, stopped when asked.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace nas {

struct ProcessResult {
  int exit_code = -1;       // when it exited normally, else -1
  int signal = 0;           // the signal that ended it, else 0
  bool cancelled = false;   // stopped because `cancelled` turned true
  std::string output;       // stdout and stderr interleaved (the last 8 MiB)
  std::chrono::steady_clock::time_point started, ended;

  bool ok() const { return !cancelled && signal == 0 && exit_code == 0; }
  // The last `n` lines of the output, for error messages.
  std::string tail(int n = 20) const;
};

// Runs argv[0] (looked up in PATH when it holds no '/') with `argv` in
// `workdir`, in a new process group, stdin from /dev/null. Polls `cancelled`
// about every 50 ms; when it turns true the whole group gets SIGTERM, then
// SIGKILL a second later, and the result says cancelled. Throws nas::Error
// when the program is not found or cannot be started (naming it).
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& workdir,
                          const std::function<bool()>& cancelled);

}  // namespace nas
