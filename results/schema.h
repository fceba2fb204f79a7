// The fitness store's schema and its migrations.
//
// The schema version lives in `PRAGMA user_version`. migrations() lists the
// steps in order: step i brings a database from version i to version i + 1.
// To change the schema, append a step (never edit a released one) and the
// store upgrades older files when it opens them read-write.
#pragma once

#include <cstdint>
#include <vector>

namespace nas::sqlite {
class Database;
}

namespace nas {

// `PRAGMA application_id` of every fitness store: "nas1" in ASCII.
constexpr std::int32_t kStoreApplicationId = 0x6E617331;

struct Migration {
  int version;      // the user_version after this step
  const char* sql;  // one or more statements
};

// Every migration, oldest first; versions are 1, 2, ... in order.
const std::vector<Migration>& migrations();

// The schema version this build writes and reads.
int current_schema_version();

// Applies the steps still missing, each in its own transaction that also sets
// user_version. Safe against a second process migrating at the same time: the
// version is read again inside each transaction. Throws nas::Error.
void migrate(sqlite::Database& db);

}  // namespace nas
