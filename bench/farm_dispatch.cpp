// The farm's own overhead: 64 runner processes on loopback with the
// SYNTHETIC sleep backend (each job only sleeps a fixed time: no device is
// measured here), a broker in this process, and a saturating queue. Prints
// the dispatch overhead per job and the runners' utilisation.
// The client keeps at most FarmClientOptions::max_outstanding jobs waiting
// at the broker, more than the runners can take, so the queue never runs dry.
// Targets: overhead < 1 ms per job, utilisation >= 95 %.
//
// Usage: bench_farm_dispatch [runners=64] [jobs_per_runner=100] [sleep_ms=50]
// (the queue's ramp-up and tail are one-off costs: fewer jobs per runner weigh them more)
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "device_runners/broker.h"
#include "device_runners/farm_client.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

int arg(int argc, char** argv, const char* name, int fallback) {
  const std::string prefix = std::string(name) + "=";
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]).rfind(prefix, 0) == 0) return std::atoi(argv[i] + prefix.size());
  }
  return fallback;
}

pid_t spawn_runner(const std::string& endpoint, int index, int sleep_ms) {
  std::vector<std::string> args = {NAS_BINARY, "runner", "--connect", endpoint, "--device",
                                   "synthetic", "--backend", "sleep", "--sleep-ms",
                                   std::to_string(sleep_ms), "--id", "r" + std::to_string(index)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", 0x1 /*O_WRONLY*/, 0);
  pid_t pid = -1;
  posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

}  // namespace

int main(int argc, char** argv) {
  const int runners = arg(argc, argv, "runners", 64);
  const int per_runner = arg(argc, argv, "jobs_per_runner", 100);
  const int sleep_ms = arg(argc, argv, "sleep_ms", 50);

  nas::BrokerOptions options;
  options.bind = "tcp://127.0.0.1:0";
  nas::Broker broker(options);
  std::atomic<bool> stop{false};
  std::thread serving([&] { broker.serve(stop); });

  std::vector<pid_t> pids;
  for (int i = 0; i < runners; ++i) pids.push_back(spawn_runner(broker.endpoint(), i, sleep_ms));
  nas::FarmClientOptions client_options;
  client_options.connect = broker.endpoint();
  nas::FarmClient client(client_options);
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  for (;;) {
    std::size_t idle = 0;
    const auto listing = client.list();
    for (const auto& r : listing["runners"]) idle += r["state"] == "idle";
    if (static_cast<int>(idle) == runners) break;
    if (Clock::now() > deadline) {
      std::fprintf(stderr, "only %zu of %d runners registered\n", idle, runners);
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  std::vector<nas::FarmJob> jobs;
  for (int i = 0; i < runners * per_runner; ++i) {
    nas::JobSpec spec;
    spec.job_id = "j" + std::to_string(i);
    spec.space = "synthetic";
    spec.arch = {{"i", i}};
    spec.input_shape = {1};
    spec.deadline_seconds = 60;
    jobs.push_back({"synthetic", spec});
  }
  const auto start = Clock::now();
  const auto results = client.run(jobs, 600);
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  int ok = 0;
  double busy = 0;  // seconds the runners spent inside their (sleeping) jobs
  for (const auto& r : results) {
    if (r.status == nas::wire::JobStatus::kOk) {
      ++ok;
      busy += r.latency->median_ms / 1000.0;
    }
  }
  const double utilisation = busy / (wall * runners);
  const double overhead_ms = (wall * runners - busy) / ok * 1000.0;

  std::printf("Farm dispatch, SYNTHETIC backend (each job sleeps %d ms; nothing is measured)\n",
              sleep_ms);
  std::printf("%d runner processes on loopback, %d jobs in one batch, at most %zu waiting at the "
              "broker at a time (saturating queue)\n\n",
              runners, static_cast<int>(jobs.size()), client_options.max_outstanding);
  std::printf("| jobs ok | wall (s) | ideal wall (s) | utilisation | overhead per job (ms) |\n");
  std::printf("| ------: | -------: | -------------: | ----------: | --------------------: |\n");
  std::printf("| %7d | %8.3f | %14.3f | %10.1f%% | %21.3f |\n", ok, wall, busy / runners,
              utilisation * 100, overhead_ms);
  std::printf("\n%s: utilisation %.1f %%, target >= 95 %%\n", utilisation >= 0.95 ? "PASS" : "MISS",
              utilisation * 100);
  std::printf("%s: dispatch overhead %.3f ms per job (runner-time not spent in jobs / jobs), "
              "target < 1 ms\n",
              overhead_ms < 1 ? "PASS" : "MISS", overhead_ms);

  for (pid_t pid : pids) kill(pid, SIGTERM);
  for (pid_t pid : pids) waitpid(pid, nullptr, 0);
  stop = true;
  serving.join();
  return 0;
}
