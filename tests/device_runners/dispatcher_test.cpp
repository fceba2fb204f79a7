// The broker's queue driven directly: no sockets, no processes, and time
// passed in, so each claim about liveness, retries and deadlines is checked
// at the exact instant it is about.
#include "device_runners/broker/dispatcher.h"

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "device_runners/wire/job.h"
#include "tests/support/nb201_job.h"

namespace nas {
namespace {

using namespace std::chrono_literals;
using wire::Message;
using wire::MessageType;

// A dispatcher whose sends land in `sent`, in order.
struct Farm {
  struct Sent {
    std::string peer;
    Message message;
  };
  std::vector<Sent> sent;
  Dispatcher::Clock::time_point t0 = Dispatcher::Clock::now();
  Dispatcher dispatcher;

  explicit Farm(DispatchOptions options = {})
      : dispatcher(options, [this](const std::string& peer, const Message& m) {
          sent.push_back({peer, m});
          return true;
        }) {}

  // Every message passes the wire's gate, as it would off a socket.
  void from(const std::string& peer, const Message& m, std::chrono::milliseconds at) {
    dispatcher.handle(peer, wire::decode(wire::encode(m)), t0 + at);
  }
  void runner_joins(const std::string& id, std::chrono::milliseconds at,
                    const std::string& device = "pi",
                    const nlohmann::json& capabilities = {{"accepts", {"arch"}}}) {
    wire::Hello hello;
    hello.role = wire::Hello::Role::kRunner;
    hello.runner_id = id;
    hello.device = device;
    hello.backend = "sleep";
    hello.capabilities = capabilities;
    from(id, hello.encode(), at);
    from(id, {MessageType::kReady, nlohmann::json::object()}, at);
  }
  void client_joins(const std::string& id, std::chrono::milliseconds at) {
    from(id, wire::Hello{}.encode(), at);
  }
  void submit(const std::string& client, const std::string& job_id, std::chrono::milliseconds at,
              double deadline_seconds = 30, const std::string& device = "pi") {
    const JobSpec spec = test::nb201_job(job_id, deadline_seconds);
    from(client, wire::Submit{device, spec.to_json()}.encode(), at);
  }
  void result(const std::string& runner, const std::string& job_id, std::chrono::milliseconds at) {
    JobResult r;
    r.job_id = job_id;
    r.status = wire::JobStatus::kOk;
    r.latency = summarize_latency({1.0, 2.0}, 1);
    nlohmann::json body = r.to_json();
    body["ready"] = true;
    from(runner, {MessageType::kResult, body}, at);
  }
  void heartbeat(const std::string& peer, std::chrono::milliseconds at) {
    from(peer, {MessageType::kHeartbeat, nlohmann::json::object()}, at);
  }
  void tick(std::chrono::milliseconds at) { dispatcher.tick(t0 + at); }

  // The job ids sent to `peer` as JOBs, in order.
  std::vector<std::string> jobs_sent_to(const std::string& peer) const {
    std::vector<std::string> ids;
    for (const auto& s : sent) {
      if (s.peer == peer && s.message.type == MessageType::kJob) ids.push_back(s.message.body["job_id"]);
    }
    return ids;
  }
  // The RESULTs sent to `peer`, as job id and status.
  std::vector<std::pair<std::string, std::string>> results_sent_to(const std::string& peer) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& s : sent) {
      if (s.peer == peer && s.message.type == MessageType::kResult) {
        out.emplace_back(s.message.body["job_id"], s.message.body["status"]);
      }
    }
    return out;
  }
  std::string message_of_result(const std::string& peer, const std::string& job_id) const {
    for (const auto& s : sent) {
      if (s.peer == peer && s.message.type == MessageType::kResult &&
          s.message.body["job_id"] == job_id) {
        return s.message.body.value("message", std::string());
      }
    }
    return "";
  }
};

TEST_CASE("a step's jobs for a key go to every free runner with that key at once, and to no "
          "runner of another key") {
  Farm f;
  for (const char* id : {"p1", "p2", "p3"}) f.runner_joins(id, 0ms);
  f.runner_joins("c1", 0ms, "coral");
  f.client_joins("search", 0ms);
  for (const char* job : {"j1", "j2", "j3", "j4"}) f.submit("search", job, 1ms);
  // Three boards, three jobs running; the fourth waits for the first free one.
  CHECK(f.jobs_sent_to("p1").size() + f.jobs_sent_to("p2").size() + f.jobs_sent_to("p3").size() == 3);
  CHECK(f.jobs_sent_to("c1").empty());
  CHECK(f.dispatcher.queued() == 1);
  f.result("p2", f.jobs_sent_to("p2").at(0), 200ms);
  CHECK(f.jobs_sent_to("p2").size() == 2);
  CHECK(f.dispatcher.queued() == 0);
}

TEST_CASE("a job goes to a runner of its key that runs its precision and takes its int8 file; "
          "when none that is here does, it is answered unsupported at once, naming the device") {
  Farm f;
  const auto onnx_runner = [](nlohmann::json precisions, const char* int8_input) {
    nlohmann::json caps = {{"accepts", {"onnx"}}, {"precisions", std::move(precisions)}};
    if (int8_input) caps["int8_input"] = int8_input;
    return caps;
  };
  f.runner_joins("trt-fp16", 0ms, "jetson", onnx_runner({"fp16"}, nullptr));
  f.runner_joins("trt-int8", 0ms, "jetson", onnx_runner({"int8"}, "qdq"));
  f.runner_joins("tpu", 0ms, "coral", onnx_runner({"int8"}, "fp32"));
  f.client_joins("search", 0ms);
  const auto submit = [&](const std::string& id, const std::string& device, Precision precision,
                          bool calibration) {
    JobSpec spec = test::nb201_job(id, 30);
    spec.onnx = "ONNX";
    spec.precision = precision;
    if (calibration) {
      std::vector<std::int64_t> shape = spec.input_shape;
      shape[0] = 2;
      spec.calibration = ImageBatch{std::vector<float>(2 * 3 * 32 * 32, 0.5f), shape};
    }
    f.from("search", wire::Submit{device, spec.to_json()}.encode(), 1ms);
  };
  REQUIRE(test::nb201_job("x", 30).input_shape == std::vector<std::int64_t>{1, 3, 32, 32});
  submit("fp16", "jetson", Precision::kFp16, false);
  submit("qdq", "jetson", Precision::kInt8, false);
  submit("on-board", "coral", Precision::kInt8, true);
  CHECK(f.jobs_sent_to("trt-fp16") == std::vector<std::string>{"fp16"});
  CHECK(f.jobs_sent_to("trt-int8") == std::vector<std::string>{"qdq"});
  CHECK(f.jobs_sent_to("tpu") == std::vector<std::string>{"on-board"});

  submit("fp32", "jetson", Precision::kFp32, false);
  submit("coral-qdq", "coral", Precision::kInt8, false);
  CHECK(f.results_sent_to("search") ==
        std::vector<std::pair<std::string, std::string>>{{"fp32", "unsupported"}, {"coral-qdq", "unsupported"}});
  CHECK(f.message_of_result("search", "fp32") ==
        "no runner of device 'jetson' runs fp32 jobs; its runners run [\"fp16\"], "
        "[\"int8\"] (int8 from \"qdq\")");
  CHECK(f.message_of_result("search", "coral-qdq") ==
        "no runner of device 'coral' runs int8 jobs from a QDQ file; its runners run [\"int8\"] "
        "(int8 from \"fp32\")");
  CHECK(f.dispatcher.queued() == 0);
  // A device none of whose runners is here yet: the job waits for one.
  submit("later", "ncs2", Precision::kInt8, false);
  CHECK(f.dispatcher.queued() == 1);
}

TEST_CASE("the listing sums up each device key: runners busy and idle, jobs queued and running, "
          "jobs done") {
  Farm f;
  f.runner_joins("p1", 0ms);
  f.runner_joins("p2", 0ms);
  f.runner_joins("c1", 0ms, "coral");
  f.client_joins("search", 0ms);
  f.submit("search", "j1", 1ms);
  f.submit("search", "j2", 1ms);
  f.submit("search", "j3", 1ms);
  f.submit("search", "n1", 1ms, 30, "ncs2");  // no runner serves this key
  f.result("p1", f.jobs_sent_to("p1").at(0), 100ms);
  const nlohmann::json listing = f.dispatcher.listing(f.t0 + 100ms);
  std::map<std::string, nlohmann::json> devices;
  for (const auto& d : listing["devices"]) devices[d["device"]] = d;
  REQUIRE(devices.size() == 3);
  CHECK(devices["pi"]["runners"] == 2);
  CHECK(devices["pi"]["busy"] == 2);  // j3 went to p1 as soon as it was free
  CHECK(devices["pi"]["idle"] == 0);
  CHECK(devices["pi"]["running"] == 2);
  CHECK(devices["pi"]["queued"] == 0);
  CHECK(devices["pi"]["jobs_done"] == 1);
  CHECK(devices["coral"]["idle"] == 1);
  CHECK(devices["ncs2"]["runners"] == 0);
  CHECK(devices["ncs2"]["queued"] == 1);
}

TEST_CASE("a runner that dies in the middle of a job: the job goes back to the front of the queue") {
  Farm farm;  // heartbeat 1 s, liveness 3
  farm.runner_joins("r1", 0ms);
  farm.client_joins("c", 0ms);
  farm.submit("c", "j1", 0ms);
  farm.submit("c", "j2", 0ms);
  CHECK(farm.jobs_sent_to("r1") == std::vector<std::string>{"j1"});
  CHECK(farm.dispatcher.queued() == 1);

  // r1 falls silent; the client keeps beating.
  farm.heartbeat("c", 2500ms);
  farm.tick(2900ms);
  CHECK(farm.dispatcher.stats().runners_lost == 0);  // not yet three intervals
  farm.tick(3100ms);
  CHECK(farm.dispatcher.stats().runners_lost == 1);
  CHECK(farm.dispatcher.stats().jobs_requeued == 1);
  CHECK(farm.dispatcher.queued() == 2);
  CHECK(farm.results_sent_to("c").empty());  // the client is told nothing yet

  // The next runner gets the job that waited longest: j1 before j2.
  farm.runner_joins("r2", 3200ms);
  CHECK(farm.jobs_sent_to("r2") == std::vector<std::string>{"j1"});
  farm.result("r2", "j1", 3300ms);
  CHECK(farm.jobs_sent_to("r2") == std::vector<std::string>{"j1", "j2"});
  farm.result("r2", "j2", 3400ms);
  using R = std::vector<std::pair<std::string, std::string>>;
  CHECK(farm.results_sent_to("c") == R{{"j1", "ok"}, {"j2", "ok"}});
  CHECK(farm.dispatcher.queued() == 0);
  CHECK(farm.dispatcher.running() == 0);
}

TEST_CASE("a job whose runners keep dying comes back as an error after the retry cap") {
  DispatchOptions options;
  options.max_retries = 2;
  Farm farm(options);
  farm.client_joins("c", 0ms);
  farm.submit("c", "j1", 0ms);
  auto at = 0ms;
  for (const char* runner : {"r1", "r2", "r3"}) {
    farm.runner_joins(runner, at += 10ms);
    CHECK(farm.jobs_sent_to(runner) == std::vector<std::string>{"j1"});
    CHECK(farm.results_sent_to("c").empty());
    farm.from(runner, wire::Bye{"crashed"}.encode(), at += 10ms);
  }
  // Two requeues were allowed; the third loss ends the job.
  CHECK(farm.dispatcher.stats().jobs_requeued == 2);
  using R = std::vector<std::pair<std::string, std::string>>;
  CHECK(farm.results_sent_to("c") == R{{"j1", "error"}});
  CHECK(farm.message_of_result("c", "j1").find("gave up after 3 lost runners") != std::string::npos);
  CHECK(farm.dispatcher.queued() == 0);
  CHECK(farm.dispatcher.running() == 0);
  farm.runner_joins("r4", at += 10ms);
  CHECK(farm.jobs_sent_to("r4").empty());
}

TEST_CASE("a job past its deadline is answered timeout, and its runner's late result is dropped") {
  DispatchOptions options;
  options.heartbeat_seconds = 10;  // no one is lost to silence here
  options.deadline_grace_seconds = 2;
  Farm farm(options);
  farm.runner_joins("r1", 0ms);
  farm.client_joins("c", 0ms);
  farm.submit("c", "slow", 0ms, /*deadline_seconds=*/1);
  farm.tick(2900ms);
  CHECK(farm.results_sent_to("c").empty());  // deadline plus grace is 3 s
  farm.tick(3100ms);
  using R = std::vector<std::pair<std::string, std::string>>;
  CHECK(farm.results_sent_to("c") == R{{"slow", "timeout"}});
  CHECK(farm.dispatcher.stats().timeouts == 1);

  // The runner still hangs: a new job waits until it says it is free.
  farm.submit("c", "next", 3200ms);
  CHECK(farm.jobs_sent_to("r1") == std::vector<std::string>{"slow"});
  farm.result("r1", "slow", 4000ms);  // late: not passed on again
  CHECK(farm.results_sent_to("c") == R{{"slow", "timeout"}});
  CHECK(farm.jobs_sent_to("r1") == std::vector<std::string>{"slow", "next"});
}

TEST_CASE("a client that leaves takes its queued jobs with it") {
  Farm farm;
  farm.runner_joins("r1", 0ms);
  farm.client_joins("gone", 0ms);
  farm.client_joins("stays", 0ms);
  farm.submit("gone", "a", 0ms);
  farm.submit("gone", "b", 0ms);
  farm.submit("gone", "c", 0ms);
  CHECK(farm.jobs_sent_to("r1") == std::vector<std::string>{"a"});
  CHECK(farm.dispatcher.queued() == 2);
  farm.from("gone", wire::Bye{"client done"}.encode(), 100ms);
  CHECK(farm.dispatcher.queued() == 0);
  CHECK(farm.dispatcher.running() == 0);

  // The job it left running finishes, and its result goes nowhere; the
  // runner takes the other client's job next, not b or c.
  farm.submit("stays", "x", 200ms);
  farm.result("r1", "a", 300ms);
  CHECK(farm.results_sent_to("gone").empty());
  CHECK(farm.jobs_sent_to("r1") == std::vector<std::string>{"a", "x"});
}

TEST_CASE("a peer that speaks before HELLO is asked to introduce itself") {
  Farm farm;
  farm.heartbeat("stranger", 0ms);
  REQUIRE(farm.sent.size() == 1);
  CHECK(farm.sent[0].peer == "stranger");
  CHECK(farm.sent[0].message.type == MessageType::kBye);
  CHECK(wire::Bye::decode(farm.sent[0].message).reason == "unknown peer: send HELLO first");
}

}  // namespace
}  // namespace nas
