// The farm's transport seam: a peer sends and receives whole, decoded
// messages. The broker, the runner and the search's client speak through it;
// ZmqChannel (zmq_channel.h) is the one implementation.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "device_runners/wire/protocol.h"

namespace nas::wire {

// A message and the peer it comes from or goes to. On a channel with one
// peer (a runner's or a client's, to the broker) `peer` is empty.
struct Envelope {
  std::string peer;
  Message message;
  // Received with CURVE: the roles the sender's key is authorized for,
  // "runner", "client" or "runner client" (ZapHandler). Empty when the
  // channel authenticates no one, and on sends.
  std::string roles{};
  // Received: the size of the message's frames as they came in.
  std::size_t wire_bytes = 0;
};

// Frames that failed decode(): the message is consumed and the channel stays
// usable. peer() is the sender's id where the channel knows it.
class RejectedMessage : public ProtocolError {
 public:
  RejectedMessage(std::string peer, const std::string& why)
      : ProtocolError(why), peer_(std::move(peer)) {}
  const std::string& peer() const { return peer_; }

 private:
  std::string peer_;
};

class Channel {
 public:
  virtual ~Channel() = default;

  // Queues `envelope` for sending. False when it cannot go: the peer is not
  // connected (any more), or no connection took it within the channel's
  // send timeout. Throws nas::Error for a failure of the transport itself.
  virtual bool send(const Envelope& envelope) = 0;

  // The next message, waiting at most `timeout`; nullopt when none came in
  // time, when wake() was called, or when a signal interrupted the wait.
  // Throws RejectedMessage for frames that are not a protocol message.
  virtual std::optional<Envelope> receive(std::chrono::milliseconds timeout) = 0;

  // Thread-safe: ends a receive() in progress (or the next one) at once.
  virtual void wake() = 0;
};

}  // namespace nas::wire
