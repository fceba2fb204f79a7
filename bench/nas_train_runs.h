// What the training benchmarks share: `nas train` run on a configuration
// with its log captured, and figures summarised as median and range.
#pragma once

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace nas::bench {

// `nas train CONFIG -q` (NAS_BINARY), stdout and stderr together. Throws
// std::runtime_error with the log when it fails.
inline std::string nas_train_log(const std::string& config_path) {
  const std::string command = std::string(NAS_BINARY) + " train " + config_path + " -q 2>&1";
  std::string log;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) log += buffer;
  if (::pclose(pipe) != 0) throw std::runtime_error(command + " failed:\n" + log);
  return log;
}

struct Spread {
  double median, low, high;
};

inline Spread spread(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return {values[values.size() / 2], values.front(), values.back()};
}

}  // namespace nas::bench
