// The broker: farms measurement jobs out to runner daemons.
//
// It binds one ZeroMQ ROUTER (wire/zmq_channel.h) and feeds what arrives to a
// Dispatcher (dispatcher.h), which keeps the queue, the runners and the
// deadlines. A malformed or hostile message is logged, counted and dropped,
// and the broker keeps serving.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "device_runners/broker/dispatcher.h"
#include "device_runners/wire/zmq_channel.h"

namespace nas {

struct BrokerOptions {
  std::string bind = "tcp://127.0.0.1:5555";  // a port of 0 or "*" picks a free one
  DispatchOptions dispatch;
  // CURVE: with a secret key set, only peers whose public key is in the
  // authorized folder (*.key files) are admitted.
  wire::CurveServerOptions curve;
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

  // Serves until `stop` turns true (checked at least every 100 ms), then says
  // BYE to every peer. Throws nas::Error when the transport fails.
  void serve(const std::atomic<bool>& stop);

  // Thread-safe copy of the counters.
  BrokerStats stats() const;

 private:
  BrokerOptions options_;
  std::unique_ptr<wire::ZmqChannel> channel_;
  Dispatcher dispatcher_;
};

}  // namespace nas
