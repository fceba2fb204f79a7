// Helpers shared by the results tests: a temporary folder and file bytes.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <unistd.h>

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
