// Fine-tuning one subnet on its own, after the search: the subnet is
// extracted with its inherited weights and trained alone, with knowledge
// distillation from the supernet's largest subnet (as OFA fine-tunes its
// chosen subnets). Its weights are kept in a checkpoint of their own, written
// after every epoch, so a fine-tune cut off resumes where it stopped.
// Torch-free header; Supernet::finetune (supernet/finetune.cpp) runs it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nas {

// What a fine-tune changes; the batch size, momentum, weight decay, label
// smoothing, augmentation and threads are the supernet training's.
struct FinetuneOptions {
  std::int64_t epochs = 3;
  double lr = 0.01;             // peak learning rate, cosine-annealed to 0 per step
  // Loss: cross-entropy on the (smoothed) labels plus distill_weight times
  // cross-entropy on the largest subnet's softmax; 0 trains on labels alone.
  double distill_weight = 1.0;
};

// Throws nas::UsageError naming the option ("--epochs must be >= 1, got 0").
void validate(const FinetuneOptions& options);

struct FinetuneProgress {
  std::int64_t epoch = 0, epochs = 0;  // 1-based epoch under way
  std::int64_t step = 0, steps = 0;    // within the epoch
  double loss = 0;                     // the epoch's mean so far
  double learning_rate = 0;
  double images_per_second = 0;        // this call's training steps
  // After an epoch: its validation accuracy (the evaluator's val_images).
  std::optional<double> val_acc;
};

struct FinetuneResult {
  std::string id;            // 16 hex digits: the supernet checkpoint, the arch, the options
  std::string weights_path;  // <checkpoint_dir>/finetune-<id>.pt
  std::int64_t epochs_done = 0, epochs_trained_now = 0;
  std::vector<double> epoch_losses;   // every epoch so far
  std::vector<double> epoch_val_acc;  // every epoch so far
  bool finished = false;              // all epochs done
  // With the fine-tuned weights and the BN statistics their training kept;
  // set when finished.
  std::optional<double> val_acc, test_acc;
  double seconds = 0;                 // spent training in this call
  double images_per_second = 0;       // this call's training steps
};

// The fidelity a fine-tuned evaluation is stored with, and back: the
// fine-tune's id, which names its weights file. nullopt for any other.
std::string finetune_fidelity(const std::string& finetune_id);
std::optional<std::string> finetune_id_of(const std::string& fidelity);

}  // namespace nas
