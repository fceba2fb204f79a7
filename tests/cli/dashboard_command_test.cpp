// `nas dashboard` as a real process over a store a real `nas run` wrote: the
// JSON API over a real socket agrees with the store's tables, errors are 404,
// 400 and 405, the store is left as it was, and a broker's runners show.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <thread>

#include "sqlite_peek.h"
#include "tests/support/http_client.h"
#include "tests/cli/shipped_config.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

using namespace std::chrono_literals;

// A config for a small tabular search that stores into `db`.
std::string write_nb201_config(const TempDir& dir, const std::string& db, int budget) {
  nlohmann::json c = shipped_config("nb201-random");
  c["name"] = "dashboard-e2e";
  c["store"] = db;
  c["search"]["budget"] = budget;
  const auto path = dir / "nb201.json";
  write_file(path, c.dump(2));
  return path.string();
}

// The first stdout line of the one process started in `dir` that starts with
// `prefix`, waited for.
std::string wait_for_line(const std::filesystem::path& dir, Process& process,
                          const std::string& prefix, const std::string& extension = ".out") {
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < until && process.running()) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() != extension) continue;
      const std::string text = read_file(entry.path());
      const auto at = text.find(prefix);
      if (at == std::string::npos) continue;
      const auto end = text.find('\n', at);
      if (end != std::string::npos) return text.substr(at, end - at);
    }
    std::this_thread::sleep_for(20ms);
  }
  throw std::runtime_error("no line starting with " + prefix + " from the process");
}

int port_of(const std::string& url) {
  // "http://127.0.0.1:PORT/"
  const auto colon = url.rfind(':');
  return std::stoi(url.substr(colon + 1));
}

// `nas dashboard ARGS...` on a free port, in its own folder.
struct DashboardProcess {
  TempDir dir;
  std::unique_ptr<Process> process;
  std::string url;
  int port = 0;

  explicit DashboardProcess(std::vector<std::string> args) {
    args.insert(args.begin(), {nas_binary(), "dashboard"});
    args.insert(args.end(), {"--port", "0"});
    process = std::make_unique<Process>(args, dir.path());
    url = wait_for_line(dir.path(), *process, "http://");
    port = port_of(url);
  }

  ProcessResult stop() {
    ::kill(process->pid(), SIGTERM);
    return process->wait();
  }
};

nlohmann::json get_json(int port, const std::string& target, int expected_status = 200) {
  const HttpReply reply = http_get(port, target);
  INFO(target << ": " << reply.body);
  CHECK(reply.status == expected_status);
  CHECK(reply.content_type == "application/json");
  return nlohmann::json::parse(reply.body);
}

TEST_CASE("nas dashboard serves a stored run's progress and front, read-only") {
  TempDir dir;
  const std::string db = (dir / "run.db").string();
  const int budget = 40;
  const auto ran = run_process({nas_binary(), "run", write_nb201_config(dir, db, budget), "-q"});
  REQUIRE_MESSAGE(ran.exit_code == 0, ran.err);
  const std::string before = read_file(db);

  DashboardProcess dashboard({db});
  CHECK(dashboard.url.rfind("http://127.0.0.1:", 0) == 0);  // localhost by default

  const nlohmann::json runs = get_json(dashboard.port, "/api/runs");
  CHECK(runs["store"] == db);
  REQUIRE(runs["runs"].size() == 1);
  const nlohmann::json run = get_json(dashboard.port, "/api/runs/1");
  CHECK(run["name"] == "dashboard-e2e");
  CHECK(run["status"] == "finished");
  CHECK(run["strategy"] == "random");
  CHECK(run["progress"]["budget"] == budget);
  CHECK(run["progress"]["queries"] == query_int(db, "SELECT max(queries) FROM steps"));
  CHECK(run["progress"]["steps"] == query_int(db, "SELECT count(*) FROM steps"));
  CHECK(run["progress"]["evaluator_calls"] ==
        query_int(db, "SELECT sum(evaluator_calls) FROM sessions"));
  CHECK(run["progress"]["cache_hits"] == query_int(db, "SELECT sum(cache_hits) FROM sessions"));
  CHECK(runs["runs"][0] == run);

  // The front: the stored rows, in order, each objective with its stored
  // value and source.
  const nlohmann::json front = get_json(dashboard.port, "/api/runs/1/front");
  const std::vector<std::string> stored =
      query_column(db, "SELECT arch_id FROM front WHERE run_id = 1 ORDER BY position");
  REQUIRE(!stored.empty());
  CHECK(front["provisional"] == false);
  REQUIRE(front["front"].size() == stored.size());
  for (std::size_t i = 0; i < stored.size(); ++i) {
    const nlohmann::json& member = front["front"][i];
    CHECK(member["arch_id"] == stored[i]);
    CHECK(member["position"] == i + 1);
    CHECK(member["label"].get<std::string>().find('|') != std::string::npos);  // nb201 cell label
    for (const char* metric : {"cifar10_test_acc", "raspi4_ms"}) {
      const nlohmann::json& value = member["values"][metric];
      CHECK(value["source"] == "tabular");
      const auto expected = query_column(
          db, "SELECT value FROM evaluations WHERE arch_id = '" + stored[i] + "' AND metric = '" +
                  metric + "' AND source = 'tabular'");
      REQUIRE(expected.size() == 1);
      CHECK(value["value"].get<double>() == doctest::Approx(std::stod(expected[0])).epsilon(1e-12));
    }
  }

  // The page is one self-contained document.
  const HttpReply page = http_get(dashboard.port, "/");
  CHECK(page.status == 200);
  CHECK(page.content_type.rfind("text/html", 0) == 0);
  CHECK(page.body.find("front-table") != std::string::npos);
  CHECK(page.body.find("src=\"http") == std::string::npos);  // nothing fetched from elsewhere
  CHECK(page.body.find("href=\"http") == std::string::npos);

  // No farm given: an empty list that says so.
  const nlohmann::json runners = get_json(dashboard.port, "/api/runners");
  CHECK(runners["runners"].empty());
  CHECK(runners["farm"].is_null());
  CHECK(runners["note"].get<std::string>().find("no farm") != std::string::npos);

  // Errors: JSON with a message, and the right status.
  CHECK(get_json(dashboard.port, "/api/nothing", 404)["error"] == "no such path: /api/nothing");
  CHECK(get_json(dashboard.port, "/api/runs/7", 404)["error"].get<std::string>().find(
            "no run with id 7") != std::string::npos);
  CHECK(get_json(dashboard.port, "/api/runs/7/front", 404).contains("error"));
  CHECK(get_json(dashboard.port, "/api/runs/x1", 400)["error"] == "run id 'x1' is not a number");
  CHECK(get_json(dashboard.port, "/api/runs/1/other", 404).contains("error"));
  for (const char* method : {"POST", "PUT", "DELETE"}) {
    const HttpReply refused = http_request(dashboard.port, method, "/api/runs");
    CHECK(refused.status == 405);
    CHECK(refused.allow == "GET");
    CHECK(nlohmann::json::parse(refused.body)["error"].get<std::string>().find("read-only") !=
          std::string::npos);
  }
  // A query string does not change the route.
  CHECK(get_json(dashboard.port, "/api/runs/1?x=1") == run);

  const ProcessResult ended = dashboard.stop();
  CHECK_MESSAGE(ended.exit_code == 0, ended.err);
  CHECK(ended.err.find("dashboard: stopped") != std::string::npos);
  // Read-only means read-only: the file is as it was, and nothing beside it.
  CHECK(read_file(db) == before);
  CHECK_FALSE(std::filesystem::exists(db + "-wal"));
  CHECK_FALSE(std::filesystem::exists(db + "-shm"));
}

TEST_CASE("nas dashboard refuses a missing store and a bad address in one line") {
  TempDir dir;
  const std::string missing = (dir / "missing.db").string();
  const auto refused = run_process({nas_binary(), "dashboard", missing, "--port", "0"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("store " + missing) != std::string::npos);
  CHECK(refused.err.find("no such file") != std::string::npos);
  CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
  CHECK_FALSE(std::filesystem::exists(missing));

  const std::string db = (dir / "run.db").string();
  REQUIRE(run_process({nas_binary(), "run", write_nb201_config(dir, db, 5), "-q"}).exit_code == 0);
  const auto bad_bind =
      run_process({nas_binary(), "dashboard", db, "--port", "0", "--bind", "localhost:1"});
  CHECK(bad_bind.exit_code == 2);
  CHECK(bad_bind.err == "nas: dashboard: bind address 'localhost:1' is not an IP address\n");

  // A port that is taken is named.
  DashboardProcess first({db});
  const auto taken = run_process(
      {nas_binary(), "dashboard", db, "--port", std::to_string(first.port)});
  CHECK(taken.exit_code == 1);
  CHECK(taken.err.find("cannot listen on 127.0.0.1:" + std::to_string(first.port)) !=
        std::string::npos);
}

TEST_CASE("nas dashboard --farm shows the broker's runners and their states") {
  TempDir dir;
  const std::string db = (dir / "run.db").string();
  REQUIRE(run_process({nas_binary(), "run", write_nb201_config(dir, db, 5), "-q"}).exit_code == 0);

  TempDir broker_dir;
  Process broker({nas_binary(), "broker", "--bind", "tcp://127.0.0.1:0", "--heartbeat", "0.2"},
                 broker_dir.path());
  const std::string endpoint = wait_for_line(broker_dir.path(), broker, "tcp://");
  Process runner({nas_binary(), "runner", "--connect", endpoint, "--device", "pi4", "--backend",
                  "sleep", "--id", "board-7", "--heartbeat", "0.2"},
                 dir.path());

  DashboardProcess dashboard({db, "--farm", endpoint});
  nlohmann::json listing;
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < until) {
    listing = get_json(dashboard.port, "/api/runners");
    if (listing["runners"].size() == 1 && listing["runners"][0]["state"] == "idle") break;
    std::this_thread::sleep_for(50ms);
  }
  INFO(listing.dump());
  CHECK(listing["farm"] == endpoint);
  REQUIRE(listing["runners"].size() == 1);
  CHECK(listing["runners"][0]["runner_id"] == "board-7");
  CHECK(listing["runners"][0]["device"] == "pi4");
  CHECK(listing["runners"][0]["backend"] == "sleep");
  CHECK(listing["runners"][0]["state"] == "idle");
  CHECK(listing["runners"][0]["jobs_done"] == 0);
  // The runner panel's summary per device key.
  REQUIRE(listing["devices"].size() == 1);
  CHECK(listing["devices"][0]["device"] == "pi4");
  CHECK(listing["devices"][0]["idle"] == 1);
  CHECK(listing["devices"][0]["busy"] == 0);
  CHECK(listing["devices"][0]["running"] == 0);

  // The broker gone: the view says so instead of failing.
  broker.kill_hard();
  const nlohmann::json away = get_json(dashboard.port, "/api/runners");
  CHECK(away["runners"].empty());
  CHECK(away["note"].get<std::string>().find("did not answer") != std::string::npos);
  CHECK(dashboard.stop().exit_code == 0);
}

}  // namespace
}  // namespace nas::test
