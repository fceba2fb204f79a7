// The farm's subcommands: `nas runner`, `nas broker`, `nas devices`,
// `nas keygen`. They need no LibTorch, so the runner-only build has them.
#pragma once

#include <string>

namespace nas::cli {

struct RunnerCommand {
  std::string connect;
  std::string device;
  std::string backend = "torch";  // torch | command | sleep
  std::string meter = "none";
  std::string runner_id;
  int threads = 0;
  std::string torch_device = "cpu"; // torch backend: cpu | cuda | auto (supernet/device.h)
  double sleep_ms = 10;            // sleep backend: per job
  std::string pipeline;            // command backend: pipeline JSON file
  std::string broker_key;          // CURVE: broker's public key file
  std::string keys;                // CURVE: this runner's .key_secret file
  double heartbeat_seconds = 1.0;
  bool exit_with_parent = false;   // end when the process that started it ends
};
int runner_command(const RunnerCommand& command);

struct BrokerCommand {
  std::string bind = "tcp://127.0.0.1:5555";
  std::string keys;             // CURVE: the broker's .key_secret file
  std::string authorized_runners_dir;  // CURVE: *.key files of runners
  std::string authorized_clients_dir;  // CURVE: *.key files of clients (searches, `nas devices`)
  std::string authorized_dir;          // the former single folder: refused with a hint
  double heartbeat_seconds = 1.0;
};
int broker_command(const BrokerCommand& command);

struct DevicesCommand {
  std::string connect = "tcp://127.0.0.1:5555";
  std::string broker_key;
  std::string keys;
  bool json = false;
};
int devices_command(const DevicesCommand& command);

int keygen_command(const std::string& dir, const std::string& name);

}  // namespace nas::cli
