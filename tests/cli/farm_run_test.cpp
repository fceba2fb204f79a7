// `nas run` with a "farm" section: an embedded broker and a local runner
// process measure the latency of every candidate, and the runner does not
// outlive the run, not even a kill -9 of it.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "sqlite_peek.h"
#include "tests/cli/tiny_mbv3_config.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

std::string write_farm_config(const TempDir& dir, int budget,
                              const nlohmann::json& search = nlohmann::json()) {
  nlohmann::json c = test::tiny_mbv3_config(dir.path());
  c["name"] = "farm-e2e";
  c["seed"] = 3;
  c["store"] = (dir / "farm.db").string();
  c["farm"] = {{"deadline_seconds", 60}, {"wait_seconds", 120}};
  c["objectives"] = {{{"metric", "val_acc"}, {"goal", "maximize"}},
                     {{"metric", "cpu_ms"}, {"goal", "minimize"}}};
  c["search"] = search.is_null() ? nlohmann::json{{"strategy", "nsga2"}, {"budget", budget},
                                                  {"population", 4}}
                                 : search;
  const auto path = dir / "farm.json";
  write_file(path, c.dump(2));
  return path.string();
}

bool fashion_mnist_installed() {
  return std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
}

TEST_CASE("latency is measured by a local runner process through the embedded broker") {
  if (!fashion_mnist_installed()) {
    MESSAGE("skipped: Debian's dataset-fashion-mnist is not installed");
    return;
  }
  TempDir dir;
  const std::string config = write_farm_config(dir, 8);
  const auto r = run_process({nas_binary(), "run", config, "-q"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string db = (dir / "farm.db").string();
  CHECK(query_int(db, "SELECT count(*) FROM evaluations WHERE metric = 'cpu_ms' AND "
                      "source = 'measured' AND device = 'cpu' AND value > 0") == 8);
  // The full statistics reached the measurements table, one row per job,
  // linked from the latency and energy evaluations; no meter: no energy.
  CHECK(query_int(db, "SELECT count(*) FROM measurements WHERE device = 'cpu' AND backend = "
                      "'torch' AND runner = 'local-cpu' AND p90_ms >= median_ms AND "
                      "json_array_length(samples_json) > 0") == 8);
  CHECK(query_int(db, "SELECT count(*) FROM measurements WHERE energy_mj IS NOT NULL") == 0);
  CHECK(query_int(db, "SELECT count(*) FROM evaluations e JOIN measurements m ON "
                      "m.id = e.measurement_id WHERE e.metric = 'cpu_ms' AND "
                      "e.value = m.median_ms") == 8);
  CHECK(r.err.find("runner local-cpu joined") != std::string::npos);
  CHECK(r.err.find("runner: stopped after 8 jobs") != std::string::npos);
  CHECK(query_column(db, "SELECT status FROM runs") == std::vector<std::string>{"finished"});
}

TEST_CASE("the RL controller searches the mbv3 space with farm-measured latency in its reward") {
  if (!fashion_mnist_installed()) {
    MESSAGE("skipped: Debian's dataset-fashion-mnist is not installed");
    return;
  }
  TempDir dir;
  const nlohmann::json rl = {
      {"strategy", "rl"},
      {"budget", 8},
      {"batch", 4},
      {"reward", {{"type", "mnasnet_soft"}, {"metric", "cpu_ms"}, {"target", 0.2}}}};
  const auto r = run_process({nas_binary(), "run", write_farm_config(dir, 8, rl), "-q"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string db = (dir / "farm.db").string();
  CHECK(query_column(db, "SELECT strategy FROM runs") == std::vector<std::string>{"rl"});
  CHECK(query_int(db, "SELECT count(*) FROM evaluations WHERE metric = 'cpu_ms' AND "
                      "source = 'measured'") == 8);
  CHECK(query_int(db, "SELECT max(queries) FROM steps") == 8);
}

TEST_CASE("a run whose embedded broker dies ends at once with an error that says so") {
  if (!fashion_mnist_installed()) {
    MESSAGE("skipped: Debian's dataset-fashion-mnist is not installed");
    return;
  }
  TempDir dir;
  const std::string config = write_farm_config(dir, 8);
  nlohmann::json c = nlohmann::json::parse(read_file(config));
  c["farm"]["wait_seconds"] = 3600;  // what a dead broker used to cost
  write_file(config, c.dump(2));
  const auto start = std::chrono::steady_clock::now();
  // The test hook fails the broker's thread half a second after it started.
  const auto r = run_process({"/usr/bin/env", "NAS_TEST_EMBEDDED_BROKER_FAILS_AFTER=0.5",
                              nas_binary(), "run", config, "-q"});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.exit_code != 0);
  CHECK_MESSAGE(r.err.find("farm: the embedded broker stopped") != std::string::npos, r.err);
  CHECK(seconds < 60);
}

TEST_CASE("a runner that fails every job stops the run with the reason, stores none of it, and "
          "--resume measures once it is mended") {
  if (!fashion_mnist_installed()) {
    MESSAGE("skipped: Debian's dataset-fashion-mnist is not installed");
    return;
  }
  TempDir dir;
  const std::string config = write_farm_config(dir, 8);
  // The local runner's pipeline, broken as a wrong path breaks one.
  const std::string pipeline = (dir / "board.json").string();
  write_file(pipeline, nlohmann::json{{"steps", {{"/bin/sh", "-c", "echo 'no such file: ./tool.js' >&2; exit 3"}}},
                                      {"parser", "benchmark_model"}}.dump());
  nlohmann::json c = nlohmann::json::parse(read_file(config));
  c["farm"]["local_pipeline"] = pipeline;
  write_file(config, c.dump(2));
  const auto failed = run_process({nas_binary(), "run", config, "-q"});
  CHECK(failed.exit_code != 0);
  CHECK_MESSAGE(failed.err.find("measurements on 'cpu' at fp32 failed and none has succeeded, so this batch's "
                                "are not stored and the run stops; mend the runner and continue with "
                                "--resume. The first: error: step 1 (/bin/sh) exited with status 3") !=
                    std::string::npos,
                failed.err);
  CHECK(failed.err.find("no such file: ./tool.js") != std::string::npos);
  const std::string db = (dir / "farm.db").string();
  CHECK(query_int(db, "SELECT count(*) FROM evaluations WHERE metric = 'cpu_ms'") == 0);

  // A pipeline file that does not read is a one-line error, before anything starts.
  write_file(pipeline, R"({"steps": {"cat": "x"}, "parser": "benchmark_model"})");
  const auto unreadable = run_process({nas_binary(), "run", config, "-q", "--resume"});
  CHECK(unreadable.exit_code == 2);
  CHECK_MESSAGE(unreadable.err.find(pipeline + ":/steps: expected a non-empty array of commands") !=
                    std::string::npos,
                unreadable.err);

  // Mended: the same tool output a board gives, and the run goes on.
  write_file(pipeline, nlohmann::json{{"steps", nlohmann::json::array({nlohmann::json::array(
                                                    {"cat", std::string(NAS_SOURCE_DIR) +
                                                                "/tests/device_runners/fixtures/"
                                                                "benchmark_model_edgetpu.txt"})})},
                                      {"parser", "benchmark_model"}}
                           .dump());
  const auto resumed = run_process({nas_binary(), "run", config, "-q", "--resume"});
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err);
  CHECK(query_int(db, "SELECT count(*) FROM evaluations WHERE metric = 'cpu_ms' AND "
                      "source = 'measured' AND value > 0") == 8);
  CHECK(query_int(db, "SELECT count(*) FROM evaluations WHERE metric = 'cpu_ms' AND value IS NULL") == 0);
}

TEST_CASE("the local runner ends with a run that is killed") {
  if (!fashion_mnist_installed()) {
    MESSAGE("skipped: Debian's dataset-fashion-mnist is not installed");
    return;
  }
  TempDir dir;
  const std::string config = write_farm_config(dir, 400);
  const std::string db = (dir / "farm.db").string();
  Process run({nas_binary(), "run", config, "-q"}, dir.path());
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (run.running() && std::chrono::steady_clock::now() < until &&
         query_int(db, "SELECT count(*) FROM evaluations WHERE metric = 'cpu_ms'") < 2) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(run.running());
  run.kill_hard();
  const std::string err = run.wait().err;
  const auto at = err.find("local runner (pid ");
  REQUIRE(at != std::string::npos);
  const int pid = std::stoi(err.substr(at + 18));
  // Gone, or a zombie waiting for init to reap it: either way it has exited.
  bool exited = false;
  for (int i = 0; i < 100 && !exited; ++i) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    exited = !status;
    while (status && std::getline(status, line)) {
      if (line.rfind("State:", 0) == 0) exited = line.find('Z') != std::string::npos;
    }
    if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(exited);
}

}  // namespace
}  // namespace nas::test
