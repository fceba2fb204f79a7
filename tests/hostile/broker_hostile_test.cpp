// The broker against hostile peers (issue 19), over loopback: a real `nas
// broker` process, `nas runner` daemons with the sleep backend, a normal
// FarmClient, and RawPeer, a bare DEALER that sends what a hostile or
// broken client would. Each case names the item of the issue it covers.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "device_runners/client/farm_client.h"
#include "device_runners/wire/curve.h"
#include "tests/hostile/raw_peer.h"
#include "tests/support/farm_processes.h"

namespace nas::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Waits until the broker lists `n` idle runners; the listing then.
json wait_for_runners(FarmClient& client, std::size_t n) {
  const auto until = std::chrono::steady_clock::now() + 20s;
  json listing;
  while (std::chrono::steady_clock::now() < until) {
    listing = client.list();
    std::size_t idle = 0;
    for (const auto& r : listing["runners"]) idle += r["state"] == "idle";
    if (idle >= n) return listing;
    std::this_thread::sleep_for(50ms);
  }
  FAIL("runners did not register in time: " << listing.dump());
  return listing;
}

// The number of results of `jobs` that came back ok.
std::size_t run_ok(FarmClient& client, const std::string& prefix, int n, double wait_seconds) {
  std::vector<FarmJob> jobs;
  for (int i = 0; i < n; ++i) jobs.push_back({"pi", nb201_job(prefix + std::to_string(i))});
  std::size_t ok = 0;
  for (const auto& r : client.run(jobs, wait_seconds)) {
    if (r.status == wire::JobStatus::kOk) ++ok;
    else MESSAGE(prefix << ": " << wire::to_string(r.status) << ": " << r.message);
  }
  return ok;
}

TEST_CASE("1 and 6: with a client that never reads and one that floods SUBMITs, a runner and a "
          "normal client keep getting jobs done, and the broker's memory stays bounded") {
  TempDir dir;
  BrokerProcess broker(dir);
  auto runner = start_runner(dir, broker.endpoint(), "r1", 2);
  FarmClient client(loopback_client_options(broker.endpoint()));
  wait_for_runners(client, 1);
  REQUIRE(run_ok(client, "before-", 5, 10) == 5);
  const double rss_before = resident_mib(broker.process().pid());

  // A client that asks for LIST after LIST and never reads an answer: its
  // queue fills, and a send that waited for it would stop the broker.
  RawPeer deaf(broker.endpoint(), /*receive_queue=*/1);
  deaf.hello_as_client();
  int lists = 0;
  for (; lists < 60000 && deaf.send("LIST", "{}"); ++lists) {
  }
  // A client that floods SUBMITs for a device no runner has, and reads nothing either.
  RawPeer flood(broker.endpoint(), /*receive_queue=*/1);
  flood.hello_as_client();
  int submits = 0;
  for (; submits < 20000; ++submits) {
    json body = nb201_job("flood-" + std::to_string(submits)).to_json();
    if (!flood.send("SUBMIT", json{{"device", "ghost"}, {"job", body}})) break;
  }
  MESSAGE("the deaf client sent " << lists << " LISTs, the flooder " << submits << " SUBMITs");

  CHECK(run_ok(client, "after-", 20, 15) == 20);
  const json listing = client.list();
  CHECK(broker.process().running());
  CHECK(listing["queued"].get<int>() <= 1000);  // the flooder's share, capped
  const double rss_after = resident_mib(broker.process().pid());
  MESSAGE("broker resident memory: " << rss_before << " MiB before, " << rss_after
                                     << " MiB after the deaf client and the flood");
  std::printf("broker resident memory: %.1f MiB before, %.1f MiB after %d unread LISTs and "
              "%d flooded SUBMITs\n", rss_before, rss_after, lists, submits);
  CHECK(rss_after < rss_before + 100);
}

TEST_CASE("2: a SUBMIT whose job has fields of the wrong JSON type, or nothing to run, is "
          "answered with an error and the broker serves on") {
  TempDir dir;
  BrokerProcess broker(dir);
  auto runner = start_runner(dir, broker.endpoint(), "r1", 2);
  RawPeer peer(broker.endpoint());
  peer.hello_as_client();
  const json good = nb201_job("good").to_json();
  struct Case {
    const char* what;
    json job;
    const char* expected;
  };
  std::vector<Case> cases = {
      {"job_id a number", json(good), "field 'job_id' has the wrong type"},
      {"kind a number", json(good), "field 'kind' has the wrong type"},
      {"space an array", json(good), "field 'space' has the wrong type"},
      {"neither arch nor onnx", json(good), "needs an 'arch' or an 'onnx' file"},
  };
  cases[0].job["job_id"] = 7;
  cases[1].job["kind"] = 7;
  cases[1].job["job_id"] = "kind";
  cases[2].job["space"] = json::array({1, 2});
  cases[2].job["job_id"] = "space";
  cases[3].job.erase("arch");
  cases[3].job["job_id"] = "nothing";
  for (const Case& c : cases) {
    CAPTURE(c.what);
    REQUIRE(peer.send("SUBMIT", json{{"device", "pi"}, {"job", c.job}}));
    const auto result = peer.receive("RESULT", 5s);
    REQUIRE_MESSAGE(result.has_value(), "no answer; broker stderr: "
                                            << broker.process().stderr_text().substr(0, 2000));
    CHECK((*result)["status"] == "error");
    const std::string message = (*result)["message"].get<std::string>();
    CHECK_MESSAGE(message.find("broker refused the job") != std::string::npos, message);
    CHECK_MESSAGE(message.find(c.expected) != std::string::npos, message);
  }
  CHECK(broker.process().running());
  REQUIRE(peer.send("SUBMIT", json{{"device", "pi"}, {"job", good}}));
  const auto result = peer.receive("RESULT", 10s);
  REQUIRE(result.has_value());
  CHECK((*result)["status"] == "ok");
}

TEST_CASE("3: wire messages nested beyond the documented depth are refused; the broker serves on") {
  TempDir dir;
  BrokerProcess broker(dir);
  auto runner = start_runner(dir, broker.endpoint(), "r1", 2);
  const std::string deep = nested_arrays(107000);
  {
    RawPeer fake_runner(broker.endpoint());
    REQUIRE(fake_runner.send("HELLO", R"({"protocol":3,"role":"runner","runner_id":"deep",)"
                                      R"("device":"pi","backend":"sleep","capabilities":{"x":)" +
                                          deep + "}}"));
    RawPeer deep_client(broker.endpoint());
    deep_client.hello_as_client();
    REQUIRE(deep_client.send("SUBMIT", R"({"device":"pi","job":{"job_id":"deep","arch":)" + deep +
                                           "}}"));
    std::this_thread::sleep_for(500ms);
  }
  FarmClient client(loopback_client_options(broker.endpoint()));
  const json listing = wait_for_runners(client, 1);
  CHECK(broker.process().running());
  CHECK(listing["runners"].size() == 1);  // the deep one was refused
  CHECK(listing["stats"]["rejected_messages"].get<int>() >= 2);
  CHECK(run_ok(client, "after-deep-", 3, 10) == 3);
  CHECK(broker.process().stderr_text().find("nested deeper than 64 levels") != std::string::npos);
}

TEST_CASE("6: a runner's capabilities beyond the cap are refused, not echoed in every LIST") {
  TempDir dir;
  BrokerProcess broker(dir);
  RawPeer fat(broker.endpoint());
  const json hello = {{"protocol", 3},     {"role", "runner"},     {"runner_id", "fat"},
                      {"device", "pi"},    {"backend", "sleep"},
                      {"capabilities", {{"accepts", {"arch"}}, {"pad", std::string(1 << 20, 'x')}}}};
  REQUIRE(fat.send("HELLO", hello));
  REQUIRE(fat.send("READY", "{}"));
  std::this_thread::sleep_for(300ms);
  FarmClient client(loopback_client_options(broker.endpoint()));
  const json listing = client.list();
  CHECK(listing["runners"].empty());
  CHECK(listing.dump().size() < 4096);
  CHECK(broker.process().stderr_text().find("capabilities exceed") != std::string::npos);
}

TEST_CASE("6: one client may have at most 1000 jobs pending; SUBMITs beyond are answered error") {
  TempDir dir;
  BrokerProcess broker(dir);
  RawPeer peer(broker.endpoint(), 100000);
  peer.hello_as_client();
  for (int i = 0; i < 1200; ++i) {
    REQUIRE(peer.send("SUBMIT", json{{"device", "ghost"},
                                     {"job", nb201_job("q-" + std::to_string(i)).to_json()}}));
  }
  int refused = 0;
  while (auto r = peer.receive("RESULT", 3s)) {
    CHECK((*r)["status"] == "error");
    if ((*r)["message"].get<std::string>().find("jobs pending already") != std::string::npos) {
      ++refused;
    }
  }
  CHECK(refused == 200);
  REQUIRE(peer.send("LIST", "{}"));
  const auto listing = peer.receive("LIST", 5s);
  REQUIRE(listing.has_value());
  CHECK((*listing)["queued"] == 1000);
}

TEST_CASE("6: one large message does not leave the broker's resident memory hundreds of MiB higher") {
  TempDir dir;
  BrokerProcess broker(dir);
  // Many small values: the parsed tree is many times the text.
  std::string pad = "[";
  for (int i = 0; i < 4'000'000; ++i) pad += "{},";
  pad += "{}]";
  RawPeer peer(broker.endpoint());
  peer.hello_as_client();
  REQUIRE(peer.send("LIST", "{}"));
  REQUIRE(peer.receive("LIST", 5s).has_value());
  const double before = resident_mib(broker.process().pid());
  REQUIRE(peer.send("LIST", R"({"pad":)" + pad + "}"));
  REQUIRE_MESSAGE(peer.receive("LIST", 120s).has_value(),
                  broker.process().stderr_text().substr(0, 2000));
  // The answer goes out before the message's tree is freed: give it time.
  double after = resident_mib(broker.process().pid());
  for (const auto until = std::chrono::steady_clock::now() + 15s;
       after >= before + 50 && std::chrono::steady_clock::now() < until;
       after = resident_mib(broker.process().pid())) {
    std::this_thread::sleep_for(100ms);
  }
  std::printf("broker resident memory: %.1f MiB before, %.1f MiB after one message of %.1f MiB\n",
              before, after, pad.size() / 1048576.0);
  CHECK(after < before + 50);
}

TEST_CASE("8: a HELLO with protocol version 4294967298 is refused, not wrapped to 2") {
  TempDir dir;
  BrokerProcess broker(dir);
  RawPeer peer(broker.endpoint());
  REQUIRE(peer.send("HELLO", R"({"protocol":4294967298,"role":"client"})"));
  const auto bye = peer.receive("BYE", 3s);
  REQUIRE(bye.has_value());
  CHECK((*bye)["reason"].get<std::string>().find("4294967298 is not supported") != std::string::npos);
}

TEST_CASE("8: a job with deadline_seconds 1e300 is refused, and a 100 ms job is not a timeout") {
  TempDir dir;
  BrokerProcess broker(dir);
  auto runner = start_runner(dir, broker.endpoint(), "r1", 100);
  FarmClient client(loopback_client_options(broker.endpoint()));
  wait_for_runners(client, 1);
  RawPeer peer(broker.endpoint());
  peer.hello_as_client();
  json huge = nb201_job("forever").to_json();
  huge["deadline_seconds"] = 1e300;
  REQUIRE(peer.send("SUBMIT", json{{"device", "pi"}, {"job", huge}}));
  const auto result = peer.receive("RESULT", 5s);
  REQUIRE(result.has_value());
  CHECK((*result)["status"] == "error");
  CHECK((*result)["message"].get<std::string>().find("deadline_seconds must be in") !=
        std::string::npos);
  CHECK(run_ok(client, "short-", 1, 10) == 1);
}

TEST_CASE("8: with CURVE, a client's key cannot register as a runner and take jobs") {
  TempDir dir;
  const std::string keys = (dir / "keys").string();
  const std::string runners = (dir / "runners").string();
  const std::string clients = (dir / "clients").string();
  write_curve_keys(keys, "broker", generate_curve_keys());
  write_curve_keys(runners, "good", generate_curve_keys());
  write_curve_keys(clients, "client", generate_curve_keys());
  BrokerProcess broker(dir, {"--keys", keys + "/broker.key_secret", "--authorized-runners",
                             runners, "--authorized-clients", clients});
  const std::string broker_key = keys + "/broker.key";
  auto good = start_runner(dir, broker.endpoint(), "good", 5,
                           {"--broker-key", broker_key, "--keys", runners + "/good.key_secret"});
  auto forger = start_runner(dir, broker.endpoint(), "forger", 5,
                             {"--broker-key", broker_key, "--keys", clients + "/client.key_secret"});
  write_curve_keys(keys, "stranger", generate_curve_keys());  // in no authorized folder
  auto stranger = start_runner(dir, broker.endpoint(), "stranger", 5,
                               {"--broker-key", broker_key, "--keys", keys + "/stranger.key_secret"});
  FarmClientOptions o = loopback_client_options(broker.endpoint());
  o.broker_public_key_file = broker_key;
  o.curve_secret_file = clients + "/client.key_secret";
  FarmClient client(o);
  wait_for_runners(client, 1);
  std::this_thread::sleep_for(1s);  // time for the forger to try, more than once
  std::vector<std::string> ids;
  const json listing = client.list();
  for (const auto& r : listing["runners"]) ids.push_back(r["runner_id"]);
  CHECK_MESSAGE(ids == std::vector<std::string>{"good"}, listing.dump());
  std::vector<FarmJob> jobs;
  for (int i = 0; i < 6; ++i) jobs.push_back({"pi", nb201_job("secure-" + std::to_string(i))});
  for (const auto& r : client.run(jobs, 10)) {
    CHECK(r.status == wire::JobStatus::kOk);
    CHECK(r.runner_id == "good");
  }
  // The refused runner was told why, and never claims to be connected.
  const std::string log = forger->stderr_text();
  CHECK_MESSAGE(log.find("not authorized for the role 'runner'") != std::string::npos, log);
  CHECK_MESSAGE(log.find("connected to") == std::string::npos, log);
  CHECK(good->stderr_text().find("connected to") != std::string::npos);
  CHECK(stranger->stderr_text().find("connected to") == std::string::npos);
}

TEST_CASE("8: a broker whose authorized-keys folder is missing refuses to start") {
  TempDir dir;
  write_curve_keys((dir / "keys").string(), "broker", generate_curve_keys());
  std::filesystem::create_directories(dir / "clients");
  Process broker({nas_binary(), "broker", "--bind", "tcp://127.0.0.1:0", "--keys",
                  (dir / "keys/broker.key_secret").string(), "--authorized-runners",
                  (dir / "no-such-folder").string(), "--authorized-clients",
                  (dir / "clients").string()},
                 dir.path());
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (broker.running() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(20ms);
  }
  REQUIRE_MESSAGE(!broker.running(), "the broker started: " << broker.stderr_text());
  const ProcessResult r = broker.wait();
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("no-such-folder is not a folder") != std::string::npos, r.err);
}

}  // namespace
}  // namespace nas::test
