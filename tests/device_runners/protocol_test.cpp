#include "device_runners/wire/protocol.h"

#include <doctest/doctest.h>

#include <random>

namespace nas::wire {
namespace {

Message hello() {
  return {MessageType::kHello,
          {{"protocol", kProtocolVersion},
           {"role", "runner"},
           {"runner_id", "pi-1"},
           {"device", "raspi4"},
           {"backend", "torch"}}};
}

TEST_CASE("messages round-trip through their frames") {
  const Message m = hello();
  const auto frames = encode(m);
  REQUIRE(frames.size() == 2);
  CHECK(frames[0] == "HELLO");
  const Message back = decode(frames);
  CHECK(back.type == MessageType::kHello);
  CHECK(back.body == m.body);
  const Message result{MessageType::kResult, {{"job_id", "j7"}, {"status", "timeout"}}};
  CHECK(decode(encode(result)).body["status"] == "timeout");
  CHECK(decode({"HEARTBEAT", "{}"}).type == MessageType::kHeartbeat);
}

TEST_CASE("malformed messages are refused with the reason") {
  CHECK_THROWS_WITH_AS(decode({"HELLO"}), "expected 2 frames (type, body), got 1", ProtocolError);
  CHECK_THROWS_WITH_AS(decode({"HELO", "{}"}), "unknown message type 'HELO'", ProtocolError);
  CHECK_THROWS_WITH_AS(decode({"JOB", "{not json"}), doctest::Contains("JOB: body is not JSON: syntax error"),
                       ProtocolError);
  CHECK_THROWS_WITH_AS(decode({"READY", "[1,2]"}), "READY: body is not a JSON object",
                       ProtocolError);
  CHECK_THROWS_WITH_AS(
      decode({"HELLO", R"({"protocol":1,"role":"runner","runner_id":"a","device":"x"})"}),
      "HELLO: a runner must give a non-empty string 'backend'", ProtocolError);
  CHECK_THROWS_WITH_AS(
      decode({"HELLO", R"({"protocol":"1","role":"runner","runner_id":"a","device":"x"})"}),
      "HELLO: field 'protocol' must be an integer", ProtocolError);
  CHECK_THROWS_WITH_AS(decode({"RESULT", R"({"job_id":"j","status":"ok","ready":"yes"})"}),
                       "RESULT: field 'ready' must be true or false", ProtocolError);
  CHECK(decode({"RESULT", R"({"job_id":"j","status":"ok","ready":true})"}).body["ready"] == true);
  CHECK_THROWS_WITH_AS(decode({"HELLO", R"({"protocol":1,"role":"spy"})"}),
                       "HELLO: unknown role 'spy'", ProtocolError);
  CHECK(decode({"HELLO", R"({"protocol":1,"role":"client"})"}).type == MessageType::kHello);
  CHECK_THROWS_WITH_AS(decode({"SUBMIT", R"({"device":"pi"})"}), "SUBMIT: missing field 'job'",
                       ProtocolError);
  CHECK_THROWS_WITH_AS(decode({"RESULT", R"({"job_id":"j","status":"great"})"}),
                       "RESULT: unknown status 'great'", ProtocolError);
  CHECK_THROWS_WITH_AS(decode({"JOB", std::string(kMaxBodyBytes + 1, ' ')}),
                       doctest::Contains("exceeds the limit"), ProtocolError);
}

TEST_CASE("a runner's HELLO round-trips as a struct") {
  Hello h;
  h.role = Hello::Role::kRunner;
  h.runner_id = "pi-1";
  h.device = "raspi4";
  h.backend = "command";
  h.meter = "none";
  h.capabilities = {{"accepts", {"onnx"}}, {"tool", "benchmark_model"}};
  const Hello back = Hello::decode(decode(encode(h.encode())));
  CHECK(back.protocol == kProtocolVersion);
  CHECK(back.role == Hello::Role::kRunner);
  CHECK(back.runner_id == "pi-1");
  CHECK(back.device == "raspi4");
  CHECK(back.backend == "command");
  CHECK(back.accepts("onnx"));
  CHECK_FALSE(back.accepts("arch"));
  CHECK(Hello::decode(decode(encode(Hello{}.encode()))).role == Hello::Role::kClient);
}

TEST_CASE("no runner can send the client's own verdict 'unanswered'") {
  CHECK_THROWS_WITH_AS(decode({"RESULT", R"({"job_id":"j","status":"unanswered"})"}),
                       "RESULT: unknown status 'unanswered'", ProtocolError);
}

TEST_CASE("random bytes never pass as a message and never crash the decoder") {
  std::mt19937 rng(5);
  int refused = 0;
  for (int i = 0; i < 2000; ++i) {
    std::vector<std::string> frames(1 + rng() % 3);
    for (auto& f : frames) {
      f.resize(rng() % 64);
      for (char& c : f) c = static_cast<char>(rng());
    }
    try {
      decode(frames);
    } catch (const ProtocolError&) {
      ++refused;
    }
  }
  CHECK(refused == 2000);
}

TEST_CASE("a HELLO's version is read whole and its capabilities are capped") {
  // 4294967298 is 2 in 32 bits: it must stay itself, and be refused as itself.
  const Message wide = decode({"HELLO", R"({"protocol":4294967298,"role":"client"})"});
  CHECK(Hello::decode(wide).protocol == 4294967298LL);
  CHECK_THROWS_WITH_AS(decode({"HELLO", R"({"protocol":18446744073709551615,"role":"client"})"}),
                       doctest::Contains("out of range"), ProtocolError);
  nlohmann::json body = hello().body;
  body["capabilities"] = {{"pad", std::string(kMaxCapabilitiesBytes, 'x')}};
  CHECK_THROWS_WITH_AS(decode({"HELLO", body.dump()}), doctest::Contains("capabilities exceed"),
                       ProtocolError);
  CHECK_THROWS_WITH_AS(decode({"LIST", std::string(100, '[') + std::string(100, ']')}),
                       doctest::Contains("nested deeper than 64 levels"), ProtocolError);
}

}  // namespace
}  // namespace nas::wire
