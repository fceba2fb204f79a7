// Supernet's private state, shared by supernet.cpp (training, checkpoints)
// and subnet_scoring.cpp (accuracy, latency). Internal: LibTorch inside.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <optional>

#include "core/random.h"
#include "supernet/blas_threads.h"
#include "supernet/dataset.h"
#include "supernet/mbv3_supernet.h"
#include "supernet/subnet.h"
#include "supernet/supernet.h"
#include "supernet/training_group.h"

namespace nas {

// LibTorch's intra-op thread count, and the BLAS library's (see
// supernet/blas_threads.h), for a scope, given back at its end. threads <= 0
// keeps the current counts.
class ThreadsGuard {
 public:
  explicit ThreadsGuard(int threads) : saved_(at::get_num_threads()), saved_blas_(blas_threads()) {
    if (threads <= 0) return;
    at::set_num_threads(threads);
    if (saved_blas_ > 0) set_blas_threads(threads);
  }
  ~ThreadsGuard() {
    at::set_num_threads(saved_);
    if (saved_blas_ > 0) set_blas_threads(saved_blas_);
  }
  ThreadsGuard(const ThreadsGuard&) = delete;
  ThreadsGuard& operator=(const ThreadsGuard&) = delete;

 private:
  int saved_;
  int saved_blas_;  // 0: the BLAS library's count is not ours to set
};

// A batch (N, C, r, r) resized to the subnet's resolution (bilinear);
// unchanged when it already has it.
inline torch::Tensor resize_to(const torch::Tensor& x, int resolution) {
  if (x.size(2) == resolution) return x;
  return torch::nn::functional::interpolate(
      x, torch::nn::functional::InterpolateFuncOptions()
             .size(std::vector<int64_t>{resolution, resolution})
             .mode(torch::kBilinear)
             .align_corners(false));
}

struct FinetuneState;  // finetune.cpp

struct Supernet::Impl {
  // Images as float in [0, 1] on the CPU; normalised per batch.
  struct Tensors {
    torch::Tensor images, labels, mean, std;
  };

  Impl(const Mbv3Options& space_options, const SupernetOptions& options, std::uint64_t seed);

  static Tensors to_tensors(const ImageSet& set, const std::vector<float>& mean,
                            const std::vector<float>& std);
  torch::Tensor normalize(const Tensors& t, const torch::Tensor& raw) const;
  torch::Tensor augment(const torch::Tensor& raw, Rng& rng) const;
  void build_optimizer();
  void save_checkpoint() const;
  bool load_checkpoint();
  double learning_rate(std::int64_t step, std::int64_t steps_per_epoch) const;
  double train_epoch(std::int64_t epoch, const std::function<void(const TrainProgress&)>& progress,
                     std::int64_t images_before, std::int64_t images_resumed);
  const Tensors& test_split();
  // The standalone subnet of `spec` in eval mode, its BN statistics
  // recalibrated on `batches` fixed training batches (0: the supernet's).
  // Defined in subnet_scoring.cpp.
  Subnet recalibrated_subnet(const Mbv3Subnet& spec, std::int64_t batches,
                             std::int64_t batch_size);
  // The first `images` training images, normalised and resized, in batches:
  // what int8 calibration sees. Defined in subnet_scoring.cpp.
  std::vector<torch::Tensor> calibration_batches(int resolution, std::int64_t images,
                                                 std::int64_t batch_size);
  // Top-1 accuracy of `subnet` as it stands (eval mode) on a split: the first
  // scoring.val_images of the validation split, or the whole test split.
  // Defined in subnet_scoring.cpp.
  double top1(SubnetImpl& subnet, Split split, const SupernetEvaluatorOptions& scoring);
  // The predicted class of each of those images, and how many they are.
  torch::Tensor predicted_classes(SubnetImpl& subnet, Split split,
                                  const SupernetEvaluatorOptions& scoring);
  std::int64_t scored_count(Split split, const SupernetEvaluatorOptions& scoring);
  // accuracy()'s subnet: BN recalibrated, then at `precision` (fake_quant.h).
  Subnet scored_subnet(const Arch& arch, const SupernetEvaluatorOptions& scoring,
                       Precision precision);

  // Fine-tuning (finetune.cpp): the weights file of a fine-tune id; its
  // writing and reading (false when there is none; `epochs` gets the
  // fine-tune's planned epochs); one epoch of training; and the finished
  // fine-tune of `spec` in eval mode (throws when missing or unfinished).
  std::string finetune_path(const std::string& id) const;
  void save_finetune(const std::string& id, const std::string& path, const FinetuneState& state,
                     std::int64_t epochs) const;
  bool load_finetune(const std::string& id, const std::string& path, FinetuneState& state,
                     std::int64_t* epochs) const;
  double finetune_epoch(FinetuneState& state, SubnetImpl* teacher, const FinetuneOptions& plan,
                        std::int64_t epoch,
                        const std::function<void(const FinetuneProgress&)>& progress);
  Subnet finetuned_subnet(const Mbv3Subnet& spec, const std::string& id);

  // The ONNX file of `net` as set up by the caller, with `owner`'s
  // preprocessing and a note of its weights in the metadata; kInt8 first
  // calibrates `net`'s activations on the training images. Defined in
  // supernet_export.cpp.
  OnnxModel export_subnet(const Supernet& owner, SubnetImpl& subnet, OnnxExportOptions onnx,
                          const std::string& weights, Precision precision,
                          const QuantizationOptions& quantization, std::int64_t batch_size);

  // The square side images are stored at: the space's largest resolution.
  int data_side() const { return layout.resolutions.back(); }

  SupernetOptions options;
  std::uint64_t seed;
  std::vector<float> input_mean, input_std;  // per channel, of [0, 1] pixels
  Mbv3Layout layout;
  std::unique_ptr<SearchSpace> space;
  std::string checkpoint_id, checkpoint_path;
  torch::Device device{torch::kCPU};
  Tensors train, validation;
  std::optional<Tensors> test;
  Mbv3Supernet net{nullptr};
  std::unique_ptr<torch::optim::SGD> optimizer;
  std::int64_t epochs_done = 0;
  std::vector<double> epoch_losses;
  bool checkpoint_loaded = false;
  // This train() call's images and the seconds its training steps took: the
  // throughput TrainProgress reports (validation and checkpoints excluded).
  std::int64_t call_images = 0;
  double call_step_seconds = 0;
  std::optional<TrainProgress> last_progress;  // the latest step's report
  std::unique_ptr<TrainingGroup> group;  // data-parallel ranks; none alone
};

}  // namespace nas
