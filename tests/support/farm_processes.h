// The farm as real processes on loopback for tests: a `nas broker` on a free
// port and `nas runner` daemons with the synthetic sleep backend (the farm's
// behaviour is under test, not a device).
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "device_runners/client/farm_client.h"
#include "tests/support/nb201_job.h"
#include "tests/support/process.h"

namespace nas::test {

// The test brokers' heartbeat: short, so that a dead peer is noticed fast.
inline constexpr double kTestHeartbeatSeconds = 0.2;

// A broker process on a free loopback port. Its heartbeat interval decides
// how soon a silent peer counts as dead (three intervals): a broker that a
// `nas run` client uses needs at least that client's interval
// (FarmClientOptions::heartbeat_seconds by default).
class BrokerProcess {
 public:
  explicit BrokerProcess(const TempDir& dir, std::vector<std::string> extra = {},
                         double heartbeat_seconds = kTestHeartbeatSeconds) {
    std::vector<std::string> args = {nas_binary(), "broker", "--bind", "tcp://127.0.0.1:0",
                                     "--heartbeat", std::to_string(heartbeat_seconds)};
    args.insert(args.end(), extra.begin(), extra.end());
    process_ = std::make_unique<Process>(args, dir.path());
    endpoint_ = wait_for_endpoint(dir);
  }
  const std::string& endpoint() const { return endpoint_; }
  Process& process() { return *process_; }

 private:
  std::string wait_for_endpoint(const TempDir& dir) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < until && process_->running()) {
      for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        if (entry.path().extension() != ".out") continue;
        const std::string text = read_file(entry.path());
        if (text.rfind("tcp://", 0) == 0 && text.find('\n') != std::string::npos) {
          return text.substr(0, text.find('\n'));
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("the broker did not start: " + process_->stderr_text());
  }

  std::unique_ptr<Process> process_;
  std::string endpoint_;
};

// A runner for `device` whose every job sleeps `sleep_ms`. Its heartbeat
// interval must be the broker's: a runner that hears the broker less often
// than it expects takes it for gone and reconnects.
inline std::unique_ptr<Process> start_sleep_runner(const TempDir& dir, const std::string& endpoint,
                                                   const std::string& id, double sleep_ms,
                                                   const std::string& device,
                                                   std::vector<std::string> extra = {},
                                                   double heartbeat_seconds = kTestHeartbeatSeconds) {
  std::vector<std::string> args = {nas_binary(), "runner", "--connect", endpoint, "--device",
                                   device,       "--backend", "sleep", "--sleep-ms",
                                   std::to_string(sleep_ms), "--id", id, "--heartbeat",
                                   std::to_string(heartbeat_seconds)};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<Process>(args, dir.path());
}

// A sleep runner for device "pi" (what the farm and hostile tests use).
inline std::unique_ptr<Process> start_runner(const TempDir& dir, const std::string& endpoint,
                                             const std::string& id, double sleep_ms,
                                             std::vector<std::string> extra = {}) {
  return start_sleep_runner(dir, endpoint, id, sleep_ms, "pi", std::move(extra));
}

// A farm client of `endpoint` heartbeating as the test brokers do.
inline FarmClientOptions loopback_client_options(const std::string& endpoint) {
  FarmClientOptions o;
  o.connect = endpoint;
  o.heartbeat_seconds = kTestHeartbeatSeconds;
  return o;
}

// A process's resident memory in MiB (VmRSS), or -1 when it cannot be read.
inline double resident_mib(int pid) {
  const std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  const auto at = status.find("VmRSS:");
  if (at == std::string::npos) return -1;
  return std::stod(status.substr(at + 6)) / 1024.0;
}

// Waits until the broker lists `n` idle runners.
inline void wait_for_runners(FarmClient& client, std::size_t n) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until) {
    const nlohmann::json listing = client.list();
    std::size_t idle = 0;
    for (const auto& r : listing["runners"]) idle += r["state"] == "idle";
    if (idle >= n) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("runners did not register in time");
}

// The runners the broker lists in `state` ("busy", "idle"), by runner id.
inline std::vector<std::string> runners_in_state(FarmClient& client, const std::string& state) {
  std::vector<std::string> out;
  const nlohmann::json listing = client.list();
  for (const auto& r : listing["runners"]) {
    if (r["state"] == state) out.push_back(r["runner_id"].get<std::string>());
  }
  return out;
}

}  // namespace nas::test
