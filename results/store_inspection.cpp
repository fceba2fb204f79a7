#include "results/store_inspection.h"

#include <sqlite3.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/errors.h"
#include "results/schema.h"
#include "results/sqlite.h"

namespace nas {
namespace {

std::string hex32(std::int64_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", static_cast<unsigned>(value & 0xffffffff));
  return text;
}

// A file: URI for `path` (percent-encoding what a URI would misread).
std::string file_uri(const std::string& path) {
  const std::string absolute = std::filesystem::absolute(path).string();
  std::string uri = "file:";
  for (unsigned char c : absolute) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      uri += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      uri += escaped;
    }
  }
  return uri;
}

bool is_corruption(const sqlite::SqliteError& e) {
  return e.primary_code() == SQLITE_NOTADB || e.primary_code() == SQLITE_CORRUPT;
}

[[noreturn]] void throw_not_a_database(const std::string& label) {
  throw Error(label + ": file is not a database or is corrupt");
}

}  // namespace

// Corruption is reported as such, whichever query meets it first.
Inspection inspect_connection(sqlite::Database& db, const std::string& label, bool check_pages) {
  try {
    Inspection found;
    found.application_id = db.query_int("PRAGMA application_id");
    found.user_version = db.query_int("PRAGMA user_version");
    found.tables = db.query_int("SELECT count(*) FROM sqlite_master");
    if (check_pages && found.application_id == kStoreApplicationId) {
      // quick_check reads every page, so a damaged page refuses the file
      // before anything writes on top of it.
      sqlite::Statement check(db, "PRAGMA quick_check(1)");
      const std::string verdict = check.step() ? check.column_text(0) : std::string();
      if (verdict != "ok") {
        throw Error(label + ": file is corrupt (SQLite's integrity check: " + verdict +
                    "); it was left untouched");
      }
    }
    return found;
  } catch (const sqlite::SqliteError& e) {
    if (is_corruption(e)) throw_not_a_database(label);
    throw;
  }
}

Inspection inspect_file(const std::string& path, const std::string& label) {
  try {
    sqlite::Database db(file_uri(path) + "?mode=ro&immutable=1",
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, label);
    return inspect_connection(db, label, /*check_pages=*/true);
  } catch (const sqlite::SqliteError& e) {
    if (is_corruption(e)) throw_not_a_database(label);
    throw;
  }
}

// Bytes 68-71 of the header, big-endian.
std::int64_t header_application_id(const std::string& path, const std::string& label) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) throw Error(label + ": cannot read the file: " + std::strerror(errno));
  unsigned char header[72] = {};
  const std::size_t got = std::fread(header, 1, sizeof header, file);
  std::fclose(file);
  if (got < sizeof header) return 0;
  const std::uint32_t id = (std::uint32_t{header[68]} << 24) | (std::uint32_t{header[69]} << 16) |
                           (std::uint32_t{header[70]} << 8) | std::uint32_t{header[71]};
  return static_cast<std::int32_t>(id);
}

void check_is_our_store(const Inspection& found, const std::string& label) {
  if (found.application_id != kStoreApplicationId) {
    if (found.tables > 0) {
      throw Error(label + ": not a nas fitness store (it has tables of another application)");
    }
    if (found.application_id != 0) {
      throw Error(label + ": not a nas fitness store (application id " +
                  hex32(found.application_id) + ")");
    }
  }
  if (found.user_version > current_schema_version()) {
    throw Error(label + ": schema version " + std::to_string(found.user_version) +
                " is newer than this build knows (" + std::to_string(current_schema_version()) +
                "); use a newer nas to open it");
  }
}

}  // namespace nas
