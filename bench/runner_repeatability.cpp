// How repeatable a runner's measurement is: one subnet (the largest of the
// quickstart's mbv3 space) measured 10 times by a local CPU runner process
// with the torch backend, through a broker in this process. Prints each
// median and the coefficient of variation of the medians (target <= 3 %).
//
// Usage: bench_runner_repeatability [CONFIG] [repeats=10] [warmup_ms=N] [timed=N]
//        [torch_device=cpu|cuda]
// (CONFIG defaults to configs/quickstart.json, whose latency protocol is used
// unless warmup_ms or timed override its warm-up time and timed runs)
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "core/config.h"
#include "core/mbv3_space.h"
#include "core/supernet_options.h"
#include "device_runners/broker/broker.h"
#include "device_runners/client/farm_client.h"

extern char** environ;

int main(int argc, char** argv) {
  std::string config_path = std::string(NAS_SOURCE_DIR) + "/configs/quickstart.json";
  int repeats = 10;
  double warmup_ms = -1;
  int timed = -1;
  std::string torch_device = "cpu";  // the runner's --torch-device, and its device key
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("repeats=", 0) == 0) repeats = std::stoi(a.substr(8));
    else if (a.rfind("warmup_ms=", 0) == 0) warmup_ms = std::stod(a.substr(10));
    else if (a.rfind("timed=", 0) == 0) timed = std::stoi(a.substr(6));
    else if (a.rfind("torch_device=", 0) == 0) torch_device = a.substr(13);
    else config_path = a;
  }
  const nas::RunConfig config = nas::load_config(config_path);
  const nas::Mbv3Layout layout = nas::mbv3_layout(config.space.mbv3, config.supernet.data.dataset);
  const nas::SearchSpace space = nas::mbv3_space(layout);
  const nas::Arch arch = nas::largest_arch(space);
  nas::LatencyOptions latency = config.evaluator.supernet.latency;
  if (warmup_ms >= 0) latency.warmup_ms = warmup_ms;
  if (timed > 0) latency.repeats = timed;

  nas::BrokerOptions broker_options;
  broker_options.bind = "tcp://127.0.0.1:0";
  nas::Broker broker(broker_options);
  std::atomic<bool> stop{false};
  std::thread serving([&] { broker.serve(stop); });
  std::vector<std::string> args = {NAS_BINARY, "runner", "--connect", broker.endpoint(),
                                   "--device", torch_device, "--backend", "torch",
                                   "--torch-device", torch_device, "--id", "bench-" + torch_device};
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  pid_t runner = -1;
  posix_spawn(&runner, cargs[0], nullptr, nullptr, cargs.data(), environ);

  nas::FarmClientOptions client_options;
  client_options.connect = broker.endpoint();
  nas::FarmClient client(client_options);
  std::vector<double> medians;
  for (int i = 0; i < repeats; ++i) {
    nas::JobSpec job;
    job.job_id = "repeat-" + std::to_string(i);
    job.space = space.name();
    job.arch = space.to_json(arch);
    job.space_options = {{"space", config.document.at("space")},
                         {"in_channels", layout.in_channels},
                         {"classes", layout.classes}};
    job.input_shape = {latency.batch, layout.in_channels, layout.resolutions.back(),
                       layout.resolutions.back()};
    job.protocol.batch_size = static_cast<int>(latency.batch);
    job.protocol.threads = static_cast<int>(latency.threads);
    job.protocol.warmup_runs = static_cast<int>(latency.warmup);
    job.protocol.warmup_seconds = latency.warmup_ms / 1000.0;
    job.protocol.repeats = static_cast<int>(latency.repeats);
    job.deadline_seconds = 120;
    const auto result = client.run({{torch_device, job}}, 180).at(0);
    if (result.status != nas::wire::JobStatus::kOk) {
      std::fprintf(stderr, "measurement %d failed: %s\n", i, result.message.c_str());
      break;
    }
    medians.push_back(result.latency->median_ms);
  }
  kill(runner, SIGTERM);
  waitpid(runner, nullptr, 0);
  stop = true;
  serving.join();
  if (medians.size() < 2) return 1;

  double mean = 0;
  for (double m : medians) mean += m;
  mean /= static_cast<double>(medians.size());
  double var = 0;
  for (double m : medians) var += (m - mean) * (m - mean);
  const double cv = std::sqrt(var / static_cast<double>(medians.size() - 1)) / mean;
  std::printf("Runner repeatability: largest subnet of %s (%s), local runner, torch backend on %s\n",
              config_path.c_str(), space.name().c_str(), torch_device.c_str());
  std::printf("protocol: batch %lld, %lld thread(s), warm-up %lld runs / %.0f ms, %lld timed runs\n",
              static_cast<long long>(latency.batch), static_cast<long long>(latency.threads),
              static_cast<long long>(latency.warmup), latency.warmup_ms,
              static_cast<long long>(latency.repeats));
  std::printf("medians (ms):");
  for (double m : medians) std::printf(" %.3f", m);
  std::printf("\nmean of medians %.3f ms, coefficient of variation %.2f %%\n", mean, cv * 100);
  std::printf("%s: CV of medians %.2f %%, target <= 3 %%\n", cv <= 0.03 ? "PASS" : "MISS", cv * 100);
  return 0;
}
