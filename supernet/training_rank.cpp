#include "supernet/training_rank.h"

#include <cstdlib>

#include "core/errors.h"

namespace nas {
namespace {

long parse_integer(const std::string& where, const std::string& text, long low, long high) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < low || value > high) {
    throw UsageError(where + "='" + text + "': expected an integer in [" + std::to_string(low) +
                     ", " + std::to_string(high) + "]");
  }
  return value;
}

std::optional<std::string> variable(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string required(const char* name) {
  auto value = variable(name);
  if (!value) {
    throw UsageError(std::string("WORLD_SIZE is set but ") + name +
                     " is not: a rank needs RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT");
  }
  return *value;
}

}  // namespace

std::optional<TrainingRank> training_rank_from_environment() {
  const auto world = variable("WORLD_SIZE");
  if (!world) return std::nullopt;
  TrainingRank r;
  r.world_size = static_cast<int>(parse_integer("WORLD_SIZE", *world, 1, 65536));
  r.rank = static_cast<int>(parse_integer("RANK", required("RANK"), 0, r.world_size - 1));
  r.master_addr = required("MASTER_ADDR");
  if (r.master_addr.empty()) throw UsageError("MASTER_ADDR is empty");
  r.master_port = static_cast<int>(parse_integer("MASTER_PORT", required("MASTER_PORT"), 1, 65535));
  return r;
}

void parse_master_address(const std::string& text, TrainingRank& rank) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw UsageError("--master '" + text + "': expected HOST:PORT");
  }
  rank.master_addr = text.substr(0, colon);
  rank.master_port =
      static_cast<int>(parse_integer("--master port", text.substr(colon + 1), 1, 65535));
}

}  // namespace nas
