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
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "bench/bench_support.h"
#include "device_runners/broker/broker.h"
#include "device_runners/client/farm_client.h"

namespace {

using Clock = std::chrono::steady_clock;

pid_t spawn_runner(const std::string& endpoint, int index, int sleep_ms) {
  std::vector<std::string> args = {NAS_BINARY, "runner", "--connect", endpoint, "--device",
                                   "synthetic", "--backend", "sleep", "--sleep-ms",
                                   std::to_string(sleep_ms), "--id", "r" + std::to_string(index)};
  return nas::bench::spawn(args, "", "/dev/null");
}

// The transport's own floor, the baseline printed beside the farm: the
// median round trip of one small message between a DEALER here and a ROUTER
// echo in a forked process, over TCP on loopback. Runs before any thread or
// ZeroMQ context exists in this process, so fork() is safe.
double bare_round_trip_ms(int trips) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return -1;
  const pid_t child = fork();
  if (child == 0) {
    zmq::context_t context(1);
    zmq::socket_t echo(context, zmq::socket_type::router);
    echo.bind("tcp://127.0.0.1:0");
    const std::string endpoint = echo.get(zmq::sockopt::last_endpoint);
    (void)!write(pipe_fds[1], endpoint.c_str(), endpoint.size() + 1);
    for (;;) {
      std::vector<zmq::message_t> parts;
      if (!zmq::recv_multipart(echo, std::back_inserter(parts))) _exit(1);
      if (parts.size() == 2 && parts[1].to_string() == "quit") _exit(0);
      zmq::send_multipart(echo, parts);
    }
  }
  char endpoint[256] = {0};
  (void)!read(pipe_fds[0], endpoint, sizeof endpoint - 1);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  std::vector<double> ms;
  {
    zmq::context_t context(1);
    zmq::socket_t client(context, zmq::socket_type::dealer);
    client.set(zmq::sockopt::linger, 0);
    client.connect(endpoint);
    for (int i = 0; i < trips + 100; ++i) {  // the first 100 warm the connection up
      const auto start = Clock::now();
      client.send(zmq::str_buffer("ping"));
      zmq::message_t reply;
      (void)client.recv(reply);
      if (i >= 100) ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    client.send(zmq::str_buffer("quit"));
  }
  waitpid(child, nullptr, 0);
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int runners = nas::bench::int_arg(argc, argv, "runners", 64);
  const int per_runner = nas::bench::int_arg(argc, argv, "jobs_per_runner", 100);
  const int sleep_ms = nas::bench::int_arg(argc, argv, "sleep_ms", 50);
  const double bare_ms = bare_round_trip_ms(2000);

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
  // Each runner's wait between the end of one job and the start of its next
  // (the runner reports it from its worker thread): every hop of the
  // result's way to the broker and of the next job's way back.
  std::vector<double> gaps_ms;
  for (const auto& r : results) {
    if (r.status == nas::wire::JobStatus::kOk) {
      ++ok;
      busy += r.latency->median_ms / 1000.0;
      if (r.runner_idle_ms) gaps_ms.push_back(*r.runner_idle_ms);
    }
  }
  std::sort(gaps_ms.begin(), gaps_ms.end());
  const auto quantile = [&](double q) {
    return gaps_ms.empty() ? 0.0 : gaps_ms[static_cast<std::size_t>(q * (gaps_ms.size() - 1))];
  };
  double gap_sum = 0;
  for (double g : gaps_ms) gap_sum += g;
  const double gap_mean = gaps_ms.empty() ? 0.0 : gap_sum / gaps_ms.size();
  const double utilisation = busy / (wall * runners);
  // End to end: everything the runners did not spend in jobs, the first
  // round of dispatches and the last jobs' uneven finish included.
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
  std::printf("\nRunner wait between consecutive jobs (%zu gaps, as the runners report them):\n",
              gaps_ms.size());
  std::printf("| mean (ms) | median (ms) | p90 (ms) | p99 (ms) | max (ms) |\n");
  std::printf("| --------: | ----------: | -------: | -------: | -------: |\n");
  std::printf("| %9.3f | %11.3f | %8.3f | %8.3f | %8.3f |\n", gap_mean, quantile(0.5),
              quantile(0.9), quantile(0.99), quantile(1.0));
  std::printf("Baseline, side by side: a bare ZeroMQ round trip between two processes on loopback "
              "(DEALER to a ROUTER echo, median of 2000): %.3f ms; the mean wait is %.2fx that\n",
              bare_ms, gap_mean / bare_ms);
  std::printf("The end-to-end figure adds, once per batch, the first round of dispatches and the "
              "last jobs' uneven finish: %.3f ms per job beyond the mean wait\n",
              overhead_ms - gap_mean);

  std::printf("\n%s: utilisation %.1f %%, target >= 95 %%\n", utilisation >= 0.95 ? "PASS" : "MISS",
              utilisation * 100);
  std::printf("%s: dispatch overhead %.3f ms per job (mean runner wait between jobs), "
              "target < 1 ms\n",
              gap_mean < 1 ? "PASS" : "MISS", gap_mean);
  std::printf("(end to end: %.3f ms per job, runner-time not spent in jobs / jobs)\n", overhead_ms);

  for (pid_t pid : pids) kill(pid, SIGTERM);
  for (pid_t pid : pids) waitpid(pid, nullptr, 0);
  stop = true;
  serving.join();
  return 0;
}
