// ZeroMQ's authentication protocol (ZAP, RFC 27) for CURVE: a thread that
// admits peers whose public key is in an authorized set.
#pragma once

#include <atomic>
#include <set>
#include <string>
#include <thread>

#include <zmq.hpp>

namespace nas {

class ZapHandler {
 public:
  // Binds inproc://zeromq.zap.01 in `context` and starts answering. Must be
  // created before the CURVE server socket binds, and destroyed after it
  // closes. `authorized` holds Z85 public keys.
  ZapHandler(zmq::context_t& context, std::set<std::string> authorized);
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

 private:
  void serve();

  zmq::socket_t socket_;
  const std::set<std::string> authorized_;  // read-only after construction
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace nas
