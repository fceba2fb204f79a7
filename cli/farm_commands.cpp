#include "cli/farm_commands.h"

#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>

#include <atomic>
#include <cstdio>
#include <memory>

#include "cli/runner_backends.h"
#include "cli/stop_signals.h"
#include "core/errors.h"
#include "device_runners/broker/broker.h"
#include "device_runners/wire/curve.h"
#include "device_runners/client/farm_client.h"
#include "device_runners/board/power_meter.h"
#include "device_runners/board/runner.h"

namespace nas::cli {

int runner_command(const RunnerCommand& command) {
  if (command.exit_with_parent) {
    // A local runner started by `nas run` must not outlive it, even after a
    // kill -9 of the run.
    const pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) return 0;  // the parent is gone already
  }
  std::unique_ptr<Backend> backend = make_runner_backend(command);
  std::unique_ptr<PowerMeter> meter = make_power_meter(command.meter);
  RunnerOptions options;
  options.connect = command.connect;
  options.device = command.device;
  options.runner_id = command.runner_id;
  options.heartbeat_seconds = command.heartbeat_seconds;
  options.broker_public_key_file = command.broker_key;
  options.curve_secret_file = command.keys;
  Runner runner(options, *backend, meter.get());
  std::atomic<bool> stop{false};
  StopOnSignals signals(stop);
  const RunnerStats stats = runner.run(stop);
  spdlog::info("runner: stopped after {} jobs", stats.jobs_done);
  return 0;
}

int broker_command(const BrokerCommand& command) {
  BrokerOptions options;
  options.bind = command.bind;
  options.curve.secret_file = command.keys;
  options.curve.authorized_keys_dir = command.authorized_dir;
  options.dispatch.heartbeat_seconds = command.heartbeat_seconds;
  if (!command.keys.empty() && command.authorized_dir.empty()) {
    throw UsageError("--keys needs --authorized: the folder of runner and client public keys");
  }
  Broker broker(options);
  // The endpoint on stdout, so scripts that asked for port 0 learn the port.
  std::printf("%s\n", broker.endpoint().c_str());
  std::fflush(stdout);
  spdlog::info("broker: serving on {}{}", broker.endpoint(),
               command.keys.empty() ? "" : " with CURVE");
  std::atomic<bool> stop{false};
  StopOnSignals signals(stop);
  broker.serve(stop);
  return 0;
}

int devices_command(const DevicesCommand& command) {
  FarmClientOptions options;
  options.connect = command.connect;
  options.broker_public_key_file = command.broker_key;
  options.curve_secret_file = command.keys;
  FarmClient client(options);
  const nlohmann::json listing = client.list();
  if (command.json) {
    std::printf("%s\n", listing.dump(2).c_str());
    return 0;
  }
  std::printf("%-24s %-16s %-10s %-9s %s\n", "runner", "device", "backend", "state", "last heard");
  for (const auto& r : listing["runners"]) {
    std::printf("%-24s %-16s %-10s %-9s %.1f s ago\n", r["runner_id"].get<std::string>().c_str(),
                r["device"].get<std::string>().c_str(), r["backend"].get<std::string>().c_str(),
                r["state"].get<std::string>().c_str(), r["seconds_since_heard"].get<double>());
  }
  std::printf("%zu runner(s); %lld job(s) queued, %lld running\n", listing["runners"].size(),
              listing["queued"].get<long long>(), listing["running"].get<long long>());
  return 0;
}

int keygen_command(const std::string& dir, const std::string& name) {
  write_curve_keys(dir, name, generate_curve_keys());
  std::printf("wrote %s/%s.key (public: give it to the other side) and %s/%s.key_secret "
              "(keep it here)\n",
              dir.c_str(), name.c_str(), dir.c_str(), name.c_str());
  return 0;
}

}  // namespace nas::cli
