// Options of the weight-sharing supernet: the `mbv3` space's layout, the data
// it trains on, its training, and how its evaluators score a subnet. Filled
// from the config in one place (parse_* below, called by core/config.cpp);
// torch-free so that every module may read them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nas {

class JsonReader;

// One MobileNetV3-style stage of inverted-residual blocks.
struct Mbv3StageOptions {
  std::int64_t width = 16;                  // output channels (before width_mult)
  std::int64_t stride = 1;                  // of the stage's first block: 1 or 2
  std::vector<std::int64_t> depths{2, 3, 4};  // elastic depth: the first d blocks run
  bool se = false;                          // squeeze-and-excite in every block
  // "relu" or "hswish" for every block of the stage; both make it a
  // decision of the space ("s<i>_act", relu first).
  std::vector<std::string> activations{"relu"};
};

// `space: {"type": "mbv3", ...}`.
struct Mbv3Options {
  std::int64_t stem_width = 16;   // 3x3 stem convolution's output channels
  std::int64_t stem_stride = 1;   // 1 for 28x28 / 32x32 inputs, 2 for 224x224
  std::vector<Mbv3StageOptions> stages;            // required, 1 or more
  std::vector<std::int64_t> kernels{3, 5, 7};      // per block, odd, ascending
  std::vector<std::int64_t> expand_ratios{3, 4, 6};  // per block, ascending
  std::vector<std::int64_t> resolutions{28};       // input side, ascending
  double width_mult = 1.0;        // scales stem, stage and head widths (to multiples of 8)
  std::int64_t head_width = 256;  // final 1x1 convolution before pooling
  // MobileNetV3 uses hswish after the stem and the head; relu keeps a whole
  // candidate on accelerators without it (the Edge TPU).
  std::string stem_activation = "hswish";
  std::string head_activation = "hswish";
};

// `supernet.data`: the image classification data set.
struct DataOptions {
  // fashion-mnist | mnist | cifar10 | cifar100 | folder (supernet/image_folder.h)
  std::string dataset = "fashion-mnist";
  std::string path;                       // folder of the files; "" = the dataset's default
  std::int64_t validation = 5000;         // training images held out for validation
  std::int64_t train_limit = 0;           // use only the first N training images; 0 = all
};

// `supernet.training`.
struct TrainingOptions {
  std::int64_t epochs = 5;
  std::int64_t batch_size = 128;
  double lr = 0.1;                 // peak learning rate, cosine-annealed to 0 per step
  std::int64_t warmup_epochs = 0;  // linear warm-up before the cosine
  double momentum = 0.9;           // SGD, Nesterov
  double weight_decay = 3e-5;      // on convolution and linear weights only
  double label_smoothing = 0.1;    // on the largest subnet's hard labels
  std::int64_t random_subnets = 2;  // n of the sandwich rule (largest, smallest, n random)
  bool distill = true;             // in-place distillation from the largest subnet
  bool augment = true;             // random crop (padding 2); flips except for mnist
  // float32 trains; float64 (far slower) checks numerical equivalence, such
  // as of several training processes against one, below float32's rounding.
  std::string dtype = "float32";
  std::string device = "auto";     // cpu | cuda | auto (supernet/device.h)
  std::int64_t threads = 0;        // LibTorch intra-op threads; 0 = its default
  // Data-parallel ranks started on this machine (supernet/training_rank.h);
  // batch_size is their batch together, so the result does not depend on it.
  std::int64_t processes = 1;
  double timeout_seconds = 600;    // a rank silent this long ends training
  std::string checkpoint_dir = "checkpoints";  // <dir>/<checkpoint id>.pt
};

// `supernet`: present when the space is a supernet space.
struct SupernetOptions {
  bool enabled = false;
  DataOptions data;
  TrainingOptions training;
};

// Latency measured in-process on this machine's CPU (`cpu_ms`).
struct LatencyOptions {
  std::int64_t batch = 1;
  std::int64_t threads = 1;        // LibTorch intra-op threads while timing
  std::int64_t warmup = 10;        // warm-up runs, at least ...
  double warmup_ms = 100;          // ... and at least this long
  std::int64_t repeats = 30;       // timed runs; the median is the value
};

// How an activation's int8 range is chosen from the calibration images:
// their minimum and maximum; the percentiles that cut (100 - percentile) %
// of the values off the two tails together; or the range whose quantization
// error (rounding inside, clipping outside) is least over their histogram.
enum class CalibrationRule { kMinMax, kPercentile, kMse };
const char* to_string(CalibrationRule rule);  // "minmax", "percentile", "mse"

// `evaluator/quantization`: post-training quantization as the *_acc_int8
// metrics simulate it (supernet/fake_quant.h).
struct QuantizationOptions {
  std::int64_t calibration_images = 256;  // the first N training images
  CalibrationRule rule = CalibrationRule::kMse;
  double percentile = 99.99;              // kPercentile only
};

// `evaluator: {"type": "supernet", ...}`.
struct SupernetEvaluatorOptions {
  std::int64_t bn_batches = 20;       // BN recalibration batches of training images
  std::int64_t bn_batch_size = 128;
  std::int64_t batch_size = 500;      // evaluation batch
  std::int64_t val_images = 0;        // score on the first N validation images; 0 = all
  LatencyOptions latency;
  QuantizationOptions quantization;
};

// Image shape and class count of a data set by name. Throws nas::Error for
// an unknown name, and for "folder", whose shape its files give
// (supernet/dataset.h data_shape).
struct DatasetShape {
  std::int64_t channels = 1, height = 28, width = 28, classes = 10;
};
DatasetShape dataset_shape(const std::string& dataset);

// The readers used by core/config.cpp. Each consumes its keys from `r`
// (after "type") and throws ConfigError naming the JSON path.
Mbv3Options parse_mbv3_options(JsonReader& r);
SupernetOptions parse_supernet_options(JsonReader r);
SupernetEvaluatorOptions parse_supernet_evaluator_options(JsonReader& r);

// What identifies a trained supernet: everything that changes its weights
// (space layout, data, training, seed), not where or how fast it runs
// (device, threads, checkpoint folder). The checkpoint id hashes this.
nlohmann::json training_identity(const Mbv3Options& space, const SupernetOptions& supernet,
                                 std::uint64_t seed);

}  // namespace nas
