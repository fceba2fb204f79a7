// A search on int8 accuracy and int8 model size through the real binary:
// the front is scored on the test split at int8 too, the store keeps the
// calibration in the fidelity, and bad quantization settings are one-line
// errors naming their JSON path.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/cli/sqlite_peek.h"
#include "tests/cli/shipped_config.h"
#include "tests/cli/tiny_mbv3_config.h"
#include "tests/support/onnx_tools.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

const std::string kModules = NAS_ONNXRUNTIME_NODE_MODULES;

nlohmann::json int8_config(const TempDir& dir) {
  nlohmann::json c = tiny_mbv3_config(dir.path());
  c["name"] = "int8";
  c["store"] = (dir / "int8.db").string();
  c["evaluator"]["quantization"] = {{"calibration_images", 64}, {"rule", "mse"}};
  c["objectives"] = {{{"metric", "val_acc_int8"}, {"goal", "maximize"}},
                     {{"metric", "model_kib_int8"}, {"goal", "minimize"}}};
  c["search"] = {{"strategy", "random"}, {"budget", 4}};
  return c;
}

void check_one_line_error(const ProcessResult& r, const std::string& expected) {
  CHECK(r.exit_code == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_MESSAGE(r.err.find(expected) != std::string::npos, r.err);
}

TEST_CASE("nas run searches on int8 accuracy and size, and scores its front at int8 on the test split") {
  TempDir dir;
  write_file(dir / "int8.json", int8_config(dir).dump(2));
  const ProcessResult run = run_process({nas_binary(), "run", (dir / "int8.json").string(), "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.find(": test_acc_int8=") != std::string::npos);

  const std::string db = (dir / "int8.db").string();
  const auto fidelities = query_column(
      db, "SELECT DISTINCT substr(fidelity, instr(fidelity, '/int8')) FROM evaluations"
          " WHERE metric = 'val_acc_int8' AND source = 'supernet'");
  CHECK(fidelities == std::vector<std::string>{"/int8-mse-c64"});
  for (const std::string metric : {"val_acc_int8", "test_acc_int8"}) {
    CAPTURE(metric);
    const auto values = query_column(
        db, "SELECT value FROM evaluations WHERE metric = '" + metric + "' AND value IS NOT NULL");
    REQUIRE_FALSE(values.empty());
    for (const std::string& v : values) {
      CHECK(std::stod(v) > 0.0);
      CHECK(std::stod(v) <= 1.0);
    }
  }
  // The tiny supernet is barely trained, so the figures are low; what int8
  // must keep is the float figure of the same subnet on the same images.
  const auto pairs = query_column(
      db, "SELECT f.value || ' ' || q.value FROM evaluations f JOIN evaluations q"
          " ON f.arch_id = q.arch_id AND f.run_id = q.run_id"
          " WHERE f.metric = 'test_acc' AND q.metric = 'test_acc_int8'");
  REQUIRE(pairs.size() == 3);  // the front
  for (const std::string& pair : pairs) {
    CAPTURE(pair);
    const double fp32 = std::stod(pair.substr(0, pair.find(' ')));
    const double int8 = std::stod(pair.substr(pair.find(' ') + 1));
    CHECK(std::abs(fp32 - int8) < 0.02);
  }
  const auto kib = query_column(db, "SELECT value FROM evaluations WHERE metric = 'model_kib_int8'");
  REQUIRE(kib.size() == 4);
  for (const std::string& v : kib) CHECK(std::stod(v) > 1.0);

  const ProcessResult report = run_process({nas_binary(), "report", db, "--format", "json"});
  REQUIRE(report.exit_code == 0);
  const nlohmann::json member = nlohmann::json::parse(report.out)["runs"][0]["front"][0];
  CHECK(member["values"]["val_acc_int8"]["source"] == "supernet");
  CHECK(member["values"]["test_acc_int8"]["value"].is_number());
  CHECK(member["values"]["test_acc"]["value"].is_number());  // float beside int8
  const ProcessResult table = run_process({nas_binary(), "report", db});
  CHECK(table.out.find("test_acc_int8 drop (points)") != std::string::npos);

  // A front member as the int8 file the metrics scored: calibrated as the
  // run's configuration says, and run by ONNX Runtime.
  const std::string arch = query_column(
      db, "SELECT arch_id FROM evaluations WHERE metric = 'test_acc_int8' ORDER BY id LIMIT 1")[0];
  const std::string file = (dir / "int8.onnx").string();
  const ProcessResult exported = run_process(
      {nas_binary(), "export", db, "--arch", arch, "--precision", "int8", "-o", file});
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
  CHECK_MESSAGE(exported.out.find(", int8 QDQ: weights symmetric per output channel, activations "
                                  "per tensor calibrated by mse on 64 training images; weights "
                                  "inherited from supernet") != std::string::npos,
                exported.out);
  const std::string missing = onnx_tools_missing(kModules);
  if (missing.empty()) {
    const ProcessResult checked = check_with_python_onnx(file);
    REQUIRE_MESSAGE(checked.exit_code == 0, checked.err);
    CHECK(checked.out.find("QuantizeLinear") != std::string::npos);
    const std::size_t at = exported.out.find("input ") + 6;
    const std::string shape = exported.out.substr(at, exported.out.find(',', at) - at);
    const ProcessResult timed =
        run_onnxruntime_tool(NAS_SOURCE_DIR, kModules, {"bench", file, shape, "1", "3"});
    CHECK_MESSAGE(timed.exit_code == 0, timed.err);
  } else {
    MESSAGE("file checks skipped: " << missing);
  }
  const ProcessResult fp16 = run_process(
      {nas_binary(), "export", db, "--arch", arch, "--precision", "fp16", "-o", file});
  check_one_line_error(fp16, "--precision: \"fp16\" is not written; fp32 or int8");
}

TEST_CASE("nas run measures int8 latency on this CPU in ONNX Runtime, on the QDQ file of what it scored") {
  const std::string missing = onnx_tools_missing(kModules);
  if (!missing.empty()) {
    MESSAGE("skipped: " << missing);
    return;
  }
  TempDir dir;
  std::filesystem::create_directories(dir / "jobs");
  // configs/runners/cpu-onnxruntime.json with this build's ONNX Runtime,
  // keeping each job's folder to look at the files afterwards; its tool
  // is named from {pipeline_dir}, here this copy's folder.
  nlohmann::json pipeline = nlohmann::json::parse(
      read_file(std::string(NAS_SOURCE_DIR) + "/configs/runners/cpu-onnxruntime.json"));
  pipeline["steps"][0][1] = "NODE_PATH=" + kModules;
  std::filesystem::create_directories(dir / "tools");
  std::filesystem::copy_file(std::string(NAS_SOURCE_DIR) + "/tools/onnxruntime_tool.js",
                             dir / "tools" / "onnxruntime_tool.js");
  std::filesystem::create_directories(dir / "configs" / "runners");
  pipeline["workdir_root"] = (dir / "jobs").string();
  pipeline["keep_workdir"] = true;
  const std::string pipeline_file = (dir / "configs" / "runners" / "ort.json").string();
  write_file(pipeline_file, pipeline.dump(2));
  nlohmann::json c = int8_config(dir);
  c["objectives"].push_back({{"metric", "cpu_ms_int8"}, {"goal", "minimize"}});
  c["farm"] = {{"local_pipeline", pipeline_file}};
  write_file(dir / "int8.json", c.dump(2));

  const ProcessResult run = run_process({nas_binary(), "run", (dir / "int8.json").string(), "-q"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const std::string db = (dir / "int8.db").string();
  CHECK(query_int(db, "SELECT count(*) FROM evaluations WHERE metric = 'cpu_ms_int8' AND "
                      "source = 'measured' AND device = 'cpu' AND value > 0") == 4);
  // Every job carried the calibrated QDQ file, which the pipeline ran.
  int files = 0;
  for (const auto& job : std::filesystem::directory_iterator(dir / "jobs")) {
    const ProcessResult ops = check_with_python_onnx((job.path() / "model.onnx").string());
    REQUIRE_MESSAGE(ops.exit_code == 0, ops.err);
    CHECK(ops.out.find("QuantizeLinear") != std::string::npos);
    ++files;
  }
  CHECK(files == 4);
}

TEST_CASE("nas run hands a board that quantizes by itself the fp32 file and the images val_acc_int8 calibrated on") {
  if (!onnx_tools_missing(kModules).empty()) {
    MESSAGE("skipped: " << onnx_tools_missing(kModules));
    return;
  }
  TempDir dir;
  std::filesystem::create_directories(dir / "jobs");
  // The Edge TPU pipeline's shape: a converter step that reads {onnx} and
  // {calibration} (here it records what it was given), then the benchmark's
  // output (here the real format, from a fixture).
  write_file(dir / "convert.py",
             "import json, sys, numpy, onnx\n"
             "ops = sorted({n.op_type for n in onnx.load(sys.argv[1]).graph.node})\n"
             "a = numpy.load(sys.argv[2])\n"
             "json.dump({'ops': ops, 'shape': list(a.shape), 'dtype': str(a.dtype),\n"
             "           'mean': float(a.mean()), 'std': float(a.std())}, open('seen.json', 'w'))\n");
  const nlohmann::json pipeline = {
      {"steps",
       {{"/usr/bin/python3", (dir / "convert.py").string(), "{onnx}", "{calibration}"},
        {"cat", std::string(NAS_SOURCE_DIR) + "/tests/device_runners/fixtures/benchmark_model_edgetpu.txt"}}},
      {"parser", "benchmark_model"},
      {"precisions", {"int8"}},
      {"int8_input", "fp32"},
      {"calibration_layout", "nhwc"},
      {"workdir_root", (dir / "jobs").string()},
      {"keep_workdir", true}};
  write_file(dir / "board.json", pipeline.dump(2));
  nlohmann::json c = int8_config(dir);
  c["objectives"].push_back({{"metric", "cpu_ms_int8"}, {"goal", "minimize"}});
  c["farm"] = {{"local_pipeline", (dir / "board.json").string()}};
  write_file(dir / "int8.json", c.dump(2));

  const ProcessResult run = run_process({nas_binary(), "run", (dir / "int8.json").string(), "-q"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const std::string db = (dir / "int8.db").string();
  CHECK(query_int(db, "SELECT count(*) FROM evaluations WHERE metric = 'cpu_ms_int8' AND "
                      "source = 'measured' AND value > 0") == 4);
  CHECK(query_int(db, "SELECT count(*) FROM measurements WHERE environment_json LIKE "
                      "'%\"calibration_images\":64%'") == 4);
  int jobs = 0;
  for (const auto& job : std::filesystem::directory_iterator(dir / "jobs")) {
    const nlohmann::json seen = nlohmann::json::parse(read_file((job.path() / "seen.json").string()));
    CAPTURE(seen.dump());
    // The fp32 file, with no Q/DQ pair: the board quantizes it itself ...
    for (const std::string op : {"QuantizeLinear", "DequantizeLinear"}) {
      CHECK(std::find(seen["ops"].begin(), seen["ops"].end(), op) == seen["ops"].end());
    }
    CHECK(std::find(seen["ops"].begin(), seen["ops"].end(), "Conv") != seen["ops"].end());
    // ... on the 64 calibration images, NHWC, normalised as the network takes them.
    CHECK(seen["shape"] == nlohmann::json::array({64, 28, 28, 1}));
    CHECK(seen["dtype"] == "float32");
    CHECK(std::abs(seen["mean"].get<double>()) < 0.5);
    CHECK(seen["std"].get<double>() > 0.5);
    CHECK(seen["std"].get<double>() < 2.0);
    ++jobs;
  }
  CHECK(jobs == 4);
}

TEST_CASE("the Edge TPU compiler's report is a metric: with the activation a decision, a constraint on coral_cpu_ops keeps the front wholly on the TPU") {
  if (!onnx_tools_missing(kModules).empty()) {
    MESSAGE("skipped: " << onnx_tools_missing(kModules));
    return;
  }
  TempDir dir;
  // A stand-in compiler in the real report format that does what the Edge
  // TPU compiler does with HardSwish: a network with any leaves 11
  // operations to the CPU; an all-relu one maps wholly.
  const std::string fixtures = std::string(NAS_SOURCE_DIR) + "/tests/device_runners/fixtures/";
  std::filesystem::create_directories(dir / "tools");
  write_file(dir / "tools" / "edgetpu_compiler",
             "#!/bin/sh\n"
             "n=$(/usr/bin/python3 -c \"import onnx, sys; print(sum(n.op_type == 'HardSwish' for n in "
             "onnx.load(sys.argv[1]).graph.node))\" \"$1\")\n"
             "if [ \"$n\" -eq 0 ]; then cat '" + fixtures + "edgetpu_compiler_relu.txt'; "
             "else cat '" + fixtures + "edgetpu_compiler_hardswish.txt'; fi\n");
  std::filesystem::permissions(dir / "tools" / "edgetpu_compiler", std::filesystem::perms::owner_all);
  const nlohmann::json pipeline = {
      {"steps", nlohmann::json::array({nlohmann::json::array({(dir / "tools" / "edgetpu_compiler").string(), "{onnx}"}),
                                       nlohmann::json::array({"cat", fixtures + "benchmark_model_edgetpu.txt"})})},
      {"parser", "benchmark_model"},
      {"precisions", {"int8"}}};
  write_file(dir / "board.json", pipeline.dump(2));
  nlohmann::json c = int8_config(dir);
  // relu around the stages, and the second stage choosing relu or hswish.
  c["space"]["stem_activation"] = "relu";
  c["space"]["head_activation"] = "relu";
  c["space"]["stages"][1]["activation"] = {"relu", "hswish"};
  c["objectives"] = {{{"metric", "val_acc_int8"}, {"goal", "maximize"}},
                     {{"metric", "cpu_ms_int8"}, {"goal", "minimize"}}};
  c["constraints"] = {"cpu_cpu_ops_int8 <= 0"};
  c["search"] = {{"strategy", "nsga2"}, {"budget", 6}, {"population", 3},
                 {"initial_archs", {"largest", "smallest"}}};
  c["farm"] = {{"local_pipeline", (dir / "board.json").string()}};
  write_file(dir / "int8.json", c.dump(2));

  const ProcessResult run = run_process({nas_binary(), "run", (dir / "int8.json").string(), "-q"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const std::string db = (dir / "int8.db").string();
  const auto ops = query_column(db, "SELECT value FROM evaluations WHERE metric = 'cpu_cpu_ops_int8' "
                                    "AND source = 'measured' ORDER BY value");
  REQUIRE(ops.size() == 6);
  CHECK(std::stod(ops.front()) == 0);  // the smallest subnet (relu) maps wholly
  CHECK(std::stod(ops.back()) == 11);  // the largest (hswish) leaves 11 operations to the CPU
  for (const std::string& v : ops) CHECK((std::stod(v) == 0 || std::stod(v) == 11));

  const ProcessResult report = run_process({nas_binary(), "report", db, "--format", "json"});
  REQUIRE(report.exit_code == 0);
  const nlohmann::json front = nlohmann::json::parse(report.out)["runs"][0]["front"];
  REQUIRE_FALSE(front.empty());
  for (const auto& member : front) {
    CAPTURE(member.dump());
    CHECK(member["values"]["cpu_cpu_ops_int8"]["value"] == 0);
    // Its notation ends in the second stage's choice.
    const std::string label = member["label"];
    CHECK(label.substr(label.size() - 5) == " relu");
  }
  // The constrained metric is a column of the front's table, beside the objectives.
  const ProcessResult table = run_process({nas_binary(), "report", db});
  CHECK_MESSAGE(table.out.find("| cpu_cpu_ops_int8 (constraint) |") != std::string::npos, table.out);
}

TEST_CASE("an int8 metric nothing can give is a one-line error naming its JSON path") {
  TempDir dir;
  nlohmann::json c = int8_config(dir);
  c["objectives"].push_back({{"metric", "cpu_ms_int8"}, {"goal", "minimize"}});
  const std::string expected =
      "/objectives/2/metric: \"cpu_ms_int8\" needs a runtime that runs int8, but this CPU is "
      "timed by LibTorch at fp32 only; set /farm/local_pipeline";
  write_file(dir / "in-process.json", c.dump());  // no farm: timed in-process
  check_one_line_error(run_process({nas_binary(), "validate", (dir / "in-process.json").string()}),
                       expected);
  c["farm"] = nlohmann::json::object();  // the local runner's torch backend
  write_file(dir / "torch.json", c.dump());
  check_one_line_error(run_process({nas_binary(), "validate", (dir / "torch.json").string()}),
                       expected);
  c["farm"] = {{"local_pipeline", (dir / "none.json").string()}};
  write_file(dir / "none.json.cfg", c.dump());
  check_one_line_error(run_process({nas_binary(), "validate", (dir / "none.json.cfg").string()}),
                       "/farm/local_pipeline: no pipeline file");

  nlohmann::json nb201 = shipped_config("nb201-random");
  nb201["constraints"] = {"cifar10_test_acc_int8 >= 90"};
  write_file(dir / "nb201.json", nb201.dump());
  check_one_line_error(run_process({nas_binary(), "validate", (dir / "nb201.json").string()}),
                       "/constraints/0: \"cifar10_test_acc_int8\" needs the supernet evaluator");
}

TEST_CASE("the shipped int8 quickstart validates from the repository root") {
  const ProcessResult r = run_process({"/usr/bin/env", "-C", NAS_SOURCE_DIR, nas_binary(), "validate",
                                       "configs/quickstart-int8.json"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
}

TEST_CASE("bad quantization settings name their JSON path") {
  TempDir dir;
  nlohmann::json c = int8_config(dir);
  c["evaluator"]["quantization"]["calibration_images"] = 0;
  write_file(dir / "c.json", c.dump());
  check_one_line_error(run_process({nas_binary(), "validate", (dir / "c.json").string()}),
                       "/evaluator/quantization/calibration_images: expected an integer in [1, ");

  c = int8_config(dir);
  c["evaluator"]["quantization"]["rule"] = "kl";
  write_file(dir / "c.json", c.dump());
  check_one_line_error(run_process({nas_binary(), "validate", (dir / "c.json").string()}),
                       "/evaluator/quantization/rule: ");

  c = int8_config(dir);
  c["objectives"][0]["metric"] = "val_acc_int4";
  write_file(dir / "c.json", c.dump());
  check_one_line_error(run_process({nas_binary(), "validate", (dir / "c.json").string()}),
                       "/objectives/0/metric: ");
}

}  // namespace
}  // namespace nas::test
