// The runner farm with real processes on loopback: a `nas broker`, `nas
// runner` daemons with the synthetic sleep backend (the farm's behaviour is
// under test here, not a device), and a FarmClient in this process.
#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <zmq.hpp>

#include "device_runners/wire/curve.h"
#include "device_runners/client/farm_client.h"
#include "tests/support/farm_processes.h"

namespace nas::test {
namespace {

using namespace std::chrono_literals;

TEST_CASE("a runner killed in the middle of a job: every job is measured exactly once") {
  TempDir dir;
  BrokerProcess broker(dir);
  std::vector<std::unique_ptr<Process>> runners;
  for (const char* id : {"r1", "r2", "r3"}) runners.push_back(start_runner(dir, broker.endpoint(), id, 400));
  FarmClient client(loopback_client_options(broker.endpoint()));
  wait_for_runners(client, 3);

  std::vector<FarmJob> jobs;
  for (int i = 0; i < 9; ++i) jobs.push_back({"pi", nb201_job("job-" + std::to_string(i))});
  std::thread killer([&] {
    // Every runner is 200 ms into its first 400 ms job: kill one of them.
    std::this_thread::sleep_for(200ms);
    runners[1]->kill_hard();
  });
  const auto results = client.run(jobs, 30);
  killer.join();

  REQUIRE(results.size() == jobs.size());
  std::map<std::string, int> measured_by_survivors;
  for (std::size_t i = 0; i < results.size(); ++i) {
    CHECK(results[i].job_id == jobs[i].spec.job_id);
    CHECK_MESSAGE(results[i].status == wire::JobStatus::kOk, results[i].message);
    const std::string runner = results[i].runner_id;
    CHECK((runner == "r1" || runner == "r3"));  // r2 died before finishing anything
    ++measured_by_survivors[results[i].job_id];
  }
  CHECK(measured_by_survivors.size() == jobs.size());
  const auto listing = client.list();
  // Each survivor's jobs_done counts exactly the results it measured.
  for (const auto& r : listing["runners"]) {
    const std::string id = r["runner_id"];
    const auto done = std::count_if(results.begin(), results.end(), [&](const JobResult& x) {
      return x.runner_id == id;
    });
    CHECK(r["jobs_done"] == done);
    CHECK(r["job"].is_null());
  }
  const auto stats = listing["stats"];
  CHECK(stats["results_returned"] == 9);  // one result per job, no repeats
  CHECK(stats["jobs_requeued"] == 1);     // the killed runner's job, once
  CHECK(stats["runners_lost"] == 1);
}

TEST_CASE("a batch larger than the client's window is submitted as results come back") {
  TempDir dir;
  BrokerProcess broker(dir);
  auto r1 = start_runner(dir, broker.endpoint(), "r1", 60);
  auto r2 = start_runner(dir, broker.endpoint(), "r2", 60);
  FarmClientOptions options = loopback_client_options(broker.endpoint());
  options.max_outstanding = 2;
  FarmClient client(options);
  wait_for_runners(client, 2);

  std::vector<FarmJob> jobs;
  for (int i = 0; i < 9; ++i) jobs.push_back({"pi", nb201_job("w-" + std::to_string(i))});
  // A second client watches the broker's queue while the batch runs.
  std::atomic<bool> done{false};
  std::int64_t most_waiting = 0, lists = 0;
  std::thread watcher([&] {
    FarmClient observer(loopback_client_options(broker.endpoint()));
    while (!done) {
      const auto listing = observer.list();
      most_waiting = std::max(most_waiting, listing["queued"].get<std::int64_t>() +
                                                listing["running"].get<std::int64_t>());
      ++lists;
      std::this_thread::sleep_for(5ms);
    }
  });
  const auto results = client.run(jobs, 30);
  done = true;
  watcher.join();

  REQUIRE(results.size() == jobs.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    CHECK(results[i].job_id == jobs[i].spec.job_id);
    CHECK_MESSAGE(results[i].status == wire::JobStatus::kOk, results[i].message);
  }
  CHECK(lists > 5);
  CHECK(most_waiting >= 1);
  CHECK(most_waiting <= 2);  // never more than the window at the broker
  const auto stats = client.list()["stats"];
  CHECK(stats["jobs_submitted"] == 9);
  CHECK(stats["results_returned"] == 9);
}

TEST_CASE("a job past its deadline comes back as timeout, and the farm goes on") {
  TempDir dir;
  BrokerProcess broker(dir);
  auto slow = start_runner(dir, broker.endpoint(), "slow", 5000);
  FarmClient client(loopback_client_options(broker.endpoint()));
  wait_for_runners(client, 1);
  const auto start = std::chrono::steady_clock::now();
  const auto results = client.run({{"pi", nb201_job("late", 0.3)}}, 10);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(results.size() == 1);
  CHECK(results[0].status == wire::JobStatus::kTimeout);
  CHECK(seconds < 4);  // the runner cancelled at the deadline, well before 5 s
  wait_for_runners(client, 1);  // free again
}

TEST_CASE("a job longer than three heartbeat intervals: the runner beats through it and is not lost") {
  TempDir dir;
  BrokerProcess broker(dir);
  // Heartbeats every 0.2 s on both sides: each 1.2 s job spans six of them,
  // twice the silence after which either side gives the other up.
  auto runner = start_runner(dir, broker.endpoint(), "long", 1200);
  FarmClient client(loopback_client_options(broker.endpoint()));
  wait_for_runners(client, 1);
  const auto results = client.run({{"pi", nb201_job("long-1")}, {"pi", nb201_job("long-2")}}, 20);
  REQUIRE(results.size() == 2);
  for (const auto& r : results) CHECK_MESSAGE(r.status == wire::JobStatus::kOk, r.message);
  const auto listing = client.list();
  CHECK(listing["stats"]["runners_lost"] == 0);
  CHECK(listing["stats"]["jobs_requeued"] == 0);
  REQUIRE(listing["runners"].size() == 1);
  CHECK(listing["runners"][0]["jobs_done"] == 2);
  // The runner reports how long it waited for its second job; its first
  // job has no job before it.
  CHECK_FALSE(results[0].runner_idle_ms.has_value());
  REQUIRE(results[1].runner_idle_ms.has_value());
  CHECK(*results[1].runner_idle_ms >= 0);
  CHECK(*results[1].runner_idle_ms < 1000);  // not a lost beat
  // The runner never reconnected: one "connected" line in its log.
  const std::string log = runner->stderr_text();
  CHECK(log.find("reconnecting") == std::string::npos);
}

TEST_CASE("a job for a device no runner has waits, then comes back unanswered with the reason") {
  TempDir dir;
  BrokerProcess broker(dir);
  FarmClient client(loopback_client_options(broker.endpoint()));
  const auto results = client.run({{"jetson-nano", nb201_job("orphan")}}, 0.5);
  REQUIRE(results.size() == 1);
  CHECK(results[0].status == wire::JobStatus::kUnanswered);
  CHECK(results[0].message.find("is a runner for device 'jetson-nano' connected?") !=
        std::string::npos);
}

TEST_CASE("garbage frames leave the broker serving") {
  TempDir dir;
  BrokerProcess broker(dir);
  auto runner = start_runner(dir, broker.endpoint(), "r1", 20);
  {
    zmq::context_t context;
    zmq::socket_t attacker(context, zmq::socket_type::dealer);
    attacker.set(zmq::sockopt::linger, 0);
    attacker.connect(broker.endpoint());
    std::mt19937 rng(3);
    for (int i = 0; i < 300; ++i) {
      std::vector<std::string> frames(1 + rng() % 4);
      for (auto& f : frames) {
        f.resize(rng() % 200);
        for (char& c : f) c = static_cast<char>(rng());
      }
      if (i % 3 == 0) frames = {"RESULT", R"({"job_id":"x","status":"ok"})"};  // unsolicited
      if (i % 5 == 0) frames = {"JOB", "{}"};                                   // wrong direction
      if (i % 7 == 0) frames = {"HELLO", R"({"protocol":99,"role":"runner"})"};  // bad version
      for (std::size_t k = 0; k < frames.size(); ++k) {
        attacker.send(zmq::buffer(frames[k]),
                      k + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
      }
    }
    // Oversize: libzmq cuts this peer off before the bytes reach the broker.
    const std::string huge(wire::kMaxBodyBytes + 1024 * 1024, 'x');
    attacker.send(zmq::str_buffer("SUBMIT"), zmq::send_flags::sndmore);
    attacker.send(zmq::buffer(huge), zmq::send_flags::none);
    std::this_thread::sleep_for(300ms);
  }
  FarmClient client(loopback_client_options(broker.endpoint()));
  wait_for_runners(client, 1);
  const auto results = client.run({{"pi", nb201_job("after-garbage")}}, 10);
  CHECK(results[0].status == wire::JobStatus::kOk);
  CHECK(broker.process().running());
  CHECK(client.list()["stats"]["rejected_messages"].get<int>() > 100);
}

TEST_CASE("with CURVE, a runner whose key is not authorized cannot join") {
  TempDir dir;
  const std::string keys = (dir / "keys").string();
  const std::string authorized = (dir / "runners").string();
  const std::string clients = (dir / "clients").string();
  write_curve_keys(keys, "broker", generate_curve_keys());
  write_curve_keys(authorized, "good", generate_curve_keys());
  write_curve_keys(clients, "client", generate_curve_keys());
  write_curve_keys(keys, "stranger", generate_curve_keys());  // not in an authorized folder
  BrokerProcess broker(dir, {"--keys", keys + "/broker.key_secret", "--authorized-runners",
                             authorized, "--authorized-clients", clients});
  const std::string broker_key = keys + "/broker.key";
  auto good = start_runner(dir, broker.endpoint(), "good", 20,
                           {"--broker-key", broker_key, "--keys", authorized + "/good.key_secret"});
  auto stranger = start_runner(dir, broker.endpoint(), "stranger", 20,
                               {"--broker-key", broker_key, "--keys", keys + "/stranger.key_secret"});
  auto plain = start_runner(dir, broker.endpoint(), "plain", 20);  // no CURVE at all
  FarmClientOptions o = loopback_client_options(broker.endpoint());
  o.broker_public_key_file = broker_key;
  o.curve_secret_file = clients + "/client.key_secret";
  FarmClient client(o);
  wait_for_runners(client, 1);
  std::this_thread::sleep_for(1s);  // time for the others to try; the idle client is forgotten
  std::set<std::string> ids;
  const auto listing = client.list();
  for (const auto& r : listing["runners"]) ids.insert(r["runner_id"].get<std::string>());
  std::string listed = listing.dump();
  for (const auto& id : ids) listed += id + " ";
  if (ids != std::set<std::string>{"good"}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      if (entry.path().extension() == ".err") listed += "\n" + read_file(entry.path());
    }
  }
  CHECK_MESSAGE(ids == std::set<std::string>{"good"}, listed);
  CHECK(client.run({{"pi", nb201_job("secure")}}, 10)[0].status == wire::JobStatus::kOk);
}

TEST_CASE("a runner survives a broker restart") {
  TempDir dir;
  auto first = std::make_unique<BrokerProcess>(dir);
  const std::string endpoint = first->endpoint();
  auto runner = start_runner(dir, endpoint, "r1", 20);
  {
    FarmClient client(loopback_client_options(endpoint));
    wait_for_runners(client, 1);
  }
  first->process().kill_hard();
  // A new broker on the same port.
  TempDir dir2;
  Process second({nas_binary(), "broker", "--bind", endpoint, "--heartbeat", "0.2"}, dir2.path());
  FarmClient client(loopback_client_options(endpoint));
  wait_for_runners(client, 1);
  CHECK(client.run({{"pi", nb201_job("again")}}, 10)[0].status == wire::JobStatus::kOk);
  CHECK(runner->running());
}

TEST_CASE("SIGTERM ends a runner cleanly and the broker forgets it at once") {
  TempDir dir;
  BrokerProcess broker(dir);
  auto runner = start_runner(dir, broker.endpoint(), "r1", 20);
  FarmClient client(loopback_client_options(broker.endpoint()));
  wait_for_runners(client, 1);
  ::kill(runner->pid(), SIGTERM);
  const auto result = runner->wait();
  CHECK(result.exit_code == 0);
  std::this_thread::sleep_for(200ms);
  CHECK(client.list()["runners"].empty());
}

}  // namespace
}  // namespace nas::test
