// ZeroMQ's authentication protocol (ZAP, RFC 27) for CURVE: a thread that
// admits peers whose public key is authorized, and tells the socket which
// roles each may take. The role travels as the ZAP "User-Id" of the
// connection, which every message from it carries (zmq_msg_gets).
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
  // closes. The sets hold Z85 public keys; a key in neither is refused, and
  // an admitted peer's User-Id is user_id_for(its key).
  ZapHandler(zmq::context_t& context, std::set<std::string> runners, std::set<std::string> clients);
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

 private:
  void serve();

  zmq::socket_t socket_;
  // The User-Id for an admitted key: "runner", "client" or "runner client";
  // "" for a key in neither set.
  std::string user_id_for(const std::string& key) const;

  const std::set<std::string> runners_;  // read-only after construction
  const std::set<std::string> clients_;  // read-only after construction
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace nas
