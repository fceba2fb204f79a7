// `nas dashboard` and the dashboard a `nas run --dashboard PORT` brings along.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "dashboard/dashboard.h"

namespace nas::cli {

struct DashboardCommand {
  std::string store_path;
  int port = 8080;                 // 0: any free port
  std::string bind = "127.0.0.1";  // this machine only unless changed
  std::string farm;                // a broker whose runners to show; none when empty
  std::string broker_key;          // CURVE: the broker's public key file
  std::string keys;                // CURVE: this client's .key_secret file
  std::vector<std::string> allowed_hosts;  // host names answered besides IPs and localhost
};
// Serves until SIGINT or SIGTERM. Prints the URL on stdout first, so scripts
// that ask for port 0 learn the port.
int dashboard_command(const DashboardCommand& command);

// The dashboard of a run in progress over its own store: the farm's runners
// are those of the embedded broker at `embedded_endpoint` when there is one,
// else those of the broker the configuration connects to, else none.
std::unique_ptr<Dashboard> start_run_dashboard(const std::string& store_path, int port,
                                               const std::string& bind, const FarmOptions& farm,
                                               const std::string& embedded_endpoint);

}  // namespace nas::cli
