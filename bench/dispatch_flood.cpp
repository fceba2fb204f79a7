// The broker's dispatcher absorbing a flood of SUBMITs for a device that no
// runner has, while a runner of another device sits idle: the case where a
// dispatcher that rescans its queue on every SUBMIT takes time growing with
// the square of the queue. No sockets: the Dispatcher alone, its sends
// dropped. Prints the time and the rate.
//
// Usage: bench_dispatch_flood [clients=20] [jobs_per_client=1000]
// (each client stays under the broker's per-client cap of pending jobs)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "device_runners/broker/dispatcher.h"
#include "device_runners/wire/job.h"

int main(int argc, char** argv) {
  using namespace nas;
  const int clients = argc > 1 ? std::atoi(argv[1]) : 20;
  const int per_client = argc > 2 ? std::atoi(argv[2]) : 1000;
  Dispatcher dispatcher({}, [](const std::string&, const wire::Message&) { return true; });
  auto now = Dispatcher::Clock::now();

  wire::Hello runner;
  runner.role = wire::Hello::Role::kRunner;
  runner.runner_id = "idle";
  runner.device = "pi";
  runner.backend = "sleep";
  runner.capabilities = {{"accepts", {"arch"}}};
  dispatcher.handle("runner", runner.encode(), now);
  dispatcher.handle("runner", {wire::MessageType::kReady, nlohmann::json::object()}, now);

  JobSpec job;
  job.space = "nb201";
  job.arch = {{"edge_1_0", "nor_conv_3x3"}};
  job.input_shape = {1, 3, 32, 32};
  const auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < clients; ++c) {
    const std::string client = "client-" + std::to_string(c);
    dispatcher.handle(client, wire::Hello{}.encode(), now);
    for (int i = 0; i < per_client; ++i) {
      job.job_id = "j" + std::to_string(i);
      dispatcher.handle(client, wire::Submit{"ghost", job.to_json()}.encode(), now);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("absorbed %d SUBMITs (%zu queued) with a runner idle: %.3f s, %.0f SUBMITs/s\n",
              clients * per_client, dispatcher.queued(), seconds, clients * per_client / seconds);
  return 0;
}
