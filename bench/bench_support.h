// What the benchmarks share: integer arguments (name=value), processes
// started with their output sent to files, `nas train` run on a
// configuration with its log captured, and figures as median and range.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace nas::bench {

// The integer of argument `name=N`, or `fallback`.
inline int int_arg(int argc, char** argv, const char* name, int fallback) {
  const std::string prefix = std::string(name) + "=";
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]).rfind(prefix, 0) == 0) return std::atoi(argv[i] + prefix.size());
  }
  return fallback;
}

// Starts `args` (args[0] a path) with stdout and stderr written to the
// given files ("" keeps this process's). Returns its pid, -1 if it could
// not start.
inline pid_t spawn(std::vector<std::string> args, const std::string& out_path,
                   const std::string& err_path) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!out_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  if (!err_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// The standard output of a shell command. Throws std::runtime_error with
// that output when the command fails.
inline std::string command_output(const std::string& command) {
  std::string log;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) log += buffer;
  if (::pclose(pipe) != 0) throw std::runtime_error(command + " failed:\n" + log);
  return log;
}

// `nas train CONFIG -q` (NAS_BINARY), stdout and stderr together. Throws
// std::runtime_error with the log when it fails.
inline std::string nas_train_log(const std::string& config_path) {
  return command_output(std::string(NAS_BINARY) + " train " + config_path + " -q 2>&1");
}

struct Spread {
  double median, low, high;
};

inline Spread spread(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return {values[values.size() / 2], values.front(), values.back()};
}

}  // namespace nas::bench
