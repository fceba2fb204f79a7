// The wire protocol between the broker (in `nas run` or `nas broker`) and
// the `nas runner` daemons on the boards.
//
// The broker binds a ZeroMQ ROUTER, each runner connects a DEALER. A message
// is two frames, a type and a JSON object body; ROUTER adds the peer's
// routing id in front, which the transport strips before decode(). The
// protocol version travels in HELLO and must match exactly.
//
// decode() is the one gate every received message passes: anything that is
// not a well-formed message of a known type with the fields that type needs
// raises ProtocolError, so a garbled or hostile frame can be logged and
// dropped while the broker keeps serving.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/errors.h"

namespace nas::wire {

// 2: a runner's RESULT for the job it ran carries "ready": true and stands
// for the READY that version 1 sent after it (one message less on each job's
// critical path).
// 3: a RESULT's runner id and the runner's idle time before the job are
// fields of their own ("runner_id", "runner_idle_ms"), no longer entries of
// its free-form "environment".
constexpr int kProtocolVersion = 3;

// Bodies larger than this are refused before parsing (a JOB carrying an
// ONNX file is the largest honest message).
constexpr std::size_t kMaxBodyBytes = 64u << 20;

// A runner's HELLO "capabilities" larger than this (as compact JSON) are
// refused: every LIST reply echoes them, to every client that asks.
constexpr std::size_t kMaxCapabilitiesBytes = 16u << 10;

// Runners and clients (searches, `nas devices`) speak to the same ROUTER;
// HELLO's "role" tells them apart.
enum class MessageType {
  kHello,      // peer -> broker: protocol version, role; a runner adds runner id,
               // device key, backend, meter, capabilities
  kReady,      // runner -> broker: free for a job (after HELLO; after a job, the
               // RESULT's "ready": true says it)
  kJob,        // broker -> runner: job id, arch and/or ONNX (base64), input shape,
               // protocol, deadline
  kResult,     // runner -> broker -> client: job id, status, statistics, energy,
               // environment; from a runner, "ready": true when it is free again
  kSubmit,     // client -> broker: a job for any free runner with a device key
  kList,       // client -> broker: which runners are there; broker -> client: the list
  kHeartbeat,  // both ways, about every second
  kBye,        // either side is leaving
};

const char* to_string(MessageType type);
std::optional<MessageType> message_type_from_string(std::string_view name);

// Status of a job's outcome. A timeout is an ordinary outcome, not an error.
// kUnanswered never travels: a client gives it to a job the farm did not
// answer at all (no runner for its device, a broker gone), so nothing was
// measured and nothing about the architecture may be concluded from it.
enum class JobStatus { kOk, kTimeout, kError, kUnsupported, kUnanswered };
const char* to_string(JobStatus status);
std::optional<JobStatus> job_status_from_string(std::string_view name);

struct Message {
  MessageType type = MessageType::kHeartbeat;
  nlohmann::json body = nlohmann::json::object();
};

// A received message that does not follow the protocol. what() says why.
class ProtocolError : public Error {
 public:
  using Error::Error;
};

// The HELLO every peer sends first. A runner names itself, its device key and
// backend; a client (a search, `nas devices`) gives only its role.
struct Hello {
  enum class Role { kRunner, kClient };
  std::int64_t protocol = kProtocolVersion;  // as sent, never narrowed
  Role role = Role::kClient;
  // Runners only: all three non-empty.
  std::string runner_id;
  std::string device;   // device key, e.g. "jetson-nano"
  std::string backend;  // e.g. "torch", "command"
  std::string meter;    // "yes" or "none"
  // What the backend accepts ({"accepts": ["arch"]} or ["onnx"]) and details.
  nlohmann::json capabilities = nlohmann::json::object();

  // True when capabilities' "accepts" lists `kind` ("arch", "onnx").
  bool accepts(std::string_view kind) const;

  Message encode() const;
  // REQUIRES: `message` passed wire::decode() and is a HELLO.
  static Hello decode(const Message& message);
};

// Either side leaving, or the broker refusing a peer; `reason` says why.
struct Bye {
  std::string reason;

  Message encode() const;
  static Bye decode(const Message& message);  // REQUIRES: a decoded BYE
};

// A client's job for any free runner with the device key. `job` is the JOB
// body (JobSpec's JSON), checked by the broker before it queues it.
struct Submit {
  std::string device;
  nlohmann::json job = nlohmann::json::object();

  Message encode() const;
  static Submit decode(const Message& message);  // REQUIRES: a decoded SUBMIT
};

// The frames of `message`: {type, compact JSON body}.
std::vector<std::string> encode(const Message& message);

// Parses and checks frames (routing id already removed). Throws
// ProtocolError for a wrong frame count, an unknown type, an oversize or
// non-JSON body (nested beyond kMaxJsonDepth too, core/json_parse.h), a body
// that is not an object, a field the type requires that is missing or of
// the wrong JSON type, a HELLO whose version does not fit 63 bits or whose
// capabilities exceed kMaxCapabilitiesBytes.
Message decode(const std::vector<std::string>& frames);

}  // namespace nas::wire
