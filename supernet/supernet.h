// The trained weight-sharing supernet of a run: its space, its data, its
// training (sandwich rule with in-place distillation, resumable from the
// checkpoint of every epoch) and the scoring of its subnets. Torch-free
// header (pimpl) so that cli and the evaluators' users compile fast.
//
// A checkpoint is identified by a hash of the training identity
// (core/supernet_options.h: layout, data, training options, seed); it lives
// at <checkpoint_dir>/<id>.pt and holds the weights, the optimizer's state,
// the epochs done and their mean losses. A second run with the same identity
// loads it instead of training; a run cut off mid-training resumes from the
// last finished epoch and continues the same loss curve.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/image_batch.h"
#include "core/measurement.h"
#include "core/mbv3_space.h"
#include "core/search_space.h"
#include "core/supernet_options.h"
#include "core/metric.h"
#include "supernet/finetune.h"
#include "core/training_progress.h"
#include "supernet/onnx_export.h"
#include "supernet/training_rank.h"

namespace nas {

struct TrainSummary {
  std::int64_t epochs_done = 0;          // after this call
  std::int64_t epochs_trained_now = 0;   // by this call
  std::vector<double> epoch_losses;      // mean sandwich loss of every epoch so far
  double seconds = 0;                    // spent training in this call
  double images_per_second = 0;          // this call's training throughput
  int ranks = 1;                         // processes that trained together
  double step_seconds = 0;               // this call's training steps alone
  double communication_seconds = 0;      // this rank's time in all-reduces, within them
};

enum class Split { kValidation, kTest };

// accuracy()'s figure image by image: the class predicted for each scored
// image of a split, and its label.
struct SplitPredictions {
  std::vector<std::int64_t> predicted, labels;
};

class Supernet {
 public:
  // Builds the untrained supernet (weights seeded by `seed`) and loads the
  // training and validation data. Throws nas::Error for unreadable data (the
  // message names the file, and Debian's package for the default data set)
  // and for an unusable device.
  Supernet(const Mbv3Options& space, const SupernetOptions& options, std::uint64_t seed);
  ~Supernet();
  Supernet(Supernet&&) noexcept;
  Supernet& operator=(Supernet&&) noexcept;

  const SearchSpace& space() const;
  const Mbv3Layout& layout() const;
  const std::string& checkpoint_id() const;    // 16 hex digits
  const std::string& checkpoint_path() const;
  std::string device() const;                  // "cpu" or "cuda"
  std::int64_t train_images() const;
  std::int64_t training_images_total() const;  // over all epochs, whole batches
  std::int64_t epochs_done() const;
  bool trained() const;  // all configured epochs done

  // How an input is prepared for this supernet and its exported subnets:
  // pixels scaled to [0, 1], then (x - mean) / std per channel; and the
  // classes the logits stand for, in order.
  const std::vector<float>& input_mean() const;
  const std::vector<float>& input_std() const;
  std::vector<std::string> class_names() const;

  // Loads the checkpoint if there is one, then trains the remaining epochs,
  // writing the checkpoint after each (atomically: a kill never leaves half a
  // file). With a `progress` callback: called after every step, and after
  // each epoch once more with epoch_end set and the validation accuracy of
  // the largest and smallest subnets (BN recalibrated, as accuracy() does,
  // on at most 2000 validation images; skipped without a callback). `max_epochs` > 0 stops after that many epochs in this call (tests
  // use it to stand for a kill). Throws nas::Error for a corrupt or foreign
  // checkpoint ("checkpoint <path>: ...").
  TrainSummary train(const std::function<void(const TrainProgress&)>& progress = {},
                     std::int64_t max_epochs = 0);

  // Makes the next train() data-parallel with the other ranks `rank` names
  // (supernet/training_group.h): joins them now; rank 0 hosts the rendezvous
  // and calls `listening` with its port, so that local ranks can be started
  // then. Every rank trains the same subnets on its share of each batch
  // (batch_size is the batch of all ranks together), gradients and batch
  // norm statistics span all ranks, and only rank 0 writes the checkpoint;
  // the result equals one process training the whole batch. The group is
  // left when train() returns. Throws nas::Error naming ranks that do not
  // join, or that are lost during training, within the rank's timeout.
  void join_training_group(const TrainingRank& rank,
                           const std::function<void(int port)>& listening = {});

  // Top-1 accuracy of `arch` on a split after recalibrating BN statistics on
  // options.bn_batches training batches (subnets never change the supernet).
  // kInt8 and kFp16 score the subnet post-training quantized, simulated in
  // float (supernet/fake_quant.h); int8 calibrates its activations on the
  // first options.quantization.calibration_images training images.
  // REQUIRES: trained() or a checkpoint loaded by train().
  double accuracy(const Arch& arch, Split split, const SupernetEvaluatorOptions& options,
                  Precision precision = Precision::kFp32);

  // What accuracy() counts, per image.
  SplitPredictions predictions(const Arch& arch, Split split, const SupernetEvaluatorOptions& options,
                               Precision precision = Precision::kFp32);
  // The images accuracy() scores on a split (options.val_images of the
  // validation split, or the whole test split), at `resolution`; for running
  // an exported file on exactly them.
  ImageBatch scored_images(Split split, int resolution, const SupernetEvaluatorOptions& options);
  // The images accuracy(kInt8) calibrates `arch`'s activations on (the first
  // options.quantization.calibration_images training images at the arch's
  // resolution): what a board that quantizes by itself calibrates on.
  ImageBatch calibration_images(const Arch& arch, const SupernetEvaluatorOptions& options);

  // Latency of `arch`'s extracted subnet on this machine's CPU, in-process:
  // warm-up by count and time, then `repeats` timed runs.
  LatencyStats measure_cpu_latency(const Arch& arch, const LatencyOptions& options);

  // Loads the checkpoint without training anything; false when there is
  // none. Throws nas::Error for a corrupt or foreign checkpoint, as train().
  // Defined in supernet_export.cpp.
  bool load();

  // The ONNX file of `arch`'s subnet with this supernet's weights. With
  // bn.bn_batches > 0 the BN statistics are recalibrated first, exactly as
  // accuracy() does (the file then scores what the store says); 0 keeps the
  // supernet's statistics, enough for timing. kInt8 writes the QDQ file of
  // the subnet that accuracy(kInt8) scores, calibrated as bn.quantization
  // says (supernet/onnx_export.h). Defined in supernet_export.cpp.
  OnnxModel export_onnx(const Arch& arch, const OnnxExportOptions& onnx,
                        const SupernetEvaluatorOptions& bn,
                        Precision precision = Precision::kFp32);

  // Fine-tuning `arch` on its own (supernet/finetune.h), defined in
  // finetune.cpp. The id names the weights file; it depends on this
  // checkpoint, the arch and the options.
  std::string finetune_id(const Arch& arch, const FinetuneOptions& options) const;
  std::string finetune_weights_path(const std::string& finetune_id) const;
  // Trains the remaining epochs of the fine-tune (all of them the first
  // time; those after the last finished epoch when its weights file holds
  // fewer), writing the file after each epoch; when all are done, scores
  // the result on the validation split (scoring.val_images) and the test
  // split. `progress` is called after every step and after each epoch;
  // `max_epochs` > 0 stops after that many epochs in this call (tests use it
  // to stand for a kill). REQUIRES: trained(). Throws nas::Error for a
  // damaged or foreign weights file ("fine-tune <path>: ...").
  FinetuneResult finetune(const Arch& arch, const FinetuneOptions& options,
                          const SupernetEvaluatorOptions& scoring,
                          const std::function<void(const FinetuneProgress&)>& progress = {},
                          std::int64_t max_epochs = 0);
  // The ONNX file of `arch` with the weights of the finished fine-tune
  // `finetune_id`; the supernet's own weights are not needed. Throws
  // nas::Error when the file is missing, unfinished or of another subnet.
  // kInt8 calibrates the fine-tuned subnet as `quantization` says.
  OnnxModel export_finetuned_onnx(const Arch& arch, const std::string& finetune_id,
                                  const OnnxExportOptions& onnx,
                                  Precision precision = Precision::kFp32,
                                  const QuantizationOptions& quantization = {});

  // The checkpoint id a configuration's supernet has, without building it.
  static std::string checkpoint_id_of(const Mbv3Options& space, const SupernetOptions& options,
                                      std::uint64_t seed);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nas
