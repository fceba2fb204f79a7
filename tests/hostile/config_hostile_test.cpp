// Configuration files and stored run configurations against hostile input
// (issue 19, items 3 and 8): `nas validate` on real files, load_run on a
// real SQLite store. Every refusal is one line that names what is wrong.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "results/store.h"
#include "results/stored_run.h"
#include "tests/hostile/raw_peer.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

// A shipped configuration's text with `member` ("\"key\": value") added
// first at its top level: the configuration is valid but for it.
std::string shipped_with(const std::string& member) {
  const std::string text = read_file(std::string(NAS_SOURCE_DIR) + "/configs/nb201-random.json");
  return "{" + member + "," + text.substr(text.find('{') + 1);
}

// `nas validate` on a file holding `text`: what it said.
ProcessResult validate(const TempDir& dir, const std::string& text) {
  write_file(dir / "config.json", text);
  return run_process({nas_binary(), "validate", (dir / "config.json").string()});
}

// A refusal: exit status 2, one short line, no "internal error".
void check_one_line(const ProcessResult& r, const std::string& expected) {
  CHECK(r.exit_code == 2);
  CHECK_MESSAGE(r.err.find(expected) != std::string::npos, r.err.substr(0, 500));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.size() < 1000);
  CHECK(r.err.find("internal error") == std::string::npos);
}

TEST_CASE("3: nas validate refuses a configuration nested 100,000 levels deep, in one line") {
  TempDir dir;
  const ProcessResult r = validate(dir, R"({"name": "deep", "search": )" + nested_arrays(100000) + "}");
  check_one_line(r, "config.json:1:");
  CHECK(r.err.find("nested deeper than 64 levels") != std::string::npos);
}

TEST_CASE("3: a stored run configuration nested too deep is refused by load_run") {
  TempDir dir;
  const std::string path = (dir / "runs.db").string();
  std::int64_t run = 0;
  {
    Store store = Store::open(path, StoreMode::kReadWrite);
    RunInfo info;
    info.name = "deep";
    info.config_json = R"({"name": "deep", "search": )" + nested_arrays(100000) + "}";
    info.config_hash = "x";
    info.code_version = "test";
    run = store.begin_run(info);
  }
  const Store store = Store::open(path, StoreMode::kReadOnly);
  CHECK_THROWS_WITH_AS(load_run(store, run), doctest::Contains("nested deeper than 64 levels"),
                       StoredRunError);
}

TEST_CASE("8: a number too large for a double is a configuration error, not an internal one") {
  TempDir dir;
  check_one_line(validate(dir, R"({"name": "big", "seed": 1e999})"), "number overflow parsing '1e999'");
}

TEST_CASE("8: a 10 MB string is quoted in an error only in part") {
  TempDir dir;
  const std::string huge(10 << 20, 'k');
  check_one_line(validate(dir, shipped_with("\"" + huge + "\": 1")), "kkk...: unknown key");
  check_one_line(validate(dir, R"({"name": ")" + huge), "syntax error");        // unterminated
  check_one_line(validate(dir, R"({"name": ")" + huge + R"(", "x": })"), "syntax error");
}

TEST_CASE("8: a NUL in a key does not cut the error message short") {
  TempDir dir;
  const ProcessResult r = validate(dir, shipped_with(R"("na\u0000me": "x")"));
  check_one_line(r, "/na?me: unknown key");
}

}  // namespace
}  // namespace nas::test
