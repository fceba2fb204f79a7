#include "device_runners/wire/job.h"

#include <algorithm>
#include <cstring>

#include "core/json_parse.h"
#include "device_runners/wire/base64.h"

namespace nas {
namespace {

template <typename T>
T take(const nlohmann::json& j, const char* name, const char* what) {
  auto it = j.find(name);
  if (it == j.end()) throw wire::ProtocolError(std::string(what) + ": missing field '" + name + "'");
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw wire::ProtocolError(std::string(what) + ": field '" + name + "' has the wrong type");
  }
}

// Like take(), with `fallback` when the field is absent.
template <typename T>
T take_or(const nlohmann::json& j, const char* name, const char* what, T fallback) {
  return j.contains(name) ? take<T>(j, name, what) : std::move(fallback);
}

// Calibration pixels travel as their float32 bytes, which both ends read in
// their own byte order: little-endian on every board the runner builds for.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the wire's float32 bytes are little-endian");

nlohmann::json calibration_to_json(const ImageBatch& images) {
  const std::string_view bytes(reinterpret_cast<const char*>(images.pixels.data()),
                               images.pixels.size() * sizeof(float));
  return {{"shape", images.shape}, {"pixels", base64_encode(bytes)}};
}

ImageBatch calibration_from_json(const nlohmann::json& j, const std::vector<std::int64_t>& input_shape) {
  const char* what = "job: field 'calibration'";
  if (!j.is_object()) throw wire::ProtocolError(std::string(what) + " must be an object");
  ImageBatch images;
  images.shape = take<std::vector<std::int64_t>>(j, "shape", what);
  const bool same_image = images.shape.size() == 4 && input_shape.size() == 4 &&
                          std::equal(images.shape.begin() + 1, images.shape.end(),
                                     input_shape.begin() + 1);
  if (!same_image || images.shape[0] <= 0 || images.shape[0] > (1 << 20)) {
    throw wire::ProtocolError(std::string(what) +
                              ": shape must be (images, then input_shape's channels, height, width)");
  }
  const auto pixels = j.find("pixels");
  std::optional<std::string> bytes;
  if (pixels != j.end() && pixels->is_string()) {
    bytes = base64_decode(pixels->get_ref<const std::string&>());
  }
  std::size_t count = 1;
  for (const std::int64_t d : images.shape) count *= static_cast<std::size_t>(d);
  if (!bytes || bytes->size() != count * sizeof(float)) {
    throw wire::ProtocolError(std::string(what) + ": pixels must be base64 of " +
                              std::to_string(count) + " float32 values");
  }
  images.pixels.resize(count);
  std::memcpy(images.pixels.data(), bytes->data(), bytes->size());
  return images;
}

}  // namespace

nlohmann::json JobSpec::to_json() const {
  nlohmann::json j = {{"job_id", job_id},
                      {"kind", kind},
                      {"space", space},
                      {"arch", arch},
                      {"space_options", space_options},
                      {"input_shape", input_shape},
                      {"protocol", protocol.to_json()},
                      {"deadline_seconds", deadline_seconds}};
  if (!onnx.empty()) j["onnx"] = base64_encode(onnx);
  if (precision != Precision::kFp32) j["precision"] = to_string(precision);
  if (calibration) j["calibration"] = calibration_to_json(*calibration);
  return j;
}

JobSpec JobSpec::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw wire::ProtocolError("job: expected a JSON object");
  JobSpec s;
  s.job_id = take<std::string>(j, "job_id", "job");
  s.kind = take_or<std::string>(j, "kind", "job", kJobNetwork);
  if (s.kind != kJobNetwork && s.kind != kJobMbv3Block) {
    throw wire::ProtocolError("job: unknown kind '" + printable_excerpt(s.kind) + "'");
  }
  s.space = take_or<std::string>(j, "space", "job", "");
  s.arch = take_or<nlohmann::json>(j, "arch", "job", nullptr);
  s.space_options = take_or<nlohmann::json>(j, "space_options", "job", nlohmann::json::object());
  if (!s.space_options.is_object()) {
    throw wire::ProtocolError("job: field 'space_options' has the wrong type");
  }
  s.input_shape = take<std::vector<std::int64_t>>(j, "input_shape", "job");
  for (std::int64_t d : s.input_shape) {
    if (d <= 0 || d > (1 << 20)) throw wire::ProtocolError("job: input_shape has a bad dimension");
  }
  try {
    s.protocol = MeasureProtocol::from_json(take<nlohmann::json>(j, "protocol", "job"));
  } catch (const wire::ProtocolError&) {
    throw;
  } catch (const Error& e) {
    throw wire::ProtocolError(std::string("job: ") + e.what());
  }
  s.deadline_seconds = take<double>(j, "deadline_seconds", "job");
  // Bounded, so that dispatch time plus the deadline fits a clock's range.
  if (!(s.deadline_seconds > 0 && s.deadline_seconds <= kMaxDeadlineSeconds)) {
    throw wire::ProtocolError("job: deadline_seconds must be in (0, " +
                              std::to_string(static_cast<int>(kMaxDeadlineSeconds)) + "]");
  }
  const std::string precision = take_or<std::string>(j, "precision", "job", "fp32");
  const std::optional<Precision> p = precision_from_string(precision);
  if (!p) {
    throw wire::ProtocolError("job: unknown precision '" + printable_excerpt(precision) +
                              "' (fp32, fp16 or int8)");
  }
  s.precision = *p;
  if (auto it = j.find("onnx"); it != j.end()) {
    std::optional<std::string> bytes;
    if (it->is_string()) bytes = base64_decode(it->get_ref<const std::string&>());
    if (!bytes || bytes->empty()) {
      throw wire::ProtocolError("job: field 'onnx' must be a non-empty base64 string");
    }
    s.onnx = std::move(*bytes);
  }
  // Nothing could be dispatched: a runner builds an arch or runs an ONNX file.
  if (s.arch.is_null() && s.onnx.empty()) {
    throw wire::ProtocolError("job: needs an 'arch' or an 'onnx' file");
  }
  if (auto it = j.find("calibration"); it != j.end()) {
    if (s.precision != Precision::kInt8 || s.onnx.empty()) {
      throw wire::ProtocolError(
          "job: calibration images come only with an int8 job's ONNX file, to quantize on the board");
    }
    s.calibration = calibration_from_json(*it, s.input_shape);
  }
  return s;
}

nlohmann::json JobResult::to_json() const {
  nlohmann::json j = {{"job_id", job_id},
                      {"status", wire::to_string(status)},
                      {"message", message},
                      {"environment", environment}};
  if (latency) j["latency"] = latency->to_json();
  if (energy) j["energy"] = energy->to_json();
  if (!runner_id.empty()) j["runner_id"] = runner_id;
  if (runner_idle_ms) j["runner_idle_ms"] = *runner_idle_ms;
  return j;
}

JobResult JobResult::from_json(const nlohmann::json& j) {
  JobResult r;
  r.job_id = take<std::string>(j, "job_id", "result");
  const auto status = wire::job_status_from_string(take<std::string>(j, "status", "result"));
  if (!status) throw wire::ProtocolError("result: unknown status");
  r.status = *status;
  r.message = take_or<std::string>(j, "message", "result", "");
  r.environment = take_or<nlohmann::json>(j, "environment", "result", nlohmann::json::object());
  if (j.contains("runner_id")) r.runner_id = take<std::string>(j, "runner_id", "result");
  if (j.contains("runner_idle_ms")) r.runner_idle_ms = take<double>(j, "runner_idle_ms", "result");
  try {
    if (j.contains("latency")) r.latency = LatencyStats::from_json(j["latency"]);
    if (j.contains("energy")) r.energy = EnergyStats::from_json(j["energy"]);
  } catch (const Error& e) {
    throw wire::ProtocolError(std::string("result: ") + e.what());
  }
  if (r.status == wire::JobStatus::kOk && !r.latency) {
    throw wire::ProtocolError("result: status ok without latency");
  }
  return r;
}

}  // namespace nas
