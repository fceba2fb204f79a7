// Small IDX data sets written into a temporary folder, so that supernet tests
// never read the 60,000-image files. Images carry a class-dependent pattern
// (a bright bar whose row is the label) plus noise, so a network can learn it.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace nas::test {

inline std::vector<std::uint8_t> be32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

inline void write_file(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes,
                       bool gz) {
  if (gz) {
    gzFile f = gzopen(path.string().c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
  } else {
    std::FILE* f = std::fopen(path.string().c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
}

// Writes <prefix>-images-idx3-ubyte[.gz] and <prefix>-labels-idx1-ubyte[.gz].
inline void write_idx_pair(const std::filesystem::path& dir, const std::string& prefix, int n,
                           bool gz, unsigned seed = 1, int side = 28) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> images = be32(0x803), labels = be32(0x801);
  for (auto v : {be32(static_cast<std::uint32_t>(n)), be32(static_cast<std::uint32_t>(side)),
                 be32(static_cast<std::uint32_t>(side))}) {
    images.insert(images.end(), v.begin(), v.end());
  }
  auto count = be32(static_cast<std::uint32_t>(n));
  labels.insert(labels.end(), count.begin(), count.end());
  for (int i = 0; i < n; ++i) {
    const int label = static_cast<int>(rng() % 10);
    labels.push_back(static_cast<std::uint8_t>(label));
    for (int y = 0; y < side; ++y) {
      for (int x = 0; x < side; ++x) {
        const bool bar = y / (side / 10 > 0 ? side / 10 : 1) == label;
        images.push_back(static_cast<std::uint8_t>((bar ? 160 : 0) + rng() % 64));
      }
    }
  }
  const std::string ext = gz ? ".gz" : "";
  write_file(dir / (prefix + "-images-idx3-ubyte" + ext), images, gz);
  write_file(dir / (prefix + "-labels-idx1-ubyte" + ext), labels, gz);
}

// A fresh temporary folder, removed with its contents at scope exit.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    path_ = std::filesystem::temp_directory_path() /
            ("nas-" + tag + "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace nas::test
