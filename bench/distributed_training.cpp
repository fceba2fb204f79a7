// Data-parallel supernet training: images/s of `nas train` with 1 process
// and with N local ranks (c10d, Gloo on loopback), and the share of rank 0's
// training time spent in all-reduces (gradient buckets, synchronised batch
// norm statistics, the step's losses; waiting for a slower rank counts too).
// Each setting trains one epoch of the quickstart's supernet afresh on
// `images` Fashion-MNIST images, `repeats` times; the figures are medians
// with their range. The machine's cores are split between the ranks
// (threads = cores / ranks), so on a small machine more ranks are not
// expected to be faster: the figure is for machines with more cores or GPUs.
//
// Usage: bench_distributed_training [CONFIG] [ranks=2] [images=2560] [repeats=3] [cores=N]
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_support.h"

namespace {

struct Trained {
  double images_per_second = 0;
  double all_reduce_percent = 0;
};

Trained train_once(const nlohmann::json& base, const std::filesystem::path& dir, int ranks,
                   int threads, int images, int repeat) {
  nlohmann::json config = base;
  auto& training = config["supernet"]["training"];
  training["epochs"] = 1;
  training["processes"] = ranks;
  training["threads"] = threads;
  const std::filesystem::path checkpoints =
      dir / ("r" + std::to_string(ranks) + "-" + std::to_string(repeat));
  training["checkpoint_dir"] = checkpoints.string();
  const int validation = config["supernet"]["data"].value("validation", 5000);
  config["supernet"]["data"]["train_limit"] = validation + images;
  const std::filesystem::path path = dir / "config.json";
  std::ofstream(path) << config.dump(2);
  const std::string log = nas::bench::nas_train_log(path.string());
  std::filesystem::remove_all(checkpoints);
  const std::regex line(R"(\(([0-9.]+) images/s(?: on [0-9]+ ranks, all-reduce ([0-9.]+)%)?)");
  std::smatch match;
  if (!std::regex_search(log, match, line)) throw std::runtime_error("no throughput in:\n" + log);
  Trained t;
  t.images_per_second = std::stod(match[1].str());
  if (match[2].matched) t.all_reduce_percent = std::stod(match[2].str());
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path = std::string(NAS_SOURCE_DIR) + "/configs/quickstart.json";
  int ranks = 2, images = 2560, repeats = 3;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("ranks=", 0) == 0) ranks = std::stoi(a.substr(6));
    else if (a.rfind("images=", 0) == 0) images = std::stoi(a.substr(7));
    else if (a.rfind("repeats=", 0) == 0) repeats = std::stoi(a.substr(8));
    else if (a.rfind("cores=", 0) == 0) cores = std::stoi(a.substr(6));
    else config_path = a;
  }
  const nlohmann::json base = nlohmann::json::parse(std::ifstream(config_path));
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("nas-bench-ddp-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::printf("supernet of %s, one epoch of %d images, batch %d (all ranks together), %d cores\n",
              config_path.c_str(), images,
              base["supernet"]["training"].value("batch_size", 128), cores);
  std::printf("%-6s %-8s %-28s %-28s %s\n", "ranks", "threads", "images/s median (range)",
              "all-reduce % median (range)", "vs 1 process");
  double baseline = 0;
  for (int n : {1, ranks}) {
    const int threads = std::max(1, cores / n);
    std::vector<double> rate, share;
    for (int r = 0; r < repeats; ++r) {
      const Trained t = train_once(base, dir, n, threads, images, r);
      rate.push_back(t.images_per_second);
      share.push_back(t.all_reduce_percent);
    }
    const nas::bench::Spread s = nas::bench::spread(rate), c = nas::bench::spread(share);
    if (n == 1) baseline = s.median;
    std::printf("%-6d %-8d %7.0f (%5.0f-%5.0f)          %5.1f (%4.1f-%4.1f)             %.2fx\n", n,
                threads, s.median, s.low, s.high, c.median, c.low, c.high, s.median / baseline);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
