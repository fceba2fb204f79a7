#include "estimators/data_files.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/errors.h"

namespace nas {

std::string shipped_data_file(const std::string& relative_path) {
  std::vector<std::string> roots;
  if (const char* env = std::getenv("NAS_DATA_DIR"); env && *env) roots.emplace_back(env);
  roots.emplace_back(NAS_SOURCE_DATA_DIR);
  roots.emplace_back(NAS_INSTALL_DATA_DIR);
  std::string tried;
  for (const auto& root : roots) {
    const auto candidate = std::filesystem::path(root) / relative_path;
    if (std::filesystem::is_regular_file(candidate)) return candidate.string();
    tried += (tried.empty() ? "" : ", ") + candidate.string();
  }
  throw Error("data file " + relative_path + " not found (looked at " + tried +
              "; set NAS_DATA_DIR to the folder that holds estimators/)");
}

}  // namespace nas
