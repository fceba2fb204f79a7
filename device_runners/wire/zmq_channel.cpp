#include "device_runners/wire/zmq_channel.h"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <mutex>
#include <optional>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "core/errors.h"
#include "device_runners/wire/curve.h"
#include "device_runners/wire/zap_handler.h"

namespace nas::wire {

struct ZmqChannel::Impl {
  bool bound = false;
  std::string address;   // as given; for a bound channel, as ZeroMQ spells it
  std::string endpoint;
  std::optional<CurveKeyPair> keys;  // a connecting side's own keys
  std::string broker_key;            // the broker's public key, when keys are set
  std::chrono::milliseconds send_timeout{0};

  zmq::context_t context{1};
  std::unique_ptr<ZapHandler> zap;  // before the socket: it must outlive it
  zmq::socket_t socket;
  // wake(): any thread pushes, receive() polls the other end. The pusher is
  // shared, so a mutex keeps its use to one thread at a time.
  zmq::socket_t wake_pull{context, zmq::socket_type::pull};
  std::mutex wake_mutex;
  zmq::socket_t wake_push;  // guarded by wake_mutex

  Impl() {
    static std::atomic<std::uint64_t> next_id{0};
    const std::string wake_address = "inproc://nas-channel-wake-" + std::to_string(next_id++);
    wake_pull.set(zmq::sockopt::linger, 0);
    wake_pull.bind(wake_address);
    wake_push = zmq::socket_t(context, zmq::socket_type::push);
    wake_push.set(zmq::sockopt::linger, 0);
    wake_push.connect(wake_address);
  }

  void open_dealer() {
    socket = zmq::socket_t(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::sndtimeo, static_cast<int>(send_timeout.count()));
    if (keys) {
      socket.set(zmq::sockopt::curve_serverkey, broker_key);
      socket.set(zmq::sockopt::curve_publickey, keys->public_key);
      socket.set(zmq::sockopt::curve_secretkey, keys->secret_key);
    }
    try {
      socket.connect(address);
    } catch (const zmq::error_t& e) {
      throw Error("cannot connect to " + address + ": " + e.what());
    }
  }
};

ZmqChannel::ZmqChannel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ZmqChannel::~ZmqChannel() = default;

std::unique_ptr<ZmqChannel> ZmqChannel::bind(const std::string& address,
                                             const CurveServerOptions& curve) {
  auto impl = std::make_unique<Impl>();
  impl->bound = true;
  impl->address = address;
  if (!curve.secret_file.empty()) {
    const CurveKeyPair keys = read_secret_keys(curve.secret_file);
    impl->zap = std::make_unique<ZapHandler>(impl->context,
                                             read_authorized_keys(curve.authorized_runners_dir),
                                             read_authorized_keys(curve.authorized_clients_dir));
    impl->socket = zmq::socket_t(impl->context, zmq::socket_type::router);
    impl->socket.set(zmq::sockopt::curve_server, 1);
    impl->socket.set(zmq::sockopt::curve_secretkey, keys.secret_key);
    impl->socket.set(zmq::sockopt::zap_domain, "nas");
  } else {
    impl->socket = zmq::socket_t(impl->context, zmq::socket_type::router);
  }
  zmq::socket_t& router = impl->socket;
  router.set(zmq::sockopt::linger, 0);
  router.set(zmq::sockopt::router_mandatory, 1);
  // A peer sending more than any honest message is disconnected by libzmq
  // before the bytes reach us.
  router.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(kMaxBodyBytes + 4096));
  std::string zmq_address = address;
  // A port of 0 asks for any free port, in ZeroMQ's spelling.
  if (zmq_address.size() > 2 && zmq_address.compare(zmq_address.size() - 2, 2, ":0") == 0) {
    zmq_address.replace(zmq_address.size() - 1, 1, "*");
  }
  try {
    router.bind(zmq_address);
  } catch (const zmq::error_t& e) {
    throw Error("cannot bind " + address + ": " + e.what());
  }
  impl->endpoint = router.get(zmq::sockopt::last_endpoint);
  return std::unique_ptr<ZmqChannel>(new ZmqChannel(std::move(impl)));
}

std::unique_ptr<ZmqChannel> ZmqChannel::connect(const std::string& address,
                                                const CurveClientOptions& curve,
                                                std::chrono::milliseconds send_timeout) {
  auto impl = std::make_unique<Impl>();
  impl->address = impl->endpoint = address;
  impl->send_timeout = send_timeout;
  if (!curve.secret_file.empty() || !curve.broker_public_key_file.empty()) {
    if (curve.secret_file.empty() || curve.broker_public_key_file.empty()) {
      throw Error("CURVE needs both the broker's public key and this side's keys");
    }
    impl->keys = read_secret_keys(curve.secret_file);
    impl->broker_key = read_public_key(curve.broker_public_key_file);
  }
  impl->open_dealer();
  return std::unique_ptr<ZmqChannel>(new ZmqChannel(std::move(impl)));
}

std::string ZmqChannel::endpoint() const { return impl_->endpoint; }

void ZmqChannel::reconnect() {
  if (impl_->bound) throw Error("a bound channel cannot reconnect");
  impl_->socket.close();
  impl_->open_dealer();
}

bool ZmqChannel::send(const Envelope& envelope) {
  const std::vector<std::string> frames = encode(envelope.message);
  zmq::socket_t& s = impl_->socket;
  // The bound side never waits: a peer that does not read fills its queue
  // (the high-water mark), and a blocking send would then stop the broker
  // for good. Its messages are dropped instead (false), and the caller
  // treats it as gone. Once the first frame is taken, the rest of the
  // message is too.
  const zmq::send_flags wait = impl_->bound ? zmq::send_flags::dontwait : zmq::send_flags::none;
  try {
    if (impl_->bound && !s.send(zmq::buffer(envelope.peer), zmq::send_flags::sndmore | wait)) {
      return false;
    }
    if (!s.send(zmq::buffer(frames[0]), zmq::send_flags::sndmore | wait)) return false;
    return s.send(zmq::buffer(frames[1]), wait).has_value();
  } catch (const zmq::error_t& e) {
    if (e.num() == EHOSTUNREACH) return false;  // ROUTER_MANDATORY: the peer is gone
    throw Error(std::string("send failed: ") + e.what());
  }
}

std::optional<Envelope> ZmqChannel::receive(std::chrono::milliseconds timeout) {
  std::vector<zmq::pollitem_t> items = {{impl_->socket.handle(), 0, ZMQ_POLLIN, 0},
                                        {impl_->wake_pull.handle(), 0, ZMQ_POLLIN, 0}};
  std::vector<zmq::message_t> parts;
  try {
    zmq::poll(items, timeout);
    if (items[1].revents & ZMQ_POLLIN) {
      zmq::message_t poke;
      while (impl_->wake_pull.recv(poke, zmq::recv_flags::dontwait)) {
      }
      return std::nullopt;
    }
    if (!(items[0].revents & ZMQ_POLLIN)) return std::nullopt;
    if (!zmq::recv_multipart(impl_->socket, std::back_inserter(parts),
                             zmq::recv_flags::dontwait)) {
      return std::nullopt;
    }
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return std::nullopt;  // a signal: the caller checks its stop flag
    throw Error(std::string("receive failed: ") + e.what());
  }
  std::vector<std::string> frames;
  frames.reserve(parts.size());
  Envelope envelope;
  for (auto& p : parts) {
    envelope.wire_bytes += p.size();
    frames.push_back(p.to_string());
  }
  if (impl_->bound) {
    if (frames.empty()) throw RejectedMessage("", "no frames");
    // The ZAP handler's User-Id, from a frame the peer sent (the routing id
    // is the socket's own); absent without CURVE.
    if (impl_->zap) {
      const char* roles = zmq_msg_gets(parts.back().handle(), "User-Id");
      envelope.roles = roles ? roles : "";
    }
    envelope.peer = std::move(frames.front());
    frames.erase(frames.begin());
  }
  try {
    envelope.message = decode(frames);
  } catch (const ProtocolError& e) {
    throw RejectedMessage(envelope.peer, e.what());
  }
  return envelope;
}

void ZmqChannel::wake() {
  std::lock_guard<std::mutex> lock(impl_->wake_mutex);
  // A full pipe already holds a wake-up; dropping this one loses nothing.
  (void)impl_->wake_push.send(zmq::str_buffer("wake"), zmq::send_flags::dontwait);
}

}  // namespace nas::wire
