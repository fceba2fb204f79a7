#include "cli/farm_session.h"

#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "core/errors.h"
#include "device_runners/board/command_backend.h"
#include "device_runners/broker/broker.h"

extern char** environ;

namespace nas::cli {

namespace {

// Test hook: NAS_TEST_EMBEDDED_BROKER_FAILS_AFTER=<seconds> ends the embedded
// broker's serving that long after it started, as if its transport failed,
// so that tests can check what a run does with a dead broker.
std::optional<double> injected_broker_failure() {
  const char* value = std::getenv("NAS_TEST_EMBEDDED_BROKER_FAILS_AFTER");
  if (!value || !*value) return std::nullopt;
  return std::atof(value);
}

}  // namespace

struct FarmSession::Impl {
  std::unique_ptr<Broker> broker;
  std::atomic<bool> stop{false};  // the session ends
  std::atomic<bool> halt{false};  // serve() returns: on stop, or by the test hook
  std::thread serving;
  pid_t runner = -1;
  mutable std::mutex failure_mutex;
  std::optional<std::string> failure;  // guarded by failure_mutex

  void serve() {
    try {
      std::thread fault;
      if (const auto after = injected_broker_failure()) {
        fault = std::thread([this, after] {
          const auto until = std::chrono::steady_clock::now() +
                             std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double>(*after));
          while (!stop && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
          halt = true;
        });
      }
      try {
        broker->serve(halt);
      } catch (...) {
        if (fault.joinable()) fault.join();
        throw;
      }
      if (fault.joinable()) fault.join();
      if (!stop) throw Error("stopped by NAS_TEST_EMBEDDED_BROKER_FAILS_AFTER");
    } catch (const std::exception& e) {
      // No exception crosses the thread: the run learns of it through
      // broker_failure() and ends with this message.
      spdlog::error("farm: the embedded broker stopped: {}", e.what());
      std::lock_guard<std::mutex> lock(failure_mutex);
      failure = std::string("the embedded broker stopped: ") + e.what();
    }
  }
};

FarmSession::FarmSession(const FarmOptions& farm, int runner_threads)
    : impl_(std::make_unique<Impl>()) {
  if (!farm.enabled || farm.bind.empty()) return;
  BrokerOptions options;
  options.bind = farm.bind;
  options.return_memory_after_large_messages = false;  // the run keeps freed memory (core/heap_policy.h)
  impl_->broker = std::make_unique<Broker>(options);
  // A bad file is this run's error, not the runner's; read before the
  // broker's thread starts, which a throwing constructor could not join.
  if (farm.local_runner && !farm.local_pipeline.empty()) CommandPipeline::load(farm.local_pipeline);
  impl_->serving = std::thread([this] { impl_->serve(); });
  spdlog::info("farm: broker on {}", impl_->broker->endpoint());
  if (!farm.local_runner) return;
  // The same binary, as a runner for the device key the search measures.
  std::vector<std::string> args = {"/proc/self/exe", "runner",
                                   "--connect",      impl_->broker->endpoint(),
                                   "--device",       farm.devices.front(),
                                   "--threads",      std::to_string(runner_threads),
                                   "--id",           "local-" + farm.devices.front(),
                                   "--exit-with-parent"};
  if (farm.local_pipeline.empty()) {
    args.insert(args.end(), {"--backend", "torch"});
  } else {
    args.insert(args.end(), {"--backend", "command", "--pipeline", farm.local_pipeline});
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (posix_spawn(&impl_->runner, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    impl_->runner = -1;
    impl_->stop = true;
    impl_->halt = true;
    impl_->serving.join();
    throw Error("farm: cannot start the local runner process");
  }
  spdlog::info("farm: local runner (pid {}) measures device '{}'", impl_->runner, farm.devices.front());
}

FarmSession::~FarmSession() {
  if (impl_->runner > 0) {
    ::kill(impl_->runner, SIGTERM);
    int status = 0;
    waitpid(impl_->runner, &status, 0);
  }
  impl_->stop = true;
  impl_->halt = true;
  if (impl_->serving.joinable()) impl_->serving.join();
}

std::string FarmSession::endpoint() const {
  return impl_->broker ? impl_->broker->endpoint() : std::string();
}

std::optional<std::string> FarmSession::broker_failure() const {
  std::lock_guard<std::mutex> lock(impl_->failure_mutex);
  return impl_->failure;
}

}  // namespace nas::cli
