// Post-training quantization of a trained supernet's subnets (issue 25):
// for random subnets, validation accuracy in float, fp16 and int8 under each
// calibration rule (supernet/fake_quant.h); per rule the drop from float, the
// rank correlation of float and int8 accuracy, and how many members of the
// int8 (accuracy, MACs) front are missing from the float front. Then the
// int8 QDQ file of each subnet (supernet/onnx_export.h, the configuration's
// calibration rule) run by ONNX Runtime on the same validation images: its
// accuracy against LibTorch's fake-quantized figure, and the share of images
// on which the two predict the same class; and each subnet's latency in
// ONNX Runtime on this CPU (batch 1, one thread) as the fp32 file and as the
// int8 file, side by side.
//
//   bench_quantization_accuracy [config=configs/quickstart.json] [subnets=50]
//                               [images=2000] [calibration=256] [seed=1]
//                               [onnxruntime=1]
//
// Run from the repository root after the configuration's supernet is trained
// (`nas train CONFIG` or `nas run CONFIG`); it never trains.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "bench/bench_support.h"
#include "core/config.h"
#include "core/mbv3_space.h"
#include "core/pareto.h"
#include "core/random.h"
#include "estimators/mbv3_cost.h"
#include "estimators/prediction_quality.h"
#include "supernet/onnx_export.h"
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
  std::vector<std::vector<std::int64_t>> predicted;  // per subnet
};

double accuracy_of(const nas::SplitPredictions& p) {
  std::size_t correct = 0;
  for (std::size_t i = 0; i < p.predicted.size(); ++i) correct += p.predicted[i] == p.labels[i];
  return static_cast<double>(correct) / static_cast<double>(p.predicted.size());
}

void write_raw(const std::string& path, const void* data, std::size_t bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s;
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

// The tools/onnxruntime_tool.js command line, with npm's onnxruntime-node
// of the build dir.
std::string onnxruntime_tool() {
  return std::string("NODE_PATH=") + NAS_ONNXRUNTIME_NODE_MODULES + " node " + NAS_SOURCE_DIR +
         "/tools/onnxruntime_tool.js";
}

// Runs `model` in ONNX Runtime (npm's onnxruntime-node in the build dir,
// through the tests' tool) on the raw float input and returns the predicted
// class of each image.
std::vector<std::int64_t> onnxruntime_classes(const std::string& model, const std::string& shape,
                                              const std::string& input, const std::string& output,
                                              std::size_t images) {
  nas::bench::command_output(onnxruntime_tool() + " run " + model + " " + shape + " " + input + " " +
                             output + " 2>&1");
  std::ifstream in(output, std::ios::binary | std::ios::ate);
  const std::size_t floats = static_cast<std::size_t>(in.tellg()) / sizeof(float);
  if (images == 0 || floats % images != 0) throw std::runtime_error(output + ": unexpected size");
  std::vector<float> logits(floats);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(logits.data()), static_cast<std::streamsize>(floats * sizeof(float)));
  const std::size_t classes = floats / images;
  std::vector<std::int64_t> classes_of(images);
  for (std::size_t i = 0; i < images; ++i) {
    const float* row = logits.data() + i * classes;
    classes_of[i] = std::max_element(row, row + classes) - row;
  }
  return classes_of;
}

// The median latency ONNX Runtime's tool measures for `model` (batch 1, one
// thread), in ms.
double onnxruntime_median_ms(const std::string& model, const std::string& shape) {
  const std::string out =
      nas::bench::command_output(onnxruntime_tool() + " bench " + model + " " + shape + " 20 200 1");
  const std::size_t at = out.find("median = ");
  if (at == std::string::npos) throw std::runtime_error(model + ": no median in:\n" + out);
  return std::stod(out.substr(at + 9));
}

}  // namespace

int main(int argc, char** argv) {
  using nas::CalibrationRule;
  using nas::Precision;
  const std::string config_path = string_arg(argc, argv, "config", "configs/quickstart.json");
  const int subnets = nas::bench::int_arg(argc, argv, "subnets", 50);
  const int images = nas::bench::int_arg(argc, argv, "images", 2000);
  const int calibration = nas::bench::int_arg(argc, argv, "calibration", 256);
  const int seed = nas::bench::int_arg(argc, argv, "seed", 1);
  const bool onnxruntime = nas::bench::int_arg(argc, argv, "onnxruntime", 1) != 0;
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
        {"fp32", Precision::kFp32, CalibrationRule::kMinMax, {}, 0, {}},
        {"fp16", Precision::kFp16, CalibrationRule::kMinMax, {}, 0, {}},
        {"int8 minmax", Precision::kInt8, CalibrationRule::kMinMax, {}, 0, {}},
        {"int8 percentile 99.99", Precision::kInt8, CalibrationRule::kPercentile, {}, 0, {}},
        {"int8 mse", Precision::kInt8, CalibrationRule::kMse, {}, 0, {}},
    };
    // The column ONNX Runtime's file is compared with: the configuration's rule.
    std::size_t file_column = 4;
    for (std::size_t c = 2; c < columns.size(); ++c) {
      if (columns[c].rule == scoring.quantization.rule) file_column = c;
    }
    Column runtime{"int8 " + std::string(nas::to_string(scoring.quantization.rule)) +
                       ", ONNX Runtime on the QDQ file",
                   Precision::kInt8, scoring.quantization.rule, {}, 0, {}};
    char dir_template[] = "/tmp/nas-bench-quantization-XXXXXX";
    const std::string dir = onnxruntime && mkdtemp(dir_template) ? dir_template : "";
    std::map<int, std::pair<std::string, std::vector<std::int64_t>>> inputs;  // per resolution
    std::vector<double> fp32_ms, int8_ms;  // ONNX Runtime, batch 1, per subnet
    bool ort_ok = !dir.empty();
    std::vector<std::int64_t> labels;  // of the scored validation images
    std::printf("supernet %s, %zu subnets, %d validation images, %d calibration images, %d BN "
                "batches of %lld\n",
                supernet.checkpoint_id().c_str(), archs.size(), images, calibration,
                static_cast<int>(scoring.bn_batches), static_cast<long long>(scoring.bn_batch_size));
    for (std::size_t i = 0; i < archs.size(); ++i) {
      for (Column& c : columns) {
        nas::SupernetEvaluatorOptions options = scoring;
        options.quantization.rule = c.rule;
        const auto start = std::chrono::steady_clock::now();
        nas::SplitPredictions p =
            supernet.predictions(archs[i], nas::Split::kValidation, options, c.precision);
        c.accuracy.push_back(accuracy_of(p));
        c.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        c.predicted.push_back(std::move(p.predicted));
        labels = std::move(p.labels);  // the same images every time
      }
      if (ort_ok) {
        try {
          const int resolution = nas::decode_mbv3(space, supernet.layout(), archs[i]).resolution;
          if (!inputs.count(resolution)) {
            const nas::ImageBatch x =
                supernet.scored_images(nas::Split::kValidation, resolution, scoring);
            const std::string path = dir + "/input-" + std::to_string(resolution) + ".f32";
            write_raw(path, x.pixels.data(), x.pixels.size() * sizeof(float));
            inputs[resolution] = {path, x.shape};
          }
          const auto start = std::chrono::steady_clock::now();
          nas::OnnxExportOptions file;
          file.batch = inputs[resolution].second[0];
          const nas::OnnxModel model =
              supernet.export_onnx(archs[i], file, scoring, Precision::kInt8);
          nas::write_model_file(dir + "/int8.onnx", model.bytes);
          std::vector<std::int64_t> classes = onnxruntime_classes(
              dir + "/int8.onnx", shape_text(model.input_shape), inputs[resolution].first,
              dir + "/logits.f32", static_cast<std::size_t>(file.batch));
          runtime.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          runtime.accuracy.push_back(accuracy_of({classes, labels}));
          runtime.predicted.push_back(std::move(classes));
          // Latency: both files at batch 1, one after the other.
          nas::OnnxExportOptions one;
          for (const Precision p : {Precision::kFp32, Precision::kInt8}) {
            nas::SupernetEvaluatorOptions bn = scoring;
            if (p == Precision::kFp32) bn.bn_batches = 0;  // statistics do not change timing
            const nas::OnnxModel timed = supernet.export_onnx(archs[i], one, bn, p);
            nas::write_model_file(dir + "/timed.onnx", timed.bytes);
            (p == Precision::kFp32 ? fp32_ms : int8_ms)
                .push_back(onnxruntime_median_ms(dir + "/timed.onnx", shape_text(timed.input_shape)));
          }
        } catch (const std::exception& e) {
          // The LibTorch columns still count: report them without the runtime's.
          std::fprintf(stderr, "ONNX Runtime left out: %s\n", e.what());
          ort_ok = false;
        }
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
    if (ort_ok && runtime.accuracy.size() == archs.size()) {
      const Column& libtorch = columns[file_column];
      std::vector<double> gap, agree;
      for (std::size_t i = 0; i < archs.size(); ++i) {
        gap.push_back(100 * std::abs(runtime.accuracy[i] - libtorch.accuracy[i]));
        std::size_t same = 0;
        for (std::size_t k = 0; k < runtime.predicted[i].size(); ++k) {
          same += runtime.predicted[i][k] == libtorch.predicted[i][k];
        }
        agree.push_back(100.0 * static_cast<double>(same) /
                        static_cast<double>(runtime.predicted[i].size()));
      }
      const auto g = nas::bench::spread(gap);
      const auto a = nas::bench::spread(agree);
      const auto over = std::count_if(gap.begin(), gap.end(), [](double d) { return d > 0.5; });
      const auto under = std::count_if(agree.begin(), agree.end(), [](double d) { return d < 99; });
      double mean = 0;
      for (double v : runtime.accuracy) mean += v / static_cast<double>(runtime.accuracy.size());
      std::printf("\n%s: mean acc %.4f, %.2f s/subnet (export, calibration and run)\n"
                  "  |ONNX Runtime - LibTorch %s| in points: median %.2f, max %.2f; subnets over "
                  "0.5: %ld of %zu\n"
                  "  same predicted class: median %.2f %%, min %.2f %% of images; subnets under "
                  "99 %%: %ld\n",
                  runtime.name.c_str(), mean, runtime.seconds / static_cast<double>(archs.size()),
                  libtorch.name.c_str(), g.median, g.high, static_cast<long>(over), archs.size(),
                  a.median, a.low, static_cast<long>(under));
      std::vector<double> speedup;
      for (std::size_t i = 0; i < fp32_ms.size(); ++i) speedup.push_back(fp32_ms[i] / int8_ms[i]);
      const auto f = nas::bench::spread(fp32_ms), q = nas::bench::spread(int8_ms),
                 x = nas::bench::spread(speedup);
      std::printf("\nONNX Runtime on this CPU, batch 1, one thread, median of 200 runs per file:\n"
                  "  fp32 file: median %.3f ms (subnets from %.3f to %.3f)\n"
                  "  int8 file: median %.3f ms (subnets from %.3f to %.3f)\n"
                  "  fp32 / int8 per subnet: median %.2fx (from %.2fx to %.2fx)\n",
                  f.median, f.low, f.high, q.median, q.low, q.high, x.median, x.low, x.high);
    } else if (onnxruntime) {
      std::printf("\nONNX Runtime left out (see the error above, or no temporary directory)\n");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
