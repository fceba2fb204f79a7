#include "cli/farm_session.h"

#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/errors.h"
#include "device_runners/broker.h"

extern char** environ;

namespace nas::cli {

struct FarmSession::Impl {
  std::unique_ptr<Broker> broker;
  std::atomic<bool> stop{false};
  std::thread serving;
  pid_t runner = -1;
};

FarmSession::FarmSession(const FarmOptions& farm, int runner_threads)
    : impl_(std::make_unique<Impl>()) {
  if (!farm.enabled || farm.bind.empty()) return;
  BrokerOptions options;
  options.bind = farm.bind;
  impl_->broker = std::make_unique<Broker>(options);
  impl_->serving = std::thread([this] {
    try {
      impl_->broker->serve(impl_->stop);
    } catch (const std::exception& e) {
      spdlog::error("broker: {}", e.what());
    }
  });
  spdlog::info("farm: broker on {}", impl_->broker->endpoint());
  if (!farm.local_runner) return;
  // The same binary, as a runner for the device key the search measures.
  std::vector<std::string> args = {"/proc/self/exe", "runner",
                                   "--connect",      impl_->broker->endpoint(),
                                   "--device",       farm.device,
                                   "--backend",      "torch",
                                   "--threads",      std::to_string(runner_threads),
                                   "--id",           "local-" + farm.device,
                                   "--exit-with-parent"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (posix_spawn(&impl_->runner, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    impl_->runner = -1;
    throw Error("farm: cannot start the local runner process");
  }
  spdlog::info("farm: local runner (pid {}) measures device '{}'", impl_->runner, farm.device);
}

FarmSession::~FarmSession() {
  if (impl_->runner > 0) {
    ::kill(impl_->runner, SIGTERM);
    int status = 0;
    waitpid(impl_->runner, &status, 0);
  }
  impl_->stop = true;
  if (impl_->serving.joinable()) impl_->serving.join();
}

std::string FarmSession::endpoint() const {
  return impl_->broker ? impl_->broker->endpoint() : std::string();
}

}  // namespace nas::cli
