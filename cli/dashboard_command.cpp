#include "cli/dashboard_command.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/stop_signals.h"
#include "cli/subcommand.h"
#include "core/errors.h"
#include "device_runners/client/farm_client.h"

namespace nas::cli {
namespace {

// A broker slower than this is shown as not answering; the dashboard's
// thread waits for it, so the wait stays short.
constexpr double kListTimeoutSeconds = 1.5;

// After a broker did not answer, the dashboard repeats that answer for this
// long instead of asking again: every wait holds the server's one thread.
constexpr auto kRetryAfterFailure = std::chrono::seconds(5);

// Asks the broker for its runners through one FarmClient kept between calls
// (a fresh one after a failure, in case the old one is stuck).
std::function<nlohmann::json()> farm_runners(FarmClientOptions options) {
  struct State {
    FarmClientOptions options;
    std::unique_ptr<FarmClient> client;
    std::string failure;  // the last failure, repeated until retry_at
    std::chrono::steady_clock::time_point retry_at;
  };
  auto state = std::make_shared<State>();
  state->options = std::move(options);
  return [state] {
    if (!state->failure.empty() && std::chrono::steady_clock::now() < state->retry_at) {
      throw Error(state->failure);
    }
    if (!state->client) state->client = std::make_unique<FarmClient>(state->options);
    try {
      nlohmann::json listing = state->client->list(kListTimeoutSeconds);
      state->failure.clear();
      return listing;
    } catch (const Error& e) {
      state->client.reset();
      state->failure = e.what();
      state->retry_at = std::chrono::steady_clock::now() + kRetryAfterFailure;
      throw;
    }
  };
}

DashboardOptions options_for(const std::string& store_path, int port, const std::string& bind) {
  DashboardOptions options;
  options.store_path = store_path;
  options.port = port;
  options.bind = bind;
  return options;
}

}  // namespace

int dashboard_command(const DashboardCommand& command) {
  DashboardOptions options = options_for(command.store_path, command.port, command.bind);
  options.allowed_hosts = command.allowed_hosts;
  if (!command.farm.empty()) {
    FarmClientOptions farm;
    farm.connect = command.farm;
    farm.broker_public_key_file = command.broker_key;
    farm.curve_secret_file = command.keys;
    options.farm_endpoint = command.farm;
    options.list_runners = farm_runners(farm);
  }
  std::atomic<bool> stop{false};
  StopOnSignals signals(stop);
  Dashboard dashboard(options);
  std::printf("%s\n", dashboard.url().c_str());
  std::fflush(stdout);
  spdlog::info("dashboard: serving {} on {} (read-only){}", command.store_path, dashboard.url(),
               command.farm.empty() ? "" : ", runners of " + command.farm);
  while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  spdlog::info("dashboard: stopped");
  return 0;
}

std::unique_ptr<Dashboard> start_run_dashboard(const std::string& store_path, int port,
                                               const std::string& bind, const FarmOptions& farm,
                                               const std::string& embedded_endpoint) {
  DashboardOptions options = options_for(store_path, port, bind);
  FarmClientOptions client;
  if (!embedded_endpoint.empty()) {
    client.connect = embedded_endpoint;  // the embedded broker has no CURVE keys
  } else if (farm.enabled && !farm.connect.empty()) {
    client.connect = farm.connect;
    client.broker_public_key_file = farm.broker_key;
    client.curve_secret_file = farm.keys;
  }
  if (!client.connect.empty()) {
    options.farm_endpoint = client.connect;
    options.list_runners = farm_runners(client);
  }
  auto dashboard = std::make_unique<Dashboard>(options);
  spdlog::info("dashboard: {} (read-only, for as long as the run goes on)", dashboard->url());
  return dashboard;
}

Subcommand add_dashboard_command(CLI::App& nas) {
  auto command = std::make_shared<DashboardCommand>();
  CLI::App* app =
      nas.add_subcommand("dashboard", "Serve a store's runs, fronts and runners as a web page");
  app->add_option("store", command->store_path, "SQLite fitness store")->required();
  app->add_option("--port", command->port, "Port (default 8080; 0: any free port)");
  app->add_option("--bind", command->bind,
                  "Address to listen on (default 127.0.0.1: this machine only)");
  app->add_option("--farm", command->farm, "Broker whose runners to show");
  app->add_option("--allow-host", command->allowed_hosts,
                  "A host name to answer besides IP addresses and localhost (repeatable)");
  app->add_option("--broker-key", command->broker_key, "CURVE: the broker's public key file");
  app->add_option("--keys", command->keys, "CURVE: this client's .key_secret file");
  return {app, [command] { return dashboard_command(*command); }, /*keep_freed_memory=*/false};
}

}  // namespace nas::cli
