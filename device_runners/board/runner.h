// The runner daemon: connects to a broker, says which device it measures,
// and measures the jobs it is sent, one at a time.
//
// The measurement runs on a worker thread while the daemon's own thread keeps
// heartbeating, so a long measurement never looks like a dead board. A broker
// silent for `liveness` intervals is taken as gone: the runner reconnects
// with exponential back-off and introduces itself again, so it survives a
// broker restart. A job is cancelled at its deadline and reported `timeout`.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace nas {

class Backend;
class PowerMeter;

struct RunnerOptions {
  std::string connect;     // broker address, e.g. tcp://ws:5555
  std::string device;      // device key, e.g. "jetson-nano", "local-cpu"
  std::string runner_id;   // unique name; default: hostname-pid
  double heartbeat_seconds = 1.0;
  int liveness = 3;
  double max_backoff_seconds = 8;  // reconnect back-off doubles up to this
  // CURVE: the broker's public key and this runner's key pair (.key_secret).
  std::string broker_public_key_file;
  std::string curve_secret_file;
};

struct RunnerStats {
  std::int64_t jobs_done = 0;
  std::int64_t connects = 0;
};

class Runner {
 public:
  // `backend` and `meter` (may be null) must outlive the runner.
  Runner(RunnerOptions options, Backend& backend, PowerMeter* meter);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Works until `stop` turns true, then cancels a running job, says BYE and
  // returns. Throws nas::Error for setup problems (bad keys, bad address).
  RunnerStats run(const std::atomic<bool>& stop);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nas
