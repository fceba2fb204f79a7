// Read-only looks into a store from tests, with the plain SQLite API.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace nas::test {

// Column 0 of every row of `sql`, as text; empty when the query fails (for
// example while the schema is not created yet).
inline std::vector<std::string> query_column(const std::string& db_path, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return out;
  }
  sqlite3_busy_timeout(db, 2000);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

inline std::int64_t query_int(const std::string& db_path, const std::string& sql) {
  const auto rows = query_column(db_path, sql);
  return rows.empty() || rows[0].empty() ? -1 : std::stoll(rows[0]);
}

}  // namespace nas::test
