// The RESULT body: the runner's typed facts cross the wire as fields of their
// own, next to the backend's free-form environment.
#include <doctest/doctest.h>

#include "device_runners/wire/job.h"

namespace nas {
namespace {

// A job "j" with the fields every job needs.
JobSpec a_job(const std::string& space, nlohmann::json arch, std::vector<std::int64_t> input_shape) {
  JobSpec spec;
  spec.job_id = "j";
  spec.space = space;
  spec.arch = std::move(arch);
  spec.input_shape = std::move(input_shape);
  return spec;
}

TEST_CASE("a result's runner id and idle time round-trip as typed fields") {
  JobResult r;
  r.job_id = "j1";
  r.status = wire::JobStatus::kOk;
  r.latency = summarize_latency({2.0, 1.0, 3.0}, 1);
  r.runner_id = "pi-1";
  r.runner_idle_ms = 4.5;
  r.environment = {{"threads", 2}};
  const nlohmann::json body = wire::decode(wire::encode({wire::MessageType::kResult, r.to_json()})).body;
  const JobResult back = JobResult::from_json(body);
  CHECK(back.runner_id == "pi-1");
  REQUIRE(back.runner_idle_ms.has_value());
  CHECK(*back.runner_idle_ms == 4.5);
  CHECK(back.environment == nlohmann::json{{"threads", 2}});
  CHECK(back.latency->median_ms == 2.0);

  JobResult first;  // a runner's first job: no idle time before it
  first.job_id = "j0";
  first.status = wire::JobStatus::kError;
  CHECK_FALSE(JobResult::from_json(first.to_json()).runner_idle_ms.has_value());
  CHECK_THROWS_AS(JobResult::from_json({{"job_id", "j"}, {"status", "error"}, {"runner_idle_ms", "x"}}),
                  wire::ProtocolError);
}

TEST_CASE("energy becomes the millijoules metrics and the store use") {
  EnergyStats e;
  e.joules_per_inference = 0.0125;
  CHECK(e.millijoules_per_inference() == doctest::Approx(12.5));
  const LatencyStats l = summarize_latency({1.0}, 1);
  const MeasurementRecord m = MeasurementRecord::of(l, &e, "pi", MeasureProtocol{});
  REQUIRE(m.energy_mj.has_value());
  CHECK(*m.energy_mj == doctest::Approx(12.5));
  CHECK(m.protocol == MeasureProtocol{}.key());
  CHECK_FALSE(MeasurementRecord::of(l, nullptr, "pi", MeasureProtocol{}).energy_mj.has_value());
}

TEST_CASE("a job's precision crosses the wire; fp32 is the field's absence; an unknown one is refused") {
  JobSpec spec = a_job("mbv3", {{"resolution", "28"}}, {1, 1, 28, 28});
  CHECK_FALSE(spec.to_json().contains("precision"));
  CHECK(JobSpec::from_json(spec.to_json()).precision == Precision::kFp32);
  spec.precision = Precision::kInt8;
  const nlohmann::json body =
      wire::decode(wire::encode({wire::MessageType::kJob, spec.to_json()})).body;
  CHECK(body["precision"] == "int8");
  CHECK(JobSpec::from_json(body).precision == Precision::kInt8);
  nlohmann::json bad = body;
  bad["precision"] = "int4";
  CHECK_THROWS_WITH_AS(JobSpec::from_json(bad), "job: unknown precision 'int4' (fp32, fp16 or int8)",
                       wire::ProtocolError);
  bad["precision"] = 8;
  CHECK_THROWS_WITH_AS(JobSpec::from_json(bad), doctest::Contains("'precision'"), wire::ProtocolError);
}

TEST_CASE("an int8 job's calibration images cross the wire value for value, and only in the input's shape") {
  JobSpec spec = a_job("mbv3", {{"resolution", "2"}}, {1, 1, 2, 3});
  spec.precision = Precision::kInt8;
  spec.onnx = "fp32 file bytes";
  spec.calibration = ImageBatch{{0.5f, -1.25f, 3e-8f, 7.0f, -0.0f, 1e30f, 2.0f, 4.0f, 8.0f, 16.0f, 32.0f, 64.0f},
                                {2, 1, 2, 3}};
  const nlohmann::json body =
      wire::decode(wire::encode({wire::MessageType::kJob, spec.to_json()})).body;
  const JobSpec back = JobSpec::from_json(body);
  REQUIRE(back.calibration);
  CHECK(back.calibration->shape == spec.calibration->shape);
  CHECK(back.calibration->pixels == spec.calibration->pixels);
  CHECK_FALSE(JobSpec::from_json(a_job("mbv3", {{"resolution", "2"}}, {1, 1, 2, 3}).to_json()).calibration);

  nlohmann::json other_image = body;
  other_image["calibration"]["shape"] = {3, 1, 2, 2};
  CHECK_THROWS_WITH_AS(JobSpec::from_json(other_image),
                       "job: field 'calibration': shape must be (images, then input_shape's channels, "
                       "height, width)",
                       wire::ProtocolError);
  nlohmann::json short_pixels = body;
  short_pixels["calibration"]["shape"] = {3, 1, 2, 3};  // 18 values, 12 sent
  CHECK_THROWS_WITH_AS(JobSpec::from_json(short_pixels),
                       "job: field 'calibration': pixels must be base64 of 18 float32 values",
                       wire::ProtocolError);
  nlohmann::json fp32 = body;
  fp32.erase("precision");
  CHECK_THROWS_WITH_AS(JobSpec::from_json(fp32), doctest::Contains("only with an int8 job's ONNX file"),
                       wire::ProtocolError);
  nlohmann::json no_file = body;
  no_file.erase("onnx");
  CHECK_THROWS_WITH_AS(JobSpec::from_json(no_file), doctest::Contains("only with an int8 job's ONNX file"),
                       wire::ProtocolError);
}

TEST_CASE("a job's fields of the wrong JSON type are ProtocolErrors naming the field, never nlohmann's") {
  const JobSpec spec = a_job("nb201", {{"edge_1_0", "none"}}, {1, 3, 32, 32});
  const nlohmann::json good = spec.to_json();
  CHECK(JobSpec::from_json(good).job_id == "j");
  for (const auto& [field, value] : std::vector<std::pair<std::string, nlohmann::json>>{
           {"job_id", 7}, {"kind", 7}, {"space", nlohmann::json::array()},
           {"space_options", "x"}, {"deadline_seconds", "soon"}, {"input_shape", "1x3"}}) {
    nlohmann::json bad = good;
    bad[field] = value;
    CHECK_THROWS_WITH_AS(JobSpec::from_json(bad), doctest::Contains(doctest::String(("'" + field + "'").c_str())),
                         wire::ProtocolError);
  }
  nlohmann::json nothing = good;
  nothing.erase("arch");
  CHECK_THROWS_WITH_AS(JobSpec::from_json(nothing), "job: needs an 'arch' or an 'onnx' file",
                       wire::ProtocolError);
  for (double deadline : {1e300, 0.0, -1.0, kMaxDeadlineSeconds * 2}) {
    nlohmann::json bad = good;
    bad["deadline_seconds"] = deadline;
    CHECK_THROWS_WITH_AS(JobSpec::from_json(bad), doctest::Contains("deadline_seconds must be in"),
                         wire::ProtocolError);
  }
  CHECK_THROWS_AS(JobResult::from_json({{"job_id", "j"}, {"status", "error"}, {"message", 3}}),
                  wire::ProtocolError);
}

}  // namespace
}  // namespace nas
