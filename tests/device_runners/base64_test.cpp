// Base64, and a JOB that carries an ONNX file across the wire's JSON body.
#include "device_runners/wire/base64.h"

#include <doctest/doctest.h>

#include "device_runners/wire/job.h"
#include "device_runners/wire/protocol.h"

namespace nas {
namespace {

TEST_CASE("base64 follows RFC 4648's test vectors both ways") {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    CHECK(base64_encode(plain) == encoded);
    CHECK(base64_decode(encoded) == plain);
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  CHECK(base64_decode(base64_encode(all + all + "x")) == all + all + "x");
}

TEST_CASE("base64 refuses text that is not padded base64") {
  for (const char* bad : {"Zg=", "Zm9", "Zm9v!A==", "Z===", "Zg==Zm8=", "Zm=v", "Zm 9v"}) {
    CAPTURE(bad);
    CHECK_FALSE(base64_decode(bad).has_value());
  }
}

TEST_CASE("a job's ONNX file crosses the wire byte for byte") {
  JobSpec job;
  job.job_id = "j1";
  job.input_shape = {1, 3, 32, 32};
  job.onnx = std::string("\x08\x07\x12\x03nas\0\xff\x80 end", 14);
  const std::vector<std::string> frames = wire::encode({wire::MessageType::kJob, job.to_json()});
  const JobSpec back = JobSpec::from_json(wire::decode(frames).body);
  CHECK(back.onnx == job.onnx);
  CHECK(back.arch.is_null());

  nlohmann::json body = job.to_json();
  body["onnx"] = "not base64!";
  CHECK_THROWS_WITH_AS(JobSpec::from_json(body),
                       "job: field 'onnx' must be a non-empty base64 string", wire::ProtocolError);
  body["onnx"] = 17;
  CHECK_THROWS_AS(JobSpec::from_json(body), wire::ProtocolError);
}

}  // namespace
}  // namespace nas
