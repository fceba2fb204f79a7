// The ZeroMQ channel on loopback: what a bound and a connected side say to
// each other arrives whole and decoded, garbage is refused with the sender's
// id, and wake() ends a wait at once.
#include "device_runners/wire/zmq_channel.h"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>
#include <zmq.hpp>

namespace nas::wire {
namespace {

using namespace std::chrono_literals;

// The next message on `channel` within a few seconds.
Envelope next(Channel& channel) {
  for (int i = 0; i < 50; ++i) {
    if (auto in = channel.receive(100ms)) return *in;
  }
  throw Error("nothing arrived");
}

TEST_CASE("a message crosses a bound and a connected channel both ways") {
  auto broker = ZmqChannel::bind("tcp://127.0.0.1:0");
  CHECK(broker->endpoint().rfind("tcp://127.0.0.1:", 0) == 0);
  auto client = ZmqChannel::connect(broker->endpoint(), {}, 2000ms);
  REQUIRE(client->send({"", Hello{}.encode()}));
  const Envelope hello = next(*broker);
  CHECK(hello.message.type == MessageType::kHello);
  CHECK_FALSE(hello.peer.empty());
  REQUIRE(broker->send({hello.peer, Bye{"broker stopping"}.encode()}));
  const Envelope bye = next(*client);
  CHECK(bye.peer.empty());
  CHECK(Bye::decode(bye.message).reason == "broker stopping");
  // A peer the ROUTER does not know cannot be sent to.
  CHECK_FALSE(broker->send({"nobody", Bye{"?"}.encode()}));
}

TEST_CASE("frames that are no message are refused with the sender's id, and the channel goes on") {
  auto broker = ZmqChannel::bind("tcp://127.0.0.1:0");
  zmq::context_t context;
  zmq::socket_t raw(context, zmq::socket_type::dealer);
  raw.set(zmq::sockopt::linger, 0);
  raw.set(zmq::sockopt::routing_id, "raw-peer");
  raw.connect(broker->endpoint());
  raw.send(zmq::str_buffer("HELO"), zmq::send_flags::sndmore);
  raw.send(zmq::str_buffer("{}"), zmq::send_flags::none);
  bool refused = false;
  for (int i = 0; i < 50 && !refused; ++i) {
    try {
      (void)broker->receive(100ms);
    } catch (const RejectedMessage& e) {
      refused = true;
      CHECK(e.peer() == "raw-peer");
      CHECK(std::string(e.what()) == "unknown message type 'HELO'");
    }
  }
  CHECK(refused);
  raw.send(zmq::str_buffer("HEARTBEAT"), zmq::send_flags::sndmore);
  raw.send(zmq::str_buffer("{}"), zmq::send_flags::none);
  CHECK(next(*broker).message.type == MessageType::kHeartbeat);
}

TEST_CASE("wake() from another thread ends a long receive at once") {
  auto channel = ZmqChannel::connect("tcp://127.0.0.1:9", {}, 0ms);  // nothing listens there
  std::thread waker([&] {
    std::this_thread::sleep_for(50ms);
    channel->wake();
  });
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(channel->receive(10s).has_value());
  waker.join();
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

}  // namespace
}  // namespace nas::wire
