// The broker: farms measurement jobs out to runner daemons.
//
// It binds one ZeroMQ ROUTER (wire/zmq_channel.h) and feeds what arrives to a
// Dispatcher (dispatcher.h), which keeps the queue, the runners and the
// deadlines. A malformed or hostile message is logged, counted and dropped,
// and the broker keeps serving: no send waits for a peer (one that does not
// read loses its messages and is dropped, wire/zmq_channel.h).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include "device_runners/broker/dispatcher.h"
#include "device_runners/wire/zmq_channel.h"

namespace nas {

struct BrokerOptions {
  std::string bind = "tcp://127.0.0.1:5555";  // a port of 0 or "*" picks a free one
  DispatchOptions dispatch;
  // CURVE: with a secret key set, only peers whose public key is in one of
  // the authorized folders (*.key files) are admitted, and a HELLO may claim
  // only the role its key's folder grants (a client key never runs jobs).
  wire::CurveServerOptions curve;
  // After a message of at least kLargeMessageBytes is handled, the heap's
  // free memory goes back to the kernel (core/heap_policy.h): a parsed
  // message's tree can be many times its size, and a long-lived broker must
  // not keep it. Off for a broker inside a run, whose process keeps freed
  // memory on purpose.
  bool return_memory_after_large_messages = true;
};

inline constexpr std::size_t kLargeMessageBytes = 1u << 20;

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
