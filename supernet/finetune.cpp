// Fine-tuning one subnet on its own (supernet/finetune.h): its weights file,
// the training with distillation from the largest subnet, and its scores.
#include "supernet/finetune.h"

#include <torch/torch.h>

#include <chrono>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/hash.h"
#include "core/random.h"
#include "supernet/library_errors.h"
#include "supernet/supernet.h"
#include "supernet/supernet_impl.h"
#include "supernet/training_steps.h"

namespace nas {
namespace {

constexpr std::int64_t kFinetuneFormat = 1;
constexpr const char* kFidelityPrefix = "finetune/";

std::vector<double> to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kCPU).to(torch::kFloat64).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

}  // namespace

void validate(const FinetuneOptions& options) {
  if (options.epochs < 1) {
    throw UsageError("--epochs must be >= 1, got " + std::to_string(options.epochs));
  }
  if (!(options.lr > 0)) throw UsageError("--lr must be > 0, got " + std::to_string(options.lr));
  if (!(options.distill_weight >= 0)) {
    throw UsageError("--distill must be >= 0, got " + std::to_string(options.distill_weight));
  }
}

std::string finetune_fidelity(const std::string& finetune_id) {
  return kFidelityPrefix + finetune_id;
}

std::optional<std::string> finetune_id_of(const std::string& fidelity) {
  const std::string prefix = kFidelityPrefix;
  if (fidelity.rfind(prefix, 0) != 0 || fidelity.size() != prefix.size() + 16) return std::nullopt;
  return fidelity.substr(prefix.size());
}

// A fine-tune's state: the student and its optimizer, the epochs done.
struct FinetuneState {
  Subnet student{nullptr};
  std::unique_ptr<torch::optim::SGD> optimizer;
  std::int64_t epochs_done = 0;
  std::vector<double> losses, val_acc;
};

void Supernet::Impl::save_finetune(const std::string& id, const std::string& path,
                                   const FinetuneState& state, std::int64_t epochs) const {
  const std::string temporary = path + ".tmp";
  try {
    torch::serialize::OutputArchive archive, model, optim;
    archive.write("format", torch::tensor(kFinetuneFormat));
    archive.write("id", torch::tensor(static_cast<std::int64_t>(stable_hash64(id))));
    archive.write("epochs", torch::tensor(epochs));
    archive.write("epochs_done", torch::tensor(state.epochs_done));
    archive.write("epoch_losses", torch::tensor(state.losses, torch::kFloat64));
    archive.write("epoch_val_acc", torch::tensor(state.val_acc, torch::kFloat64));
    state.student->save(model);
    state.optimizer->save(optim);
    archive.write("model", model);
    archive.write("optimizer", optim);
    archive.save_to(temporary);
  } catch (const c10::Error& e) {
    throw Error("fine-tune " + path + ": cannot write it: " + first_line(e.what()));
  }
  std::filesystem::rename(temporary, path);
}

bool Supernet::Impl::load_finetune(const std::string& id, const std::string& path,
                                   FinetuneState& state, std::int64_t* epochs) const {
  if (!std::filesystem::exists(path)) return false;
  const std::string where = "fine-tune " + path + ": ";
  try {
    torch::serialize::InputArchive archive, model, optim;
    archive.load_from(path, device);
    torch::Tensor format, stored_id, total, done, losses, val_acc;
    archive.read("format", format);
    archive.read("id", stored_id);
    if (format.item<std::int64_t>() != kFinetuneFormat ||
        stored_id.item<std::int64_t>() != static_cast<std::int64_t>(stable_hash64(id))) {
      throw Error(where + "belongs to another subnet, supernet or format; delete it to fine-tune anew");
    }
    archive.read("epochs", total);
    archive.read("epochs_done", done);
    archive.read("epoch_losses", losses);
    archive.read("epoch_val_acc", val_acc);
    archive.read("model", model);
    state.student->load(model);
    if (state.optimizer) {
      archive.read("optimizer", optim);
      state.optimizer->load(optim);
    }
    state.epochs_done = done.item<std::int64_t>();
    state.losses = to_vector(losses);
    state.val_acc = to_vector(val_acc);
    if (epochs) *epochs = total.item<std::int64_t>();
  } catch (const c10::Error& e) {
    throw Error(where + "cannot read it (corrupt, or not a nas fine-tune: " + first_line(e.what()) +
                "); delete it to fine-tune anew");
  }
  return true;
}

Subnet Supernet::Impl::finetuned_subnet(const Mbv3Subnet& spec, const std::string& id) {
  const std::string path = finetune_path(id);
  FinetuneState state;
  state.student = extract_subnet(*net, spec);
  std::int64_t epochs = 0;
  if (!load_finetune(id, path, state, &epochs)) {
    throw Error("fine-tune " + path + " is missing (checkpoint_dir is relative to where "
                "`nas finetune` ran)");
  }
  if (state.epochs_done < epochs) {
    throw Error("fine-tune " + path + " holds " + std::to_string(state.epochs_done) + " of " +
                std::to_string(epochs) + " epochs: run the same `nas finetune` again to finish it");
  }
  state.student->eval();
  return state.student;
}

std::string Supernet::Impl::finetune_path(const std::string& id) const {
  return (std::filesystem::path(options.training.checkpoint_dir) / ("finetune-" + id + ".pt"))
      .string();
}

std::string Supernet::finetune_id(const Arch& arch, const FinetuneOptions& options) const {
  const nlohmann::json identity = {{"supernet", checkpoint_id()},
                                   {"arch", space().id(arch)},
                                   {"epochs", options.epochs},
                                   {"lr", options.lr},
                                   {"distill_weight", options.distill_weight}};
  return stable_hash_hex(identity.dump());
}

std::string Supernet::finetune_weights_path(const std::string& finetune_id) const {
  return impl_->finetune_path(finetune_id);
}

double Supernet::Impl::finetune_epoch(FinetuneState& state, SubnetImpl* teacher,
                                      const FinetuneOptions& plan, std::int64_t epoch,
                                      const std::function<void(const FinetuneProgress&)>& progress) {
  const TrainingOptions& t = options.training;
  const std::int64_t steps = train.images.size(0) / t.batch_size;
  // Its own stream, seeded by (seed, epoch) as the supernet's epochs are, so
  // that a resumed epoch is the one an uninterrupted fine-tune trains.
  Rng rng(seed * 1000003ULL + 0x5eedf17eULL + static_cast<std::uint64_t>(epoch));
  const torch::Tensor order = shuffled_order(train.images.size(0), rng);
  const int resolution = state.student->resolution;
  state.student->train();
  double loss_sum = 0;
  for (std::int64_t step = 0; step < steps; ++step) {
    const auto step_start = std::chrono::steady_clock::now();
    const double lr = cosine_learning_rate(plan.lr, epoch * steps + step, 0, plan.epochs * steps);
    set_learning_rate(*state.optimizer, lr);
    const torch::Tensor index = order.narrow(0, step * t.batch_size, t.batch_size);
    torch::Tensor raw = train.images.index_select(0, index);
    if (t.augment) raw = augment(raw, rng);
    const torch::Tensor x =
        normalize(train, raw).to(state.student->stem_conv->weight.scalar_type());
    const torch::Tensor y = train.labels.index_select(0, index).to(device);

    state.optimizer->zero_grad();
    const torch::Tensor logits = state.student->forward(resize_to(x, resolution));
    torch::Tensor loss = soft_cross_entropy(logits, smoothed(y, layout.classes, t.label_smoothing));
    if (teacher != nullptr) {
      torch::Tensor target;
      {
        torch::NoGradGuard no_grad;
        target = torch::softmax(teacher->forward(resize_to(x, teacher->resolution)), 1);
      }
      loss = loss + plan.distill_weight * soft_cross_entropy(logits, target);
    }
    loss.backward();
    state.optimizer->step();
    loss_sum += loss.item<double>();
    call_step_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start).count();
    call_images += t.batch_size;
    if (progress) {
      FinetuneProgress p;
      p.epoch = epoch + 1;
      p.epochs = plan.epochs;
      p.step = step + 1;
      p.steps = steps;
      p.loss = loss_sum / static_cast<double>(step + 1);
      p.learning_rate = lr;
      p.images_per_second = static_cast<double>(call_images) / call_step_seconds;
      progress(p);
    }
  }
  return loss_sum / static_cast<double>(std::max<std::int64_t>(1, steps));
}

FinetuneResult Supernet::finetune(const Arch& arch, const FinetuneOptions& options,
                                  const SupernetEvaluatorOptions& scoring,
                                  const std::function<void(const FinetuneProgress&)>& progress,
                                  std::int64_t max_epochs) {
  validate(options);
  Impl& s = *impl_;
  if (!trained()) throw Error("supernet " + checkpoint_id() + ": not trained");
  FinetuneResult result;
  result.id = finetune_id(arch, options);
  result.weights_path = s.finetune_path(result.id);
  const TrainingOptions& t = s.options.training;
  try {
    ThreadsGuard threads(static_cast<int>(t.threads));
    // The student starts from its inherited weights with BN statistics
    // recalibrated as the search scored it; the teacher is the largest
    // subnet, scored the same way.
    const Mbv3Subnet spec = decode_mbv3(*s.space, s.layout, arch);
    FinetuneState state;
    state.student = s.recalibrated_subnet(spec, scoring.bn_batches, scoring.bn_batch_size);
    state.optimizer = sgd_with_decay(state.student->named_parameters(), options.lr, t.momentum,
                                     t.weight_decay);
    s.load_finetune(result.id, result.weights_path, state, nullptr);
    Subnet teacher{nullptr};
    if (options.distill_weight > 0 && state.epochs_done < options.epochs) {
      teacher = s.recalibrated_subnet(decode_mbv3(*s.space, s.layout, largest_arch(*s.space)),
                                      scoring.bn_batches, scoring.bn_batch_size);
    }
    const std::filesystem::path dir = std::filesystem::path(result.weights_path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir);

    const auto start = std::chrono::steady_clock::now();
    s.call_images = 0;
    s.call_step_seconds = 0;
    while (state.epochs_done < options.epochs &&
           (max_epochs <= 0 || result.epochs_trained_now < max_epochs)) {
      state.losses.push_back(s.finetune_epoch(state, teacher ? teacher.get() : nullptr, options,
                                              state.epochs_done, progress));
      state.student->eval();
      state.val_acc.push_back(s.top1(*state.student, Split::kValidation, scoring));
      ++state.epochs_done;
      ++result.epochs_trained_now;
      s.save_finetune(result.id, result.weights_path, state, options.epochs);
      if (progress) {
        FinetuneProgress p;
        p.epoch = state.epochs_done;
        p.epochs = options.epochs;
        p.loss = state.losses.back();
        p.images_per_second = s.call_step_seconds > 0
                                  ? static_cast<double>(s.call_images) / s.call_step_seconds
                                  : 0;
        p.val_acc = state.val_acc.back();
        progress(p);
      }
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (s.call_step_seconds > 0) {
      result.images_per_second = static_cast<double>(s.call_images) / s.call_step_seconds;
    }
    result.epochs_done = state.epochs_done;
    result.epoch_losses = state.losses;
    result.epoch_val_acc = state.val_acc;
    result.finished = state.epochs_done >= options.epochs;
    if (result.finished) {
      state.student->eval();
      result.val_acc = s.top1(*state.student, Split::kValidation, scoring);
      result.test_acc = s.top1(*state.student, Split::kTest, scoring);
    }
  } catch (const c10::Error& e) {
    throw Error("fine-tune: LibTorch: " + first_line(e.what()));
  }
  return result;
}

}  // namespace nas
