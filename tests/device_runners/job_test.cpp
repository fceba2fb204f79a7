// The RESULT body: the runner's typed facts cross the wire as fields of their
// own, next to the backend's free-form environment.
#include <doctest/doctest.h>

#include "device_runners/wire/job.h"

namespace nas {
namespace {

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

}  // namespace
}  // namespace nas
