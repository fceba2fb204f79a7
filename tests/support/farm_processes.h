// A `nas broker` and `nas runner` daemons as real processes on loopback, for
// tests that drive the farm from outside.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process.h"

namespace nas::test {

// A broker process on a free loopback port, heartbeating every 0.2 s.
class BrokerProcess {
 public:
  explicit BrokerProcess(const TempDir& dir, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {nas_binary(), "broker", "--bind", "tcp://127.0.0.1:0",
                                     "--heartbeat", "0.2"};
    args.insert(args.end(), extra.begin(), extra.end());
    process_ = std::make_unique<Process>(args, dir.path());
    endpoint_ = wait_for_endpoint(dir);
  }
  const std::string& endpoint() const { return endpoint_; }
  Process& process() { return *process_; }

 private:
  std::string wait_for_endpoint(const TempDir& dir) {
    using namespace std::chrono_literals;
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < until && process_->running()) {
      for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        if (entry.path().extension() != ".out") continue;
        const std::string text = read_file(entry.path());
        if (text.rfind("tcp://", 0) == 0 && text.find('\n') != std::string::npos) {
          return text.substr(0, text.find('\n'));
        }
      }
      std::this_thread::sleep_for(20ms);
    }
    throw std::runtime_error("the broker did not start: " + process_->stderr_text());
  }

  std::unique_ptr<Process> process_;
  std::string endpoint_;
};

// A runner with the synthetic sleep backend for device "pi".
inline std::unique_ptr<Process> start_runner(const TempDir& dir, const std::string& endpoint,
                                             const std::string& id, double sleep_ms,
                                             std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {nas_binary(), "runner",   "--connect", endpoint, "--device",
                                   "pi",         "--backend", "sleep",    "--sleep-ms",
                                   std::to_string(sleep_ms), "--id", id, "--heartbeat", "0.2"};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<Process>(args, dir.path());
}

// A process's resident memory in MiB (VmRSS), or -1 when it cannot be read.
inline double resident_mib(int pid) {
  const std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  const auto at = status.find("VmRSS:");
  if (at == std::string::npos) return -1;
  return std::stod(status.substr(at + 6)) / 1024.0;
}

}  // namespace nas::test
