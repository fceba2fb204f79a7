// The configurations shipped in configs/, read as the cli tests start from
// them (each test then changes what it needs).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/process.h"

namespace nas::test {

// configs/<name>.json of this source tree.
inline nlohmann::json shipped_config(const std::string& name) {
  return nlohmann::json::parse(read_file(std::string(NAS_SOURCE_DIR) + "/configs/" + name + ".json"));
}

// nb201-raspi4 as a screened run "screened": 200 queries, at most 40 of them
// measured on raspi4 after 15 measured to warm the predictor up.
inline nlohmann::json screened_nb201_config() {
  nlohmann::json c = shipped_config("nb201-raspi4");
  c["name"] = "screened";
  c["search"]["budget"] = 200;
  c["screening"] = {{{"metric", "raspi4_ms"}, {"budget", 40}, {"warmup", 15}}};
  return c;
}

}  // namespace nas::test
