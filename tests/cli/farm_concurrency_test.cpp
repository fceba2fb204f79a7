// `nas run` at farm speed: a step's jobs go to every runner of a device key
// at once, several device keys in one run, and the store's rules hold when a
// runner or the run itself is killed with jobs in flight. Real processes on
// loopback: a `nas broker`, sleep-backend runners (the farm is under test,
// not a device) and the nas binary.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "sqlite_peek.h"
#include "tests/cli/tiny_mbv3_config.h"
#include "tests/support/farm_processes.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

using namespace std::chrono_literals;

// A `nas run` client beats every second: the broker and its runners too.
constexpr double kHeartbeat = 1.0;

std::unique_ptr<Process> runner(const TempDir& dir, const std::string& endpoint,
                                const std::string& id, double sleep_ms, const std::string& device) {
  return start_sleep_runner(dir, endpoint, id, sleep_ms, device, {}, kHeartbeat);
}

bool fashion_mnist_installed() {
  return std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
}

// A run on the tiny mbv3 space whose objectives are MACs and the latency of
// every key in `devices`, measured through the broker at `endpoint`.
std::string write_config(const TempDir& dir, const std::string& endpoint,
                         const std::vector<std::string>& devices, int budget,
                         double wait_seconds = 120) {
  nlohmann::json c = tiny_mbv3_config(dir.path());
  c["name"] = "farm-speed";
  c["store"] = (dir / "farm.db").string();
  c["farm"] = {{"connect", endpoint}, {"devices", devices}, {"deadline_seconds", 60},
               {"wait_seconds", wait_seconds}};
  c["objectives"] = {{{"metric", "macs"}, {"goal", "minimize"}}};
  for (const auto& d : devices) {
    c["objectives"].push_back({{"metric", d + "_ms"}, {"goal", "minimize"}});
  }
  c["search"] = {{"strategy", "random"}, {"budget", budget}};
  const auto path = dir / "farm.json";
  write_file(path, c.dump(2));
  return path.string();
}

FarmClientOptions observer_options(const std::string& endpoint) {
  FarmClientOptions o;
  o.connect = endpoint;
  return o;
}

// Waits until `done()` or 120 s pass; false on time-out.
template <typename Done>
bool wait_until(Done done) {
  const auto until = std::chrono::steady_clock::now() + 120s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

const char* kRepeatedMeasurements =
    "SELECT count(*) FROM (SELECT arch_id, device, protocol FROM measurements "
    "GROUP BY arch_id, device, protocol HAVING count(*) > 1)";

TEST_CASE("a run on two device keys finishes though one of three runners is killed mid-run, "
          "and measures every (architecture, device, protocol) once") {
  if (!fashion_mnist_installed()) {
    MESSAGE("skipped: Debian's dataset-fashion-mnist is not installed");
    return;
  }
  TempDir dir;
  BrokerProcess broker(dir, {}, kHeartbeat);
  auto a1 = runner(dir, broker.endpoint(), "a1", 300, "alpha");
  auto a2 = runner(dir, broker.endpoint(), "a2", 300, "alpha");
  auto b1 = runner(dir, broker.endpoint(), "b1", 300, "beta");
  FarmClient observer(observer_options(broker.endpoint()));
  wait_for_runners(observer, 3);

  const int budget = 12;
  const std::string db = (dir / "farm.db").string();
  Process run({nas_binary(), "run", write_config(dir, broker.endpoint(), {"alpha", "beta"}, budget),
               "-q"},
              dir.path());
  // a2 dies in the middle of a job, after some values are stored.
  REQUIRE(wait_until([&] {
    const auto busy = runners_in_state(observer, "busy");
    return !run.running() ||
           (query_int(db, "SELECT count(*) FROM measurements") >= 2 &&
            std::find(busy.begin(), busy.end(), "a2") != busy.end());
  }));
  REQUIRE(run.running());
  a2->kill_hard();
  const ProcessResult r = run.wait();
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);

  CHECK(query_int(db, "SELECT count(*) FROM measurements WHERE device = 'alpha'") == budget);
  CHECK(query_int(db, "SELECT count(*) FROM measurements WHERE device = 'beta'") == budget);
  CHECK(query_int(db, kRepeatedMeasurements) == 0);
  for (const char* metric : {"alpha_ms", "beta_ms"}) {
    CHECK(query_int(db, std::string("SELECT count(*) FROM evaluations WHERE metric = '") + metric +
                            "' AND source = 'measured' AND value > 0") == budget);
  }
  // The killed runner's job went to the other runner of its key.
  CHECK(query_int(db, "SELECT count(*) FROM measurements WHERE runner = 'a1'") >= 1);
  CHECK(query_column(db, "SELECT status FROM runs") == std::vector<std::string>{"finished"});
  // The report has a front per device key and the front across both.
  const ProcessResult report = run_process({nas_binary(), "report", db});
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);
  CHECK(report.out.find("### Pareto front on alpha") != std::string::npos);
  CHECK(report.out.find("### Pareto front on beta") != std::string::npos);
  CHECK(report.out.find("### The front across devices") != std::string::npos);
}

TEST_CASE("a run killed with 8 jobs in flight resumes without measuring anything twice and "
          "reuses every value stored before the kill") {
  if (!fashion_mnist_installed()) {
    MESSAGE("skipped: Debian's dataset-fashion-mnist is not installed");
    return;
  }
  TempDir dir;
  BrokerProcess broker(dir, {}, kHeartbeat);
  std::vector<std::unique_ptr<Process>> runners;
  for (int i = 0; i < 8; ++i) {
    runners.push_back(
        runner(dir, broker.endpoint(), "p" + std::to_string(i), 1000, "pk"));
  }
  FarmClient observer(observer_options(broker.endpoint()));
  wait_for_runners(observer, 8);

  const int budget = 24;  // three steps of 8: a step sized to the 8 boards
  const std::string db = (dir / "farm.db").string();
  const std::string config = write_config(dir, broker.endpoint(), {"pk"}, budget);
  Process run({nas_binary(), "run", config, "-q"}, dir.path());
  // Killed while the second step's 8 jobs run, the first step's stored.
  REQUIRE(wait_until([&] {
    return !run.running() || (query_int(db, "SELECT count(*) FROM measurements") >= 8 &&
                              runners_in_state(observer, "busy").size() >= 8);
  }));
  REQUIRE_MESSAGE(run.running(), run.stderr_text());
  run.kill_hard();
  const std::string stored_rows = "SELECT id || ':' || arch_id || ':' || median_ms "
                                  "FROM measurements ORDER BY id";
  const std::vector<std::string> before = query_column(db, stored_rows);
  REQUIRE(before.size() >= 8);
  REQUIRE(before.size() < static_cast<std::size_t>(budget));

  const ProcessResult resumed = run_process({nas_binary(), "run", config, "-q", "--resume"});
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err);
  CHECK(query_int(db, kRepeatedMeasurements) == 0);
  CHECK(query_int(db, "SELECT count(*) FROM measurements") == budget);
  CHECK(query_int(db, "SELECT count(*) FROM evaluations WHERE metric = 'pk_ms'") == budget);
  // What was stored before the kill is there unchanged, and the resumed
  // session measured only the rest.
  const std::vector<std::string> after = query_column(db, stored_rows);
  for (const std::string& row : before) {
    CHECK(std::find(after.begin(), after.end(), row) != after.end());
  }
  CHECK(query_int(db, "SELECT count(*) FROM measurements WHERE session_id = 2") ==
        budget - static_cast<std::int64_t>(before.size()));
  CHECK(query_column(db, "SELECT status FROM runs") == std::vector<std::string>{"finished"});
}

TEST_CASE("a device key no runner serves: the progress line names it, and wait_seconds ends "
          "the run with an error that says so") {
  if (!fashion_mnist_installed()) {
    MESSAGE("skipped: Debian's dataset-fashion-mnist is not installed");
    return;
  }
  TempDir dir;
  BrokerProcess broker(dir, {}, kHeartbeat);
  auto served = runner(dir, broker.endpoint(), "s1", 50, "served");
  FarmClient observer(observer_options(broker.endpoint()));
  wait_for_runners(observer, 1);
  const auto r = run_process(
      {nas_binary(), "run", write_config(dir, broker.endpoint(), {"served", "orphan"}, 4, 5),
       "-q"});
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("waiting for a runner with device key 'orphan'") != std::string::npos,
                r.err);
  CHECK(r.err.find("is a runner for device 'orphan' connected?") != std::string::npos);
}

// The "host work" debug lines of a run's log: (what, start, end) in Unix seconds.
std::vector<std::pair<double, double>> host_work(const std::string& log, int& scorings) {
  std::vector<std::pair<double, double>> out;
  const std::regex line("host work: (\\S+) from ([0-9.]+) to ([0-9.]+)");
  for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator();
       ++it) {
    if ((*it)[1] == "val_acc") ++scorings;
    out.emplace_back(std::stod((*it)[2]), std::stod((*it)[3]));
  }
  return out;
}

TEST_CASE("with the local CPU runner, no latency measurement overlaps training or scoring") {
  if (!fashion_mnist_installed()) {
    MESSAGE("skipped: Debian's dataset-fashion-mnist is not installed");
    return;
  }
  TempDir dir;
  nlohmann::json c = tiny_mbv3_config(dir.path());
  c["name"] = "quiet-cpu";
  c["store"] = (dir / "quiet.db").string();
  c["farm"] = {{"deadline_seconds", 60}, {"wait_seconds", 120}};  // embedded broker, local runner
  c["objectives"] = {{{"metric", "val_acc"}, {"goal", "maximize"}},
                     {{"metric", "cpu_ms"}, {"goal", "minimize"}}};
  c["search"] = {{"strategy", "random"}, {"budget", 6}, {"batch", 3}};
  write_file(dir / "quiet.json", c.dump(2));
  const auto r = run_process({nas_binary(), "-v", "run", (dir / "quiet.json").string(), "-q"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string db = (dir / "quiet.db").string();

  int scorings = 0;
  const auto busy = host_work(r.err, scorings);
  CHECK(scorings >= 6);
  CHECK(r.err.find("host work: training") != std::string::npos);
  const auto measured = query_column(db, "SELECT environment_json FROM measurements");
  REQUIRE(measured.size() == 6);
  for (const std::string& text : measured) {
    const auto env = nlohmann::json::parse(text);
    const double start = env.at("started_at"), end = env.at("finished_at");
    for (const auto& [from, to] : busy) {
      CHECK_MESSAGE((end <= from || start >= to),
                    "a measurement from " << start << " to " << end << " overlaps host work from "
                                          << from << " to " << to);
    }
  }
}

}  // namespace
}  // namespace nas::test
