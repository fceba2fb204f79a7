// `nas validate` and `nas run` on bad configurations, through the real binary:
// one line on stderr naming the JSON path, exit status 2.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tests/cli/shipped_config.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

nlohmann::json good_config() {
  return shipped_config("nb201-raspi4");
}

ProcessResult validate_text(const std::string& text) {
  TempDir dir;
  write_file(dir / "c.json", text);
  return run_process({nas_binary(), "validate", (dir / "c.json").string()});
}

// Exit status 2 and exactly one line on stderr, which contains `expected`.
void check_one_line_error(const ProcessResult& r, const std::string& expected) {
  CHECK(r.exit_code == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_MESSAGE(r.err.find(expected) != std::string::npos, r.err);
}

TEST_CASE("every shipped configuration validates") {
  for (const char* name :
       {"nb201-raspi4", "nb201-pixel3-evolution", "nb201-random", "nb201-raspi4-surrogate"}) {
    const auto r = run_process({nas_binary(), "validate",
                                std::string(NAS_SOURCE_DIR) + "/configs/" + name + ".json"});
    CHECK_MESSAGE(r.exit_code == 0, name, ": ", r.err);
    CHECK(r.out.find(": ok (") != std::string::npos);
  }
}

TEST_CASE("nas --help lists the commands in the order of a user's day") {
  const auto r = run_process({nas_binary(), "--help"});
  REQUIRE(r.exit_code == 0);
  // Each command as it starts a line of CLI11's subcommand list.
  std::size_t previous = 0;
  for (const char* command : {"run", "validate", "report", "export", "dashboard", "broker",
                              "runner", "devices", "keygen", "lut", "predictor"}) {
    const std::size_t at = r.out.find(std::string("\n  ") + command + " ");
    REQUIRE_MESSAGE(at != std::string::npos, command, " missing from:\n", r.out);
    CHECK_MESSAGE(at > previous, command, " out of order in:\n", r.out);
    previous = at;
  }
}

TEST_CASE("each command's options come with its own --help") {
  const auto r = run_process({nas_binary(), "report", "--help"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("--where") != std::string::npos);
  CHECK(r.out.find("--resume") == std::string::npos);  // run's option, not report's
}

TEST_CASE("a syntax error names file, line and column") {
  const auto r = validate_text("{\n  \"name\": \"x\"\n  \"seed\": 1\n}\n");
  check_one_line_error(r, "c.json:3:8: syntax error: unexpected string literal; expected '}'");
}

TEST_CASE("an unknown key names its path") {
  auto c = good_config();
  c["search"]["populaton"] = 30;
  check_one_line_error(validate_text(c.dump()),
                       "/search/populaton: unknown key; did you mean \"population\"?");
}

TEST_CASE("a wrong type names its path and what was expected") {
  auto c = good_config();
  c["search"]["population"] = "ten";
  check_one_line_error(validate_text(c.dump()),
                       "/search/population: expected an integer >= 2, got \"ten\"");
}

TEST_CASE("an out-of-range value names its path and the range") {
  auto c = good_config();
  c["search"]["budget"] = -5;
  check_one_line_error(validate_text(c.dump()),
                       "/search/budget: expected an integer in [1, 100000000], got -5");
}

TEST_CASE("a metric the evaluator lacks names its path") {
  auto c = good_config();
  c["objectives"][1]["metric"] = "raspi5_ms";
  check_one_line_error(validate_text(c.dump()),
                       "/objectives/1/metric: the nb201 table has no metric \"raspi5_ms\"");
  c = good_config();
  c["constraints"] = {"jetson_ms <= 3"};
  check_one_line_error(validate_text(c.dump()), "/constraints/0: the nb201 table has no metric");
}

TEST_CASE("nas run refuses a bad configuration before touching any store") {
  TempDir dir;
  auto c = good_config();
  c["store"] = (dir / "never.db").string();
  c["seed"] = -1;
  write_file(dir / "c.json", c.dump());
  const auto r = run_process({nas_binary(), "run", (dir / "c.json").string()});
  check_one_line_error(r, "/seed: expected an integer >= 0, got -1");
  CHECK_FALSE(std::filesystem::exists(dir / "never.db"));
}

}  // namespace
}  // namespace nas::test
