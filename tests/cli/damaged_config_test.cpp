// A run whose stored configuration is damaged: `nas export` and `nas
// predictor eval` name the store and the run in one line, exit 1, and leave
// the store file byte-for-byte as it was.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "sqlite_peek.h"
#include "tests/cli/tiny_mbv3_config.h"
#include "tests/cli/shipped_config.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

// Replaces run `run_id`'s stored configuration with `text`, as a damaged
// file or a foreign tool would leave it.
void damage_config(const std::string& db_path, std::int64_t run_id, const std::string& text) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "UPDATE runs SET config_json = ? WHERE id = ?", -1, &stmt,
                             nullptr) == SQLITE_OK);
  sqlite3_bind_text(stmt, 1, text.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(stmt, 2, run_id);
  CHECK(sqlite3_step(stmt) == SQLITE_DONE);
  sqlite3_finalize(stmt);
  CHECK(sqlite3_changes(db) == 1);
  sqlite3_close(db);
}

// Runs `args`, which must fail on the damaged store `db`: exit status 1 and
// one line on stderr that starts with `expected`; the file unchanged.
void check_refused(const std::string& db, const std::vector<std::string>& args,
                   const std::string& expected) {
  const std::string before = read_file(db);
  const ProcessResult r = run_process(args);
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.rfind(expected, 0) == 0, r.err);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find("internal error") == std::string::npos);
  CHECK(read_file(db) == before);
}

const std::string kNotJson = R"({"name": "nb201", "objectives": [)";
const std::string kNotAConfig = R"({"objectives": 3})";

TEST_CASE("nas export names the store and run whose stored configuration is damaged") {
  TempDir dir;
  nlohmann::json c = shipped_config("nb201-raspi4");
  c["name"] = "damaged";
  c["store"] = (dir / "nb.db").string();
  c["search"] = {{"strategy", "random"}, {"budget", 3}};
  write_file(dir / "nb.json", c.dump());
  const auto run = run_process({nas_binary(), "run", (dir / "nb.json").string(), "-q"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const std::string db = (dir / "nb.db").string();
  const std::string arch = query_column(db, "SELECT id FROM archs LIMIT 1")[0];
  const std::vector<std::string> args = {nas_binary(), "export", db, "--arch", arch,
                                         "-o", (dir / "x.onnx").string()};

  damage_config(db, 1, kNotJson);
  check_refused(db, args, "nas: store " + db + ", run 1: stored configuration is not valid JSON: ");
  damage_config(db, 1, kNotAConfig);
  check_refused(db, args,
                "nas: store " + db + ", run 1: stored configuration cannot be read by this build: ");
  CHECK_FALSE(std::filesystem::exists(dir / "x.onnx"));
}

TEST_CASE("nas predictor eval names the store and run whose stored configuration is damaged") {
  TempDir dir;
  const nlohmann::json c = test::tiny_lut_config(dir.path(), "damaged-lut");
  write_file(dir / "lut.json", c.dump(2));
  // Ten measured subnets: as many as predictor eval needs to reach the
  // run's configuration.
  const auto build = run_process({nas_binary(), "lut", "build", "--config",
                                  (dir / "lut.json").string(), "--device", "cpu", "--fit", "6",
                                  "--holdout", "4", "-q"});
  REQUIRE_MESSAGE(build.exit_code == 0, build.err);
  const std::string db = (dir / "lut.db").string();
  REQUIRE(query_int(db, "SELECT count(*) FROM evaluations WHERE source = 'measured'") == 10);
  const std::vector<std::string> args = {nas_binary(), "predictor", "eval", db,
                                         "--device", "cpu"};

  damage_config(db, 1, kNotJson);
  check_refused(db, args, "nas: store " + db + ", run 1: stored configuration is not valid JSON: ");
  damage_config(db, 1, kNotAConfig);
  check_refused(db, args,
                "nas: store " + db + ", run 1: stored configuration cannot be read by this build: ");
}

}  // namespace
}  // namespace nas::test
