#include "device_runners/wire/protocol.h"

#include <array>
#include <cstdint>
#include <utility>

#include "core/json_parse.h"

namespace nas::wire {
namespace {

enum class Kind { kString, kInteger, kNumber, kObject, kArray };

struct Field {
  const char* name;
  Kind kind;
};

bool has_kind(const nlohmann::json& v, Kind kind) {
  switch (kind) {
    case Kind::kString: return v.is_string();
    case Kind::kInteger: return v.is_number_integer();
    case Kind::kNumber: return v.is_number();
    case Kind::kObject: return v.is_object();
    case Kind::kArray: return v.is_array();
  }
  return false;
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::kString: return "a string";
    case Kind::kInteger: return "an integer";
    case Kind::kNumber: return "a number";
    case Kind::kObject: return "an object";
    case Kind::kArray: return "an array";
  }
  return "?";
}

// The fields each type must carry; others are allowed (for later versions).
std::vector<Field> required_fields(MessageType type) {
  switch (type) {
    case MessageType::kHello:
      return {{"protocol", Kind::kInteger}, {"role", Kind::kString}};
    case MessageType::kJob:
      return {{"job_id", Kind::kString}, {"protocol", Kind::kObject}};
    case MessageType::kResult:
      return {{"job_id", Kind::kString}, {"status", Kind::kString}};
    case MessageType::kSubmit:
      return {{"device", Kind::kString}, {"job", Kind::kObject}};
    case MessageType::kList:
    case MessageType::kReady:
    case MessageType::kHeartbeat:
    case MessageType::kBye:
      return {};
  }
  return {};
}

constexpr std::array<std::pair<MessageType, const char*>, 8> kTypeNames = {{
    {MessageType::kHello, "HELLO"},
    {MessageType::kReady, "READY"},
    {MessageType::kJob, "JOB"},
    {MessageType::kResult, "RESULT"},
    {MessageType::kSubmit, "SUBMIT"},
    {MessageType::kList, "LIST"},
    {MessageType::kHeartbeat, "HEARTBEAT"},
    {MessageType::kBye, "BYE"},
}};

constexpr std::array<std::pair<JobStatus, const char*>, 5> kStatusNames = {{
    {JobStatus::kOk, "ok"},
    {JobStatus::kTimeout, "timeout"},
    {JobStatus::kError, "error"},
    {JobStatus::kUnsupported, "unsupported"},
    {JobStatus::kUnanswered, "unanswered"},
}};

// Printable excerpt of untrusted bytes for error messages.
std::string excerpt(std::string_view bytes) { return printable_excerpt(bytes, 24); }

}  // namespace

const char* to_string(MessageType type) {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) return name;
  }
  return "?";
}

std::optional<MessageType> message_type_from_string(std::string_view name) {
  for (const auto& [t, text] : kTypeNames) {
    if (name == text) return t;
  }
  return std::nullopt;
}

const char* to_string(JobStatus status) {
  for (const auto& [s, name] : kStatusNames) {
    if (s == status) return name;
  }
  return "?";
}

std::optional<JobStatus> job_status_from_string(std::string_view name) {
  for (const auto& [s, text] : kStatusNames) {
    if (name == text) return s;
  }
  return std::nullopt;
}

std::vector<std::string> encode(const Message& message) {
  return {to_string(message.type), message.body.dump()};
}

Message decode(const std::vector<std::string>& frames) {
  if (frames.size() != 2) {
    throw ProtocolError("expected 2 frames (type, body), got " + std::to_string(frames.size()));
  }
  const auto type = message_type_from_string(frames[0]);
  if (!type) throw ProtocolError("unknown message type '" + excerpt(frames[0]) + "'");
  const std::string where = std::string(to_string(*type)) + ": ";
  if (frames[1].size() > kMaxBodyBytes) {
    throw ProtocolError(where + "body of " + std::to_string(frames[1].size()) +
                        " bytes exceeds the limit of " + std::to_string(kMaxBodyBytes));
  }
  Message message;
  message.type = *type;
  try {
    message.body = parse_json(frames[1]);
  } catch (const JsonParseError& e) {
    throw ProtocolError(where + "body is not JSON: " + e.what());
  }
  if (!message.body.is_object()) throw ProtocolError(where + "body is not a JSON object");
  for (const Field& f : required_fields(*type)) {
    auto it = message.body.find(f.name);
    if (it == message.body.end()) throw ProtocolError(where + "missing field '" + f.name + "'");
    if (!has_kind(*it, f.kind)) {
      throw ProtocolError(where + "field '" + f.name + "' must be " + kind_name(f.kind));
    }
  }
  if (*type == MessageType::kHello) {
    // Read whole: a version such as 4294967298 must not wrap to a supported one.
    const nlohmann::json& version = message.body["protocol"];
    if (version.is_number_unsigned() &&
        version.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      throw ProtocolError(where + "protocol version " + version.dump() + " is out of range");
    }
    const auto caps = message.body.find("capabilities");
    if (caps != message.body.end() && caps->dump().size() > kMaxCapabilitiesBytes) {
      throw ProtocolError(where + "capabilities exceed " + std::to_string(kMaxCapabilitiesBytes) +
                          " bytes");
    }
    const std::string role = message.body["role"].get<std::string>();
    if (role == "runner") {
      for (const char* f : {"runner_id", "device", "backend"}) {
        auto it = message.body.find(f);
        if (it == message.body.end() || !it->is_string() || it->get<std::string>().empty()) {
          throw ProtocolError(where + "a runner must give a non-empty string '" + f + "'");
        }
      }
    } else if (role != "client") {
      throw ProtocolError(where + "unknown role '" + excerpt(role) + "'");
    }
  }
  if (*type == MessageType::kResult) {
    const auto status = job_status_from_string(message.body["status"].get<std::string>());
    if (!status || *status == JobStatus::kUnanswered) {
      throw ProtocolError(where + "unknown status '" +
                          excerpt(message.body["status"].get<std::string>()) + "'");
    }
    auto ready = message.body.find("ready");
    if (ready != message.body.end() && !ready->is_boolean()) {
      throw ProtocolError(where + "field 'ready' must be true or false");
    }
  }
  return message;
}

bool Hello::accepts(std::string_view kind) const {
  const auto it = capabilities.find("accepts");
  if (it == capabilities.end() || !it->is_array()) return false;
  for (const auto& a : *it) {
    if (a.is_string() && a.get_ref<const std::string&>() == kind) return true;
  }
  return false;
}

Message Hello::encode() const {
  nlohmann::json body = {{"protocol", protocol},
                         {"role", role == Role::kRunner ? "runner" : "client"}};
  if (role == Role::kRunner) {
    body["runner_id"] = runner_id;
    body["device"] = device;
    body["backend"] = backend;
    body["meter"] = meter;
    body["capabilities"] = capabilities;
  }
  return {MessageType::kHello, std::move(body)};
}

Hello Hello::decode(const Message& message) {
  const nlohmann::json& b = message.body;
  Hello h;
  h.protocol = b.at("protocol").get<std::int64_t>();
  h.role = b.at("role") == "runner" ? Role::kRunner : Role::kClient;
  if (h.role == Role::kRunner) {
    h.runner_id = b.at("runner_id").get<std::string>();
    h.device = b.at("device").get<std::string>();
    h.backend = b.at("backend").get<std::string>();
    const auto meter = b.find("meter");
    if (meter != b.end() && meter->is_string()) h.meter = meter->get<std::string>();
    const auto caps = b.find("capabilities");
    if (caps != b.end() && caps->is_object()) h.capabilities = *caps;
  }
  return h;
}

Message Bye::encode() const { return {MessageType::kBye, {{"reason", reason}}}; }

Bye Bye::decode(const Message& message) {
  const auto it = message.body.find("reason");
  return Bye{it != message.body.end() && it->is_string() ? it->get<std::string>()
                                                          : std::string("no reason")};
}

Message Submit::encode() const { return {MessageType::kSubmit, {{"device", device}, {"job", job}}}; }

Submit Submit::decode(const Message& message) {
  return Submit{message.body.at("device").get<std::string>(), message.body.at("job")};
}

}  // namespace nas::wire
