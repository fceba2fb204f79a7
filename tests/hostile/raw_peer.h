// A peer of the farm written from the protocol text alone: a bare ZeroMQ
// DEALER that sends whatever frames a test gives it, as a hostile or broken
// client would, and reads (or, on purpose, never reads) the answers.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <nlohmann/json.hpp>

namespace nas::test {

class RawPeer {
 public:
  // Connects to `endpoint`; `receive_queue` bounds what ZeroMQ buffers on
  // this side (a small one makes a peer that never reads fill up early).
  explicit RawPeer(const std::string& endpoint, int receive_queue = 1000) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::rcvhwm, receive_queue);
    socket_.set(zmq::sockopt::sndtimeo, 2000);
    socket_.connect(endpoint);
  }

  // Sends the frames {type, body}; false when ZeroMQ did not take them.
  bool send(const std::string& type, const std::string& body) {
    return socket_.send(zmq::buffer(type), zmq::send_flags::sndmore) &&
           socket_.send(zmq::buffer(body), zmq::send_flags::none);
  }
  bool send(const std::string& type, const nlohmann::json& body) { return send(type, body.dump()); }
  bool send(const std::string& type, const char* body) { return send(type, std::string(body)); }

  void hello_as_client() { send("HELLO", nlohmann::json{{"protocol", 3}, {"role", "client"}}); }

  // The next message other than a HEARTBEAT, within `timeout`. Beats while
  // it waits, as a live peer does (the broker drops a silent one).
  std::optional<std::pair<std::string, nlohmann::json>> receive(std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    auto next_beat = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() < until) {
      if (std::chrono::steady_clock::now() >= next_beat) {
        send("HEARTBEAT", std::string("{}"));
        next_beat += std::chrono::milliseconds(100);
      }
      std::vector<zmq::pollitem_t> items = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, std::chrono::milliseconds(50));
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> parts;
      if (!zmq::recv_multipart(socket_, std::back_inserter(parts))) continue;
      if (parts.size() != 2 || parts[0].to_string() == "HEARTBEAT") continue;
      return std::make_pair(parts[0].to_string(),
                            nlohmann::json::parse(parts[1].to_string(), nullptr, false));
    }
    return std::nullopt;
  }

  // The next message of type `type`, skipping others.
  std::optional<nlohmann::json> receive(const std::string& type, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      auto m = receive(std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now()));
      if (m && m->first == type) return m->second;
    }
    return std::nullopt;
  }

 private:
  zmq::context_t context_{1};
  zmq::socket_t socket_{context_, zmq::socket_type::dealer};
};

// JSON text of `depth` nested arrays: "[[[...]]]".
inline std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace nas::test
