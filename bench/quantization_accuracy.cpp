// Post-training quantization of a trained supernet's subnets (issue 25):
// for random subnets, validation accuracy in float, fp16 and int8 under each
// calibration rule (supernet/fake_quant.h); per rule the drop from float, the
// rank correlation of float and int8 accuracy, and how many members of the
// int8 (accuracy, MACs) front are missing from the float front.
//
//   bench_quantization_accuracy [config=configs/quickstart.json] [subnets=50]
//                               [images=2000] [calibration=256] [seed=1]
//
// Run from the repository root after the configuration's supernet is trained
// (`nas train CONFIG` or `nas run CONFIG`); it never trains.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench/bench_support.h"
#include "core/config.h"
#include "core/mbv3_space.h"
#include "core/pareto.h"
#include "core/random.h"
#include "estimators/mbv3_cost.h"
#include "estimators/prediction_quality.h"
#include "supernet/supernet.h"

namespace {

std::string string_arg(int argc, char** argv, const char* name, const std::string& fallback) {
  const std::string prefix = std::string(name) + "=";
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]).rfind(prefix, 0) == 0) return argv[i] + prefix.size();
  }
  return fallback;
}

// Indexes of the (accuracy max, MACs min) front.
std::vector<std::size_t> front_of(const std::vector<double>& accuracy,
                                  const std::vector<double>& macs) {
  std::vector<nas::Point> points;
  for (std::size_t i = 0; i < accuracy.size(); ++i) points.push_back({-accuracy[i], macs[i]});
  return nas::non_dominated(points);
}

struct Column {
  std::string name;
  nas::Precision precision;
  nas::CalibrationRule rule;
  std::vector<double> accuracy;
  double seconds = 0;
};

}  // namespace

int main(int argc, char** argv) {
  using nas::CalibrationRule;
  using nas::Precision;
  const std::string config_path = string_arg(argc, argv, "config", "configs/quickstart.json");
  const int subnets = nas::bench::int_arg(argc, argv, "subnets", 50);
  const int images = nas::bench::int_arg(argc, argv, "images", 2000);
  const int calibration = nas::bench::int_arg(argc, argv, "calibration", 256);
  const int seed = nas::bench::int_arg(argc, argv, "seed", 1);
  try {
    const nas::RunConfig config = nas::load_config(config_path);
    nas::Supernet supernet(config.space.mbv3, config.supernet, config.seed);
    if (!supernet.load()) {
      std::fprintf(stderr, "no trained checkpoint for %s: run `nas train %s` first\n",
                   config_path.c_str(), config_path.c_str());
      return 2;
    }
    nas::SupernetEvaluatorOptions scoring = config.evaluator.supernet;
    scoring.val_images = images;
    scoring.quantization.calibration_images = calibration;

    nas::Rng rng(static_cast<std::uint64_t>(seed));
    const nas::SearchSpace& space = supernet.space();
    std::vector<nas::Arch> archs = {nas::largest_arch(space), nas::smallest_arch(space)};
    while (static_cast<int>(archs.size()) < subnets) archs.push_back(space.sample(rng));
    std::vector<double> macs;
    for (const nas::Arch& a : archs) {
      macs.push_back(static_cast<double>(
          nas::mbv3_cost(supernet.layout(), nas::decode_mbv3(space, supernet.layout(), a)).macs));
    }

    std::vector<Column> columns = {
        {"fp32", Precision::kFp32, CalibrationRule::kMinMax, {}},
        {"fp16", Precision::kFp16, CalibrationRule::kMinMax, {}},
        {"int8 minmax", Precision::kInt8, CalibrationRule::kMinMax, {}},
        {"int8 percentile 99.99", Precision::kInt8, CalibrationRule::kPercentile, {}},
        {"int8 mse", Precision::kInt8, CalibrationRule::kMse, {}},
    };
    std::printf("supernet %s, %zu subnets, %d validation images, %d calibration images, %d BN "
                "batches of %lld\n",
                supernet.checkpoint_id().c_str(), archs.size(), images, calibration,
                static_cast<int>(scoring.bn_batches), static_cast<long long>(scoring.bn_batch_size));
    for (std::size_t i = 0; i < archs.size(); ++i) {
      for (Column& c : columns) {
        nas::SupernetEvaluatorOptions options = scoring;
        options.quantization.rule = c.rule;
        const auto start = std::chrono::steady_clock::now();
        c.accuracy.push_back(supernet.accuracy(archs[i], nas::Split::kValidation, options, c.precision));
        c.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      }
      std::fprintf(stderr, "subnet %zu/%zu: fp32 %.4f, int8 mse %.4f\n", i + 1, archs.size(),
                   columns[0].accuracy.back(), columns[4].accuracy.back());
    }

    const std::vector<double>& fp32 = columns[0].accuracy;
    std::vector<std::size_t> fp32_front = front_of(fp32, macs);
    std::sort(fp32_front.begin(), fp32_front.end());
    std::printf("\n| precision | mean acc | drop mean | drop median | drop p90 | drop max | "
                "spearman vs fp32 | front | front members not in fp32 front | s/subnet |\n"
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const Column& c : columns) {
      std::vector<double> drop;
      double mean = 0;
      for (std::size_t i = 0; i < fp32.size(); ++i) {
        drop.push_back(100 * (fp32[i] - c.accuracy[i]));
        mean += c.accuracy[i] / static_cast<double>(fp32.size());
      }
      std::vector<double> sorted = drop;
      std::sort(sorted.begin(), sorted.end());
      double drop_mean = 0;
      for (double d : drop) drop_mean += d / static_cast<double>(drop.size());
      const std::vector<std::size_t> front = front_of(c.accuracy, macs);
      std::size_t missing = 0;
      for (std::size_t m : front) {
        missing += std::binary_search(fp32_front.begin(), fp32_front.end(), m) ? 0 : 1;
      }
      std::printf("| %s | %.4f | %.2f | %.2f | %.2f | %.2f | %.3f | %zu | %zu | %.2f |\n",
                  c.name.c_str(), mean, drop_mean, sorted[sorted.size() / 2],
                  sorted[std::min(sorted.size() - 1, sorted.size() * 9 / 10)], sorted.back(),
                  nas::spearman(fp32, c.accuracy), front.size(), missing,
                  c.seconds / static_cast<double>(archs.size()));
    }
    std::printf("\ndrops in accuracy points (fp32 minus the precision's); the fronts are over "
                "(validation accuracy, MACs)\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
