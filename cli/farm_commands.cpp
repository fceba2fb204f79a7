#include "cli/farm_commands.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>

#include <atomic>
#include <cstdio>
#include <memory>

#include "cli/runner_backends.h"
#include "cli/stop_signals.h"
#include "cli/subcommand.h"
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
  options.curve.authorized_runners_dir = command.authorized_runners_dir;
  options.curve.authorized_clients_dir = command.authorized_clients_dir;
  options.dispatch.heartbeat_seconds = command.heartbeat_seconds;
  if (!command.authorized_dir.empty()) {
    throw UsageError("--authorized is replaced by --authorized-runners and --authorized-clients: "
                     "a client's key must not be able to serve jobs");
  }
  if (!command.keys.empty() &&
      (command.authorized_runners_dir.empty() || command.authorized_clients_dir.empty())) {
    throw UsageError("--keys needs --authorized-runners and --authorized-clients: the folders "
                     "of runner and of client public keys");
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

Subcommand add_runner_command(CLI::App& nas) {
  auto command = std::make_shared<RunnerCommand>();
  CLI::App* app = nas.add_subcommand("runner", "Measure jobs from a broker on this board");
  app->add_option("--connect", command->connect, "Broker address, e.g. tcp://ws:5555")
      ->required();
  app->add_option("--device", command->device, "Device key, e.g. jetson-nano")->required();
  app->add_option("--backend", command->backend, "torch, command or sleep (synthetic)")
      ->check(CLI::IsMember({"torch", "command", "sleep"}));
  app->add_option("--meter", command->meter,
                  "none, rapl[:DIR], ina3221[:DIR] or um25c:SERIAL_DEVICE");
  app->add_option("--threads", command->threads, "Intra-op threads (torch backend)");
  app->add_option("--torch-device", command->torch_device,
                  "torch backend: where the network runs, cpu, cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  app->add_option("--id", command->runner_id, "Runner name (default: host-pid)");
  app->add_option("--pipeline", command->pipeline, "command backend: pipeline JSON file");
  app->add_option("--sleep-ms", command->sleep_ms, "sleep backend: milliseconds per job");
  app->add_option("--broker-key", command->broker_key, "CURVE: the broker's public key file");
  app->add_option("--keys", command->keys, "CURVE: this runner's .key_secret file");
  app->add_option("--heartbeat", command->heartbeat_seconds, "Heartbeat interval, seconds");
  app->add_flag("--exit-with-parent", command->exit_with_parent,
                "End when the process that started this runner ends");
  return {app, [command] { return runner_command(*command); }};
}

Subcommand add_broker_command(CLI::App& nas) {
  auto command = std::make_shared<BrokerCommand>();
  CLI::App* app = nas.add_subcommand("broker", "Serve a farm of runners to several searches");
  app->add_option("--bind", command->bind, "Address to bind (port 0: any free port)");
  app->add_option("--keys", command->keys, "CURVE: the broker's .key_secret file");
  app->add_option("--authorized-runners", command->authorized_runners_dir,
                  "CURVE: folder of the public keys (*.key) that may register as runners");
  app->add_option("--authorized-clients", command->authorized_clients_dir,
                  "CURVE: folder of the public keys (*.key) that may submit and list");
  app->add_option("--authorized", command->authorized_dir)->group("");  // refused with a hint
  app->add_option("--heartbeat", command->heartbeat_seconds, "Heartbeat interval, seconds");
  return {app, [command] { return broker_command(*command); }, /*keep_freed_memory=*/false};
}

Subcommand add_devices_command(CLI::App& nas) {
  auto command = std::make_shared<DevicesCommand>();
  CLI::App* app = nas.add_subcommand("devices", "List a broker's runners and their states");
  app->add_option("--connect", command->connect, "Broker address");
  app->add_option("--broker-key", command->broker_key, "CURVE: the broker's public key");
  app->add_option("--keys", command->keys, "CURVE: this client's .key_secret file");
  app->add_flag("--json", command->json, "Print the broker's listing as JSON");
  return {app, [command] { return devices_command(*command); }};
}

Subcommand add_keygen_command(CLI::App& nas) {
  auto dir = std::make_shared<std::string>(".");
  auto name = std::make_shared<std::string>();
  CLI::App* app = nas.add_subcommand("keygen", "Make a CURVE key pair for a broker or runner");
  app->add_option("name", *name, "Key name, e.g. broker or jetson-1")->required();
  app->add_option("--dir", *dir, "Folder to write the key files to");
  return {app, [dir, name] { return keygen_command(*dir, *name); }};
}

}  // namespace nas::cli
