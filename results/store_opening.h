// Opening a fitness store file: the checks that refuse a file that is not a
// store of ours before anything is written (store_inspection.h), the
// connection's settings, and for kReadWrite the schema's migrations
// (schema.h). The contracts, refusals included, are Store::open's and
// Store::connect's (results/store.h). Internal to the store.
#pragma once

#include <memory>
#include <string>

#include "results/store.h"

namespace nas {

class StoreConnection;

// The checked (and migrated) connection a Store works through.
std::unique_ptr<StoreConnection> open_store_file(const std::string& path, StoreMode mode);

// A bare connection opened after open_store_file's checks have passed.
std::unique_ptr<sqlite::Database> connect_store_file(const std::string& path, StoreMode mode);

}  // namespace nas
