// The broker: farms measurement jobs out to runner daemons.
//
// It binds one ZeroMQ ROUTER. Runners (HELLO role "runner") register under a
// device key, as boards do with a tracker; clients (HELLO role "client": a
// search, `nas devices`) SUBMIT jobs for a device key and get one RESULT per
// job. Jobs wait in a queue until a free runner with that key is there; one
// job per runner at a time.
//
// Failures are ordinary outcomes: a runner silent for `liveness` heartbeat
// intervals is dead and its job goes back to the queue (at most `max_retries`
// times, then the client gets an `error` result); a job past its deadline is
// answered `timeout` even if the runner hangs; a malformed or hostile message
// is logged and dropped, and the broker keeps serving.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace nas {

struct BrokerOptions {
  std::string bind = "tcp://127.0.0.1:5555";  // a port of 0 or "*" picks a free one
  double heartbeat_seconds = 1.0;
  int liveness = 3;        // silent intervals before a peer counts as dead
  int max_retries = 2;     // requeues of a job whose runner died
  // Extra time after a job's deadline before the broker answers `timeout`
  // itself (the runner normally reports the timeout first).
  double deadline_grace_seconds = 2.0;
  // CURVE: with a secret key set, only peers whose public key is in
  // `authorized_keys_dir` (*.key files) are admitted.
  std::string curve_secret_file;     // a .key_secret file from `nas keygen`
  std::string authorized_keys_dir;
};

// Counters for logs, `nas devices` and benchmarks.
struct BrokerStats {
  std::int64_t jobs_submitted = 0;
  std::int64_t jobs_dispatched = 0;
  std::int64_t results_returned = 0;
  std::int64_t jobs_requeued = 0;
  std::int64_t timeouts = 0;
  std::int64_t rejected_messages = 0;
  std::int64_t runners_lost = 0;
};

class Broker {
 public:
  // Binds at once, so that the endpoint is known before serve() runs.
  // Throws nas::Error when the address cannot be bound or a key file is bad.
  explicit Broker(BrokerOptions options);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // The bound address, with the port actually chosen.
  std::string endpoint() const;

  // Serves until `stop` turns true (checked at least every 100 ms).
  void serve(const std::atomic<bool>& stop);

  // Thread-safe copy of the counters.
  BrokerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nas
