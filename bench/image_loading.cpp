// Does loading keep up with training? For an image folder written from
// Fashion-MNIST (alternating PNG and JPEG, 28 px; or a folder given), prints
// images/s of each stage of the loader (decode and resize from the files;
// read back from the cache; normalise and batch as a training step does)
// beside images/s of `nas train` on the same folder (sandwich steps of the
// quickstart's supernet, one epoch), repeated `repeats` times, medians with
// their range.
//
// Usage: bench_image_loading [images=3000] [side=28] [repeats=3] [folder=DIR]
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_support.h"
#include "core/supernet_options.h"
#include "supernet/dataset.h"
#include "supernet/image_folder.h"
#include "tests/support/image_files.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void write_folder(const fs::path& root, int images) {
  nas::DataOptions options;
  options.validation = 1;
  const nas::ImageSet set = nas::load_training_splits(options).train;
  for (int i = 0; i < images; ++i) {
    const fs::path dir = root / ("class" + std::to_string(set.labels[static_cast<std::size_t>(i)]));
    fs::create_directories(dir);
    const std::uint8_t* pixels = set.pixels.data() + static_cast<std::size_t>(i) * 784;
    const fs::path stem = dir / ("img" + std::to_string(i));
    if (i % 2 == 0) nas::test::write_png(stem.string() + ".png", pixels, 28, 1);
    else nas::test::write_jpeg(stem.string() + ".jpg", pixels, 28, 1);
  }
}

// Normalise and batch as Supernet's training step does: bytes to floats,
// per-channel (x - mean) / std, a shuffled index_select per batch of 128.
double normalise_and_batch(const nas::ImageSet& set) {
  const auto start = Clock::now();
  const torch::Tensor images =
      torch::from_blob(const_cast<std::uint8_t*>(set.pixels.data()),
                       {set.size(), set.channels, set.height, set.width}, torch::kUInt8)
          .to(torch::kFloat32)
          .div_(255.0);
  const torch::Tensor order = torch::randperm(set.size());
  double checksum = 0;
  for (std::int64_t at = 0; at + 128 <= set.size(); at += 128) {
    const torch::Tensor batch = (images.index_select(0, order.narrow(0, at, 128)) - 0.286) / 0.353;
    checksum += batch[0][0][0][0].item<double>();
  }
  (void)checksum;
  return static_cast<double>(set.size()) / seconds_since(start);
}

double training_images_per_second(const fs::path& folder, const fs::path& work, int images) {
  nlohmann::json config =
      nlohmann::json::parse(std::ifstream(std::string(NAS_SOURCE_DIR) + "/configs/quickstart.json"));
  config["supernet"]["data"] = {{"dataset", "folder"}, {"path", folder.string()},
                                {"validation", std::max(1, images / 10)}};
  config["supernet"]["training"]["epochs"] = 1;
  config["supernet"]["training"]["checkpoint_dir"] = (work / "checkpoints").string();
  const fs::path path = work / "config.json";
  std::ofstream(path) << config.dump(2);
  const std::string log = nas::bench::nas_train_log(path.string());
  fs::remove_all(work / "checkpoints");
  std::smatch match;
  if (!std::regex_search(log, match, std::regex(R"(\(([0-9.]+) images/s)"))) {
    throw std::runtime_error("no throughput in:\n" + log);
  }
  return std::stod(match[1].str());
}

}  // namespace

int main(int argc, char** argv) {
  int images = 3000, side = 28, repeats = 3;
  std::string given;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("images=", 0) == 0) images = std::stoi(a.substr(7));
    else if (a.rfind("side=", 0) == 0) side = std::stoi(a.substr(5));
    else if (a.rfind("repeats=", 0) == 0) repeats = std::stoi(a.substr(8));
    else if (a.rfind("folder=", 0) == 0) given = a.substr(7);
  }
  const fs::path work = fs::temp_directory_path() / ("nas-bench-images-" + std::to_string(::getpid()));
  const fs::path folder = given.empty() ? work / "folder" : fs::path(given);
  if (given.empty()) write_folder(folder, images);
  const nas::ImageFolder listing = nas::list_image_folder(folder.string());
  const double n = static_cast<double>(listing.files.size());

  std::vector<double> decode, cached, batch, train;
  for (int r = 0; r < repeats; ++r) {
    const fs::path cache = work / ("cache" + std::to_string(r));
    auto start = Clock::now();
    const nas::ImageSet set = nas::read_image_folder(listing, side, cache.string());
    decode.push_back(n / seconds_since(start));
    start = Clock::now();
    const nas::ImageSet again = nas::read_image_folder(listing, side, cache.string());
    cached.push_back(n / seconds_since(start));
    batch.push_back(normalise_and_batch(again));
    train.push_back(training_images_per_second(folder, work, static_cast<int>(n)));
  }
  std::printf("%zu images (%s), resized to %d px, %d repeats; images/s, median (range)\n",
              listing.files.size(), given.empty() ? "Fashion-MNIST as PNG and JPEG" : given.c_str(),
              side, repeats);
  const nas::bench::Spread t = nas::bench::spread(train);
  for (const auto& [name, values] : {std::pair<const char*, std::vector<double>>{"decode + resize (first read)", decode},
                                     {"read back from the cache", cached},
                                     {"normalise + batch", batch},
                                     {"nas train, sandwich steps", train}}) {
    const nas::bench::Spread s = nas::bench::spread(values);
    std::printf("%-30s %10.0f (%.0f-%.0f)  %8.1fx training\n", name, s.median, s.low, s.high,
                s.median / t.median);
  }
  fs::remove_all(work);
  return 0;
}
