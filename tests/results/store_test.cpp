#include "results/store.h"

#include <sqlite3.h>

#include <doctest/doctest.h>

#include <string>

#include "core/errors.h"
#include "results/schema.h"
#include "test_util.h"

namespace nas {
namespace {

using test::TempDir;

using test::RawDb;

// Opening `path` in either mode fails with `message`, and the file is left
// exactly as it was, with no -wal, -shm or -journal beside it.
void check_refused(const std::string& path, const std::string& message) {
  const std::string before = test::read_bytes(path);
  for (StoreMode mode : {StoreMode::kReadWrite, StoreMode::kReadOnly}) {
    CAPTURE(static_cast<int>(mode));
    CHECK_THROWS_WITH_AS(Store::open(path, mode), doctest::Contains(message.c_str()),
                         nas::Error);
    CHECK(test::read_bytes(path) == before);
    CHECK_FALSE(test::exists(path + "-wal"));
    CHECK_FALSE(test::exists(path + "-shm"));
    CHECK_FALSE(test::exists(path + "-journal"));
  }
}

TEST_CASE("a new store gets the schema, our application id and WAL mode") {
  TempDir dir;
  const std::string path = dir.file("run.db");
  {
    Store store = Store::open(path, StoreMode::kReadWrite);
    CHECK(store.schema_version() == current_schema_version());
    CHECK(store.schema_version() == static_cast<int>(migrations().size()));
    CHECK(store.list_runs().empty());
  }
  RawDb raw(path);
  CHECK(raw.query_int("PRAGMA user_version") == current_schema_version());
  CHECK(raw.query_int("PRAGMA application_id") == kStoreApplicationId);
  CHECK(raw.query_int("SELECT count(*) FROM sqlite_master WHERE name = 'evaluations'") == 1);
  CHECK(raw.query_int("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'") ==
        1);
}

TEST_CASE("reopening a store keeps its data, in both modes") {
  TempDir dir;
  const std::string path = dir.file("run.db");
  std::int64_t run_id = 0;
  {
    Store store = Store::open(path, StoreMode::kReadWrite);
    run_id = store.begin_run(test::run_info("quick", R"({"name":"quick"})"));
    store.begin_session(run_id);
  }
  for (StoreMode mode : {StoreMode::kReadWrite, StoreMode::kReadOnly}) {
    Store store = Store::open(path, mode);
    const auto runs = store.list_runs();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].id == run_id);
    CHECK(runs[0].name == "quick");
    CHECK(runs[0].status == "running");
    CHECK(runs[0].strategy == "nsga2");
    CHECK(runs[0].seed == 7);
    CHECK(runs[0].code_version == "0.1.0+test");
    CHECK(runs[0].sessions == 1);
    CHECK(runs[0].queries == 0);
    CHECK_FALSE(runs[0].finished_at.has_value());
    CHECK(store.run_config(run_id) == R"({"name":"quick"})");
  }
}

TEST_CASE("a seed above 2^63 survives the round trip") {
  TempDir dir;
  Store store = Store::open(dir.file("run.db"), StoreMode::kReadWrite);
  RunInfo info = test::run_info("big");
  info.seed = 18446744073709551615ULL;
  const std::int64_t id = store.begin_run(info);
  CHECK(store.run(id)->seed == 18446744073709551615ULL);
}

TEST_CASE("a report's read-only open leaves no -wal or -shm behind") {
  TempDir dir;
  const std::string path = dir.file("run.db");
  {
    Store store = Store::open(path, StoreMode::kReadWrite);
    store.begin_run(test::run_info("quick"));
  }
  CHECK_FALSE(test::exists(path + "-wal"));
  const std::string before = test::read_bytes(path);
  {
    Store store = Store::open(path, StoreMode::kReadOnly);
    CHECK(store.list_runs().size() == 1);
  }
  CHECK(test::read_bytes(path) == before);
  CHECK_FALSE(test::exists(path + "-wal"));
  CHECK_FALSE(test::exists(path + "-shm"));
}

TEST_CASE("runs: resumable lookup, finishing, unknown ids") {
  TempDir dir;
  Store store = Store::open(dir.file("run.db"), StoreMode::kReadWrite);
  CHECK_FALSE(store.find_resumable_run("a").has_value());
  const std::int64_t first = store.begin_run(test::run_info("a"));
  const std::int64_t second = store.begin_run(test::run_info("a"));
  store.begin_run(test::run_info("b"));

  auto found = store.find_resumable_run("a");
  REQUIRE(found.has_value());
  CHECK(found->id == second);
  CHECK(found->config_hash == "hash-a");

  store.finish_run(second);
  found = store.find_resumable_run("a");
  REQUIRE(found.has_value());
  CHECK(found->id == first);
  store.finish_run(first);
  CHECK_FALSE(store.find_resumable_run("a").has_value());

  const auto finished = store.run(second);
  REQUIRE(finished.has_value());
  CHECK(finished->status == "finished");
  CHECK(finished->finished_at.has_value());

  CHECK_THROWS_WITH_AS(store.finish_run(999), doctest::Contains("no run with id 999"),
                       nas::UsageError);
  CHECK_THROWS_WITH_AS(store.begin_session(999), doctest::Contains("no run with id 999"),
                       nas::UsageError);
  CHECK_THROWS_AS(store.run_config(999), nas::UsageError);
  CHECK_FALSE(store.run(999).has_value());
}

TEST_CASE("write_front replaces the front and refuses unknown architectures") {
  TempDir dir;
  Store store = Store::open(dir.file("run.db"), StoreMode::kReadWrite);
  const std::int64_t run = store.begin_run(test::run_info("a"));
  CHECK(store.front(run).empty());
  CHECK_THROWS_WITH_AS(store.write_front(run, {"0123456789abcdef"}),
                       doctest::Contains("not in the store"), nas::Error);
  CHECK(store.front(run).empty());  // nothing of the failed call stayed
}

TEST_CASE("a read-only store refuses writes") {
  TempDir dir;
  const std::string path = dir.file("run.db");
  Store::open(path, StoreMode::kReadWrite);
  Store store = Store::open(path, StoreMode::kReadOnly);
  CHECK(store.mode() == StoreMode::kReadOnly);
  CHECK_THROWS_WITH_AS(store.begin_run(test::run_info("x")), doctest::Contains("read-only"),
                       nas::UsageError);
}

TEST_CASE("read-only open of a missing file fails without creating it") {
  TempDir dir;
  const std::string path = dir.file("missing.db");
  CHECK_THROWS_WITH_AS(Store::open(path, StoreMode::kReadOnly),
                       doctest::Contains(("store " + path + ": no such file").c_str()), nas::Error);
  CHECK_FALSE(test::exists(path));
}

TEST_CASE("an empty file and an empty SQLite database become stores") {
  TempDir dir;
  const std::string empty_file = dir.file("empty.db");
  test::write_bytes(empty_file, "");
  CHECK(Store::open(empty_file, StoreMode::kReadWrite).schema_version() ==
        current_schema_version());

  const std::string empty_db = dir.file("empty_sqlite.db");
  {
    RawDb raw(empty_db);
    raw.exec("CREATE TABLE t (x INTEGER)");  // writes the header page
    raw.exec("DROP TABLE t");
  }
  CHECK(test::read_bytes(empty_db).size() > 0);
  CHECK_THROWS_WITH_AS(Store::open(empty_db, StoreMode::kReadOnly),
                       doctest::Contains("not a nas fitness store"), nas::Error);
  CHECK(Store::open(empty_db, StoreMode::kReadWrite).schema_version() ==
        current_schema_version());
  RawDb raw(empty_db);
  CHECK(raw.query_int("PRAGMA application_id") == kStoreApplicationId);
}

TEST_CASE("a file of random bytes is refused and left untouched") {
  TempDir dir;
  const std::string path = dir.file("noise.db");
  test::write_bytes(path, test::random_bytes(8192, 1));
  check_refused(path, "store " + path + ": file is not a database or is corrupt");
}

TEST_CASE("a SQLite header followed by garbage is refused and left untouched") {
  TempDir dir;
  const std::string source = dir.file("source.db");
  {
    RawDb raw(source);
    raw.exec("CREATE TABLE t (x INTEGER)");
  }
  const std::string header = test::read_bytes(source).substr(0, 100);
  REQUIRE(header.substr(0, 16) == std::string("SQLite format 3\0", 16));

  const std::string path = dir.file("garbage.db");
  test::write_bytes(path, header + test::random_bytes(8192 - 100, 2));
  check_refused(path, "file is not a database or is corrupt");

  // The same with our own application id in the header.
  std::string ours = header;
  ours[68] = 'n';
  ours[69] = 'a';
  ours[70] = 's';
  ours[71] = '1';
  const std::string path2 = dir.file("garbage2.db");
  test::write_bytes(path2, ours + test::random_bytes(8192 - 100, 3));
  check_refused(path2, "file is not a database or is corrupt");
}

TEST_CASE("a SQLite database of another application is refused and left untouched") {
  TempDir dir;
  SUBCASE("rollback journal, no application id") {
    const std::string path = dir.file("foreign.db");
    {
      RawDb raw(path);
      raw.exec("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)");
      raw.exec("INSERT INTO photos (name) VALUES ('cat.jpg')");
    }
    check_refused(path, "store " + path +
                            ": not a nas fitness store (it has tables of another application)");
  }
  SUBCASE("WAL mode and an application id of its own") {
    const std::string path = dir.file("foreign_wal.db");
    {
      RawDb raw(path);
      raw.exec("PRAGMA application_id = 1234");
      raw.exec("PRAGMA journal_mode = WAL");
      raw.exec("CREATE TABLE notes (body TEXT)");
      raw.exec("INSERT INTO notes VALUES ('hello')");
    }
    REQUIRE_FALSE(test::exists(path + "-wal"));
    check_refused(path, "not a nas fitness store (it has tables of another application)");
  }
  SUBCASE("another application id and no tables") {
    const std::string path = dir.file("foreign_empty.db");
    {
      RawDb raw(path);
      raw.exec("PRAGMA application_id = 1234");
    }
    check_refused(path, "not a nas fitness store (application id 0x000004d2)");
  }
}

TEST_CASE("a store with a damaged page is refused and left untouched") {
  TempDir dir;
  const std::string path = dir.file("damaged.db");
  {
    Store store = Store::open(path, StoreMode::kReadWrite);
    RunInfo info;
    info.name = "r";
    info.config_json = std::string(200, 'c');
    for (int i = 0; i < 400; ++i) store.begin_run(info);  // about 40 pages of runs
  }
  REQUIRE_FALSE(test::exists(path + "-wal"));
  std::string bytes = test::read_bytes(path);
  REQUIRE(bytes.size() > 16 * 4096);
  // 4 KiB of random bytes in the middle, past the header page: SQLite's
  // header checks pass, its integrity check does not.
  const std::string noise = test::random_bytes(4096, 7);
  bytes.replace(bytes.size() / 2 / 4096 * 4096, 4096, noise);
  test::write_bytes(path, bytes);
  check_refused(path, "store " + path + ": file is corrupt");
}

// Copies `from` and the -wal and -shm beside it, as they are while a
// connection has the database open in WAL mode.
void copy_with_wal(const std::string& from, const std::string& to) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    test::write_bytes(to + suffix, test::read_bytes(from + suffix));
  }
}

TEST_CASE("another application's database with a -wal beside it is refused, all three files untouched") {
  TempDir dir;
  const std::string live = dir.file("live.db");
  const std::string path = dir.file("foreign_with_wal.db");
  {
    RawDb raw(live);
    raw.exec("PRAGMA journal_mode = WAL");
    raw.exec("PRAGMA wal_autocheckpoint = 0");
    raw.exec("CREATE TABLE notes (body TEXT)");
    raw.exec("INSERT INTO notes VALUES ('hello')");
    REQUIRE(test::exists(live + "-wal"));
    copy_with_wal(live, path);  // while the connection holds the log
  }
  const std::string main_before = test::read_bytes(path);
  const std::string wal_before = test::read_bytes(path + "-wal");
  const std::string shm_before = test::read_bytes(path + "-shm");
  REQUIRE(wal_before.size() > 0);
  for (StoreMode mode : {StoreMode::kReadWrite, StoreMode::kReadOnly}) {
    CAPTURE(static_cast<int>(mode));
    CHECK_THROWS_WITH_AS(Store::open(path, mode), doctest::Contains("not a nas fitness store"),
                         nas::Error);
    CHECK(test::read_bytes(path) == main_before);
    CHECK(test::read_bytes(path + "-wal") == wal_before);
    CHECK(test::read_bytes(path + "-shm") == shm_before);
  }
}

TEST_CASE("a store with a newer schema version is refused and left untouched") {
  TempDir dir;
  const std::string path = dir.file("future.db");
  Store::open(path, StoreMode::kReadWrite);
  {
    RawDb raw(path);
    raw.exec("PRAGMA user_version = 99");
  }
  REQUIRE_FALSE(test::exists(path + "-wal"));
  check_refused(path, "schema version 99 is newer than this build knows");
}

TEST_CASE("a store opened read-only while a writer holds it reads committed data") {
  TempDir dir;
  const std::string path = dir.file("live.db");
  Store writer = Store::open(path, StoreMode::kReadWrite);
  const std::int64_t run = writer.begin_run(test::run_info("live"));
  writer.begin_session(run);

  // Another connection holds the write lock with an uncommitted change.
  RawDb other(path);
  other.exec("BEGIN IMMEDIATE");
  other.exec("UPDATE runs SET name = 'uncommitted'");

  Store reader = Store::open(path, StoreMode::kReadOnly);
  const auto runs = reader.list_runs();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].name == "live");
  CHECK(runs[0].sessions == 1);
  other.exec("ROLLBACK");

  // The writer goes on; the reader sees each commit as it lands.
  writer.finish_run(run);
  CHECK(reader.run(run)->status == "finished");
}

TEST_CASE("an SQLite failure after opening names the store and what SQLite said") {
  TempDir dir;
  const std::string path = dir.file("damaged.db");
  Store store = Store::open(path, StoreMode::kReadWrite);
  const std::int64_t run = store.begin_run(test::run_info("r"));
  {
    RawDb other(path);
    other.exec("DROP TABLE front");
  }
  CHECK_THROWS_WITH_AS(store.front(run),
                       doctest::Contains(("store " + path + ": no such table: front").c_str()),
                       nas::Error);
  CHECK_THROWS_WITH_AS(store.write_front(run, {}),
                       doctest::Contains(("store " + path + ": no such table: front").c_str()),
                       nas::Error);
}

}  // namespace
}  // namespace nas
