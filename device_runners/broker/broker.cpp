#include "device_runners/broker/broker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <sstream>

#include "core/errors.h"
#include "core/heap_policy.h"

namespace nas {
namespace {

// Printable form of a peer's id for logs.
std::string peer_label(const std::string& id) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : id) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

std::unique_ptr<wire::ZmqChannel> bind_channel(const BrokerOptions& options) {
  try {
    return wire::ZmqChannel::bind(options.bind, options.curve);
  } catch (const Error& e) {
    throw Error(std::string("broker: ") + e.what());
  }
}

// With CURVE, a HELLO may claim only a role its key is authorized for: a
// client's key must not register a runner and answer jobs. Without CURVE
// anyone may be anything. "" when admitted, else why not.
std::string refusal_of_role(const BrokerOptions& options, const wire::Envelope& in) {
  if (options.curve.secret_file.empty() || in.message.type != wire::MessageType::kHello) return "";
  const std::string role = in.message.body.at("role").get<std::string>();  // decode() checked it
  std::istringstream roles(in.roles);
  for (std::string r; roles >> r;) {
    if (r == role) return "";
  }
  return "this key is not authorized for the role '" + role + "'";
}

}  // namespace

Broker::Broker(BrokerOptions options)
    : options_(std::move(options)),
      channel_(bind_channel(options_)),
      dispatcher_(options_.dispatch, [this](const std::string& peer, const wire::Message& m) {
        return channel_->send({peer, m});
      }) {}

Broker::~Broker() = default;

std::string Broker::endpoint() const { return channel_->endpoint(); }

void Broker::serve(const std::atomic<bool>& stop) {
  using Clock = Dispatcher::Clock;
  const auto tick = std::chrono::milliseconds(
      std::max(10, std::min(100, static_cast<int>(options_.dispatch.heartbeat_seconds * 250))));
  auto next_tick = Clock::now();
  while (!stop.load()) {
    try {
      // Drain what is there before the timers run.
      auto wait = tick;
      for (int i = 0; i < 1000; ++i) {
        std::optional<wire::Envelope> in;
        try {
          in = channel_->receive(wait);
        } catch (const wire::RejectedMessage& e) {
          dispatcher_.count_rejected();
          spdlog::warn("broker: rejected a message from {}: {}", peer_label(e.peer()), e.what());
          continue;
        }
        if (!in) break;
        wait = std::chrono::milliseconds(0);
        if (const std::string why = refusal_of_role(options_, *in); !why.empty()) {
          dispatcher_.count_rejected();
          spdlog::warn("broker: refused a HELLO from {}: {}", peer_label(in->peer), why);
          channel_->send({in->peer, wire::Bye{why}.encode()});
          continue;
        }
        try {
          dispatcher_.handle(in->peer, in->message, Clock::now());
        } catch (const wire::ProtocolError& e) {
          // decode() passed it, a typed reading did not: still a bad message.
          dispatcher_.count_rejected();
          spdlog::warn("broker: rejected a message from {}: {}", peer_label(in->peer), e.what());
        } catch (const nlohmann::json::exception& e) {
          // A check missed a shape; the peer is at fault, the broker serves on.
          dispatcher_.count_rejected();
          spdlog::error("broker: rejected a message from {} that slipped past the checks: {}",
                        peer_label(in->peer), e.what());
        }
        if (options_.return_memory_after_large_messages && in->wire_bytes >= kLargeMessageBytes) {
          in.reset();  // its tree first
          return_freed_memory();
        }
      }
    } catch (const Error& e) {
      throw Error(std::string("broker: ") + e.what());
    }
    if (Clock::now() >= next_tick) {
      dispatcher_.tick(Clock::now());
      next_tick = Clock::now() + tick;
    }
  }
  dispatcher_.say_goodbye();
}

BrokerStats Broker::stats() const { return dispatcher_.stats(); }

}  // namespace nas
