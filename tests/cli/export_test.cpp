// ONNX end to end with real processes: `nas run` measures latency through an
// external `nas broker` and a `nas runner` whose command backend runs ONNX
// Runtime (tools/onnxruntime_tool.js, a test tool) on the ONNX file
// each job carries; then `nas export` ships a subnet the run found, and its
// one-line errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/config.h"
#include "core/mbv3_notation.h"
#include "core/space_registry.h"
#include "sqlite_peek.h"
#include "tests/cli/tiny_mbv3_config.h"
#include "tests/support/onnx_tools.h"
#include "tests/cli/shipped_config.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

using namespace std::chrono_literals;

const std::string kModules = NAS_ONNXRUNTIME_NODE_MODULES;

// Why this test cannot run here, or "".
std::string missing_tools() {
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
    return "Debian's dataset-fashion-mnist is not installed";
  }
  return onnx_tools_missing(kModules);
}

// The address a `nas broker --bind tcp://127.0.0.1:0` prints first.
std::string wait_for_endpoint(Process& broker, const std::filesystem::path& dir) {
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < until && broker.running()) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() != ".out") continue;
      const std::string text = read_file(entry.path());
      if (text.rfind("tcp://", 0) == 0 && text.find('\n') != std::string::npos) {
        return text.substr(0, text.find('\n'));
      }
    }
    std::this_thread::sleep_for(20ms);
  }
  FAIL("the broker did not start");
  return "";
}

std::string write_config(const TempDir& dir, const std::string& endpoint) {
  nlohmann::json c = test::tiny_mbv3_config(dir.path());
  c["name"] = "onnx-farm";
  c["store"] = (dir / "onnx.db").string();
  // hswish and two resolutions: every op the exporter writes.
  c["space"]["stages"][1]["activation"] = "hswish";
  c["space"]["resolutions"] = {24, 28};
  c["farm"] = {{"connect", endpoint}, {"device", "ort-cpu"}, {"deadline_seconds", 60},
               {"wait_seconds", 120}};
  c["objectives"] = {{{"metric", "val_acc"}, {"goal", "maximize"}},
                     {{"metric", "ort-cpu_ms"}, {"goal", "minimize"}}};
  c["search"] = {{"strategy", "random"}, {"budget", 4}};
  write_file(dir / "onnx.json", c.dump(2));
  return (dir / "onnx.json").string();
}

TEST_CASE("a command-backend runner measures the ONNX files the search exports; nas export ships one") {
  const std::string missing = missing_tools();
  if (!missing.empty()) {
    MESSAGE("skipped: " << missing);
    return;
  }
  TempDir dir;
  std::filesystem::create_directories(dir / "broker");
  std::filesystem::create_directories(dir / "runner");
  std::filesystem::create_directories(dir / "jobs");
  Process broker({nas_binary(), "broker", "--bind", "tcp://127.0.0.1:0", "--heartbeat", "0.2"},
                 dir / "broker");
  const std::string endpoint = wait_for_endpoint(broker, dir / "broker");
  // The pipeline keeps each job's folder, so the files the runner got can be
  // checked afterwards.
  const nlohmann::json pipeline = {
      {"steps",
       {{"/usr/bin/env", "NODE_PATH=" + kModules, "node",
         std::string(NAS_SOURCE_DIR) + "/tools/onnxruntime_tool.js", "bench", "{onnx}",
         "{input_shape}", "{warmup_runs}", "{repeats}", "{threads}"}}},
      {"parser", "trtexec"},
      {"workdir_root", (dir / "jobs").string()},
      {"keep_workdir", true}};
  write_file(dir / "ort.json", pipeline.dump(2));
  Process runner({nas_binary(), "runner", "--connect", endpoint, "--device", "ort-cpu", "--backend",
                  "command", "--pipeline", (dir / "ort.json").string(), "--id", "ort-1",
                  "--heartbeat", "0.2"},
                 dir / "runner");

  const auto run = run_process({nas_binary(), "run", write_config(dir, endpoint), "-q"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const std::string db = (dir / "onnx.db").string();
  CHECK(query_int(db, "SELECT count(*) FROM evaluations WHERE metric = 'ort-cpu_ms' AND "
                      "source = 'measured' AND value > 0") == 4);
  // Every job carried a real ONNX file of the subnet at its own resolution.
  int files = 0;
  for (const auto& job : std::filesystem::directory_iterator(dir / "jobs")) {
    const ProcessResult checked = check_with_python_onnx((job.path() / "model.onnx").string());
    CHECK_MESSAGE(checked.exit_code == 0, checked.err);
    ++files;
  }
  CHECK(files == 4);
  // The supernet's training went into the store as it ran, and the report shows it per epoch.
  CHECK(query_int(db, "SELECT count(*) FROM training WHERE epoch_end = 1 AND epoch = 1 AND "
                      "val_acc_largest BETWEEN 0 AND 1 AND images_per_second > 0") == 1);
  const auto report = run_process({nas_binary(), "report", db});
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);
  CHECK(report.out.find("### Supernet training") != std::string::npos);

  const std::string arch = query_column(
      db, "SELECT arch_id FROM evaluations WHERE metric = 'ort-cpu_ms' ORDER BY id LIMIT 1")[0];
  const std::string file = (dir / "shipped.onnx").string();
  const auto exported = run_process({nas_binary(), "export", db, "--arch", arch, "--format", "onnx",
                                     "-o", file});
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
  CHECK(exported.out.rfind("wrote " + file + ": arch " + arch + " of run 1, input 1x1x", 0) == 0);
  const ProcessResult checked = check_with_python_onnx(file);
  CHECK_MESSAGE(checked.exit_code == 0, checked.err);
  const std::size_t at = exported.out.find("input ") + 6;
  const std::string shape = exported.out.substr(at, exported.out.find(',', at) - at);
  const ProcessResult timed =
      run_onnxruntime_tool(NAS_SOURCE_DIR, kModules, {"bench", file, shape, "1", "3"});
  CHECK_MESSAGE(timed.exit_code == 0, timed.err);
  CHECK(timed.out.find("=== Performance summary ===") != std::string::npos);

  SUBCASE("--arch takes the report's compact notation where an id is expected") {
    const SearchSpace space = make_space(
        parse_config(nlohmann::json::parse(query_column(db, "SELECT config_json FROM runs")[0]), "t")
            .space);
    const std::string json =
        query_column(db, "SELECT canonical_json FROM archs WHERE id = '" + arch + "'")[0];
    const std::string notation =
        mbv3_notation(space, space.from_json(nlohmann::json::parse(json)));
    const std::string by_name = (dir / "by_notation.onnx").string();
    const auto r = run_process({nas_binary(), "export", db, "--arch", notation, "-o", by_name});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.rfind("wrote " + by_name + ": arch " + arch + " of run 1", 0) == 0);
    const auto bad = run_process({nas_binary(), "export", db, "--arch", "r28 | d9 k7 e6", "-o",
                                  by_name});
    CHECK(bad.exit_code == 1);
    CHECK(bad.err.find("architecture 'r28 | d9 k7 e6'") != std::string::npos);
  }

  SUBCASE("errors: one line each, naming what is wrong") {
    auto r = run_process({nas_binary(), "export", db, "--arch", "nope", "-o", file});
    CHECK(r.exit_code == 1);
    CHECK(r.err == "nas: store " + db + ": no architecture with id 'nope' (`nas report` lists the "
                   "stored ones)\n");
    r = run_process({nas_binary(), "export", db, "--arch", arch, "--run", "9", "-o", file});
    CHECK(r.exit_code == 1);
    CHECK(r.err == "nas: store " + db + ": no run 9\n");
    std::filesystem::remove_all(dir / "checkpoints");
    r = run_process({nas_binary(), "export", db, "--arch", arch, "-o", file});
    CHECK(r.exit_code == 1);
    CHECK(r.err.rfind("nas: checkpoint " + (dir / "checkpoints").string() + "/", 0) == 0);
    CHECK(r.err.find(".pt is missing: `nas run` with run 1's configuration trains it") !=
          std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}

TEST_CASE("nas export refuses an nb201 arch: that space has no network builder") {
  TempDir dir;
  nlohmann::json c = shipped_config("nb201-raspi4");
  c["name"] = "nb201-export";
  c["store"] = (dir / "nb.db").string();
  c["search"] = {{"strategy", "random"}, {"budget", 3}};
  write_file(dir / "nb.json", c.dump());
  const auto run = run_process({nas_binary(), "run", (dir / "nb.json").string(), "-q"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const std::string arch = query_column((dir / "nb.db").string(), "SELECT id FROM archs LIMIT 1")[0];
  const auto r = run_process({nas_binary(), "export", (dir / "nb.db").string(), "--arch", arch,
                              "-o", (dir / "x.onnx").string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "nas: arch " + arch + " is in the nb201 space, which has no network builder: only "
                 "subnets of a supernet space (mbv3) can be exported or fine-tuned\n");
  CHECK_FALSE(std::filesystem::exists(dir / "x.onnx"));
}

}  // namespace
}  // namespace nas::test
