// Files that are not a nas store are refused by the real binary and left
// byte-for-byte as they were.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>

#include "tests/support/process.h"

namespace nas::test {
namespace {

void check_refused(const TempDir& dir, const std::string& db, const std::string& message) {
  const std::string before = read_file(db);
  const std::string config = std::string(NAS_SOURCE_DIR) + "/configs/nb201-raspi4.json";
  const auto run = run_process({nas_binary(), "run", config, "--store", db, "-q"});
  CHECK(run.exit_code == 1);
  CHECK_MESSAGE(run.err.find(message) != std::string::npos, run.err);
  CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
  const auto report = run_process({nas_binary(), "report", db});
  CHECK(report.exit_code == 1);
  CHECK_MESSAGE(report.err.find(message) != std::string::npos, report.err);
  CHECK(read_file(db) == before);
  CHECK_FALSE(std::filesystem::exists(db + "-wal"));
  CHECK_FALSE(std::filesystem::exists(db + "-shm"));
  (void)dir;
}

TEST_CASE("a corrupt file is refused and left unchanged") {
  TempDir dir;
  const auto db = (dir / "corrupt.db").string();
  std::string bytes = "SQLite format 3";
  bytes.push_back('\0');
  for (int i = 0; i < 4000; ++i) bytes.push_back(static_cast<char>((i * 7919) % 251));
  write_file(db, bytes);
  check_refused(dir, db, "file is not a database or is corrupt");
}

TEST_CASE("another application's SQLite file is refused and left unchanged") {
  TempDir dir;
  const auto db = (dir / "foreign.db").string();
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle, "CREATE TABLE invoices (id INTEGER, total REAL);"
                               "INSERT INTO invoices VALUES (1, 9.5);",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  check_refused(dir, db, "not a nas fitness store");
}

}  // namespace
}  // namespace nas::test
