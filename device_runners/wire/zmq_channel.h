// The Channel over ZeroMQ: a ROUTER the broker binds, or a DEALER a runner or
// client connects, with CURVE set up in one place. Each channel owns its
// ZeroMQ context; use a channel from one thread, except wake().
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "device_runners/wire/channel.h"

namespace nas::wire {

// CURVE for the bound side: with a secret key file set, only peers whose
// public key is in one of the folders (*.key files) are admitted, and each
// received Envelope says which roles its sender's key may take. Both
// folders must exist (read_authorized_keys).
struct CurveServerOptions {
  std::string secret_file;  // a .key_secret file from `nas keygen`
  std::string authorized_runners_dir;  // keys that may register as runners
  std::string authorized_clients_dir;  // keys that may submit jobs and list
};

// CURVE for a connecting side: both files, or neither.
struct CurveClientOptions {
  std::string broker_public_key_file;
  std::string secret_file;  // this peer's .key_secret
};

class ZmqChannel : public Channel {
 public:
  // A ROUTER bound at `address`; a port of 0 picks a free one. Its sends
  // never wait: one to a peer that is not connected, or whose queue is full
  // because it does not read, returns false and the message is dropped.
  // Messages larger than kMaxBodyBytes (plus framing) are refused by libzmq,
  // which disconnects their sender. Throws nas::Error when the
  // address cannot be bound or a key file is bad.
  static std::unique_ptr<ZmqChannel> bind(const std::string& address,
                                          const CurveServerOptions& curve = {});

  // A DEALER connected to `address`. A send waits at most `send_timeout` for
  // a connection to take it (0: never waits, and a message that cannot go at
  // once is dropped). Throws nas::Error for a bad address or key file.
  static std::unique_ptr<ZmqChannel> connect(const std::string& address,
                                             const CurveClientOptions& curve,
                                             std::chrono::milliseconds send_timeout);

  ~ZmqChannel() override;
  ZmqChannel(const ZmqChannel&) = delete;
  ZmqChannel& operator=(const ZmqChannel&) = delete;

  // The bound address with the port actually chosen, or the address connected to.
  std::string endpoint() const;

  // A connected channel only: drops the connection and opens a fresh one, so
  // the broker sees a new peer (which must say HELLO). Unread messages are lost.
  void reconnect();

  bool send(const Envelope& envelope) override;
  std::optional<Envelope> receive(std::chrono::milliseconds timeout) override;
  void wake() override;

 private:
  struct Impl;
  explicit ZmqChannel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nas::wire
