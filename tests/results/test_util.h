// Helpers shared by the results tests: a temporary folder and file bytes.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <unistd.h>

#include <doctest/doctest.h>
#include <sqlite3.h>

#include "core/nb201_space.h"
#include "core/search_space.h"
#include "results/store.h"

namespace nas::test {

// A fresh folder under the system's temporary directory, removed with all
// its content when the object goes.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::temp_directory_path() /
            ("nas_results_test_" + std::to_string(::getpid()) + "_" + std::to_string(stamp) +
             "_" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A plain SQLite connection, to set up files the way other programs (or an
// older nas) would and to look at rows the Store does not expose.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  void exec(const std::string& sql) {
    const std::string error = error_of(sql);
    REQUIRE_MESSAGE(error.empty(), error);
  }
  // Runs `sql`; SQLite's message when it fails, "" when it ran.
  std::string error_of(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    std::string text = message ? message : "";
    sqlite3_free(message);
    if (rc != SQLITE_OK && text.empty()) text = sqlite3_errstr(rc);
    return rc == SQLITE_OK ? std::string() : text;
  }
  long long query_int(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    const long long value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
  }
  // The first column of the first row as text; "<no row>" or "<null>".
  std::string text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
    std::string out = "<no row>";
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* t = sqlite3_column_text(stmt, 0);
      out = t ? reinterpret_cast<const char*>(t) : "<null>";
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

inline std::string read_bytes(const std::string& path) {
  std::string out(static_cast<std::size_t>(std::filesystem::file_size(path)), '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  return out;
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

inline std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

inline bool exists(const std::string& path) { return std::filesystem::exists(path); }

inline RunInfo run_info(const std::string& name, const std::string& config_json = "{}") {
  RunInfo info;
  info.name = name;
  info.config_json = config_json;
  info.config_hash = "hash-" + name;
  info.code_version = "0.1.0+test";
  info.seed = 7;
  info.strategy = "nsga2";
  return info;
}

// A few distinct NB201 architectures.
inline Arch nb201_arch(int i) {
  return Arch{{i % 5, (i / 5) % 5, (i / 25) % 5, (i / 125) % 5, 1, 2}};
}

}  // namespace nas::test
