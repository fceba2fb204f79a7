// A search on int8 accuracy and int8 model size through the real binary:
// the front is scored on the test split at int8 too, the store keeps the
// calibration in the fidelity, and bad quantization settings are one-line
// errors naming their JSON path.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/cli/sqlite_peek.h"
#include "tests/cli/tiny_mbv3_config.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

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
  for (const std::string& metric : {"val_acc_int8", "test_acc_int8"}) {
    CAPTURE(metric);
    const auto values = query_column(
        db, "SELECT value FROM evaluations WHERE metric = '" + metric + "' AND value IS NOT NULL");
    REQUIRE_FALSE(values.empty());
    for (const std::string& v : values) {
      CHECK(std::stod(v) > 0.3);  // 10 classes: far above chance after one epoch
      CHECK(std::stod(v) <= 1.0);
    }
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
