#include "supernet/supernet.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "supernet/library_errors.h"
#include "core/hash.h"
#include "core/random.h"
#include "supernet/dataset.h"
#include "supernet/device.h"
#include "supernet/mbv3_supernet.h"
#include "supernet/supernet_impl.h"
#include "supernet/training_steps.h"

namespace nas {
namespace {

constexpr std::int64_t kCheckpointFormat = 1;

// Per-channel mean and standard deviation of the inputs: the published
// figures of the built-in sets, computed on the training split otherwise.
std::pair<std::vector<float>, std::vector<float>> normalization(const std::string& dataset,
                                                                const ImageSet& train) {
  if (dataset == "fashion-mnist") return {{0.2860f}, {0.3530f}};
  if (dataset == "mnist") return {{0.1307f}, {0.3081f}};
  if (dataset == "cifar10") return {{0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}};
  if (dataset == "cifar100") return {{0.5071f, 0.4865f, 0.4409f}, {0.2673f, 0.2564f, 0.2762f}};
  const torch::Tensor pixels =
      torch::from_blob(const_cast<std::uint8_t*>(train.pixels.data()),
                       {train.size(), train.channels, train.height * train.width}, torch::kUInt8)
          .to(torch::kFloat64)
          .div_(255.0)
          .transpose(0, 1)
          .reshape({train.channels, -1});
  const torch::Tensor mean = pixels.mean(1), std = pixels.std(1).clamp_min(1e-3);
  std::pair<std::vector<float>, std::vector<float>> out;
  for (std::int64_t c = 0; c < train.channels; ++c) {
    out.first.push_back(static_cast<float>(mean[c].item<double>()));
    out.second.push_back(static_cast<float>(std[c].item<double>()));
  }
  return out;
}

}  // namespace

Supernet::Impl::Impl(const Mbv3Options& space_options, const SupernetOptions& options_,
                     std::uint64_t seed_)
    : options(options_), seed(seed_) {
  layout = mbv3_layout(space_options, data_shape(options.data));
  space = std::make_unique<SearchSpace>(mbv3_space(layout));
  checkpoint_id = Supernet::checkpoint_id_of(space_options, options, seed);
  checkpoint_path =
      (std::filesystem::path(options.training.checkpoint_dir) / (checkpoint_id + ".pt")).string();
  device = resolve_device(options.training.device) == ComputeDevice::kCuda
               ? torch::Device(torch::kCUDA)
               : torch::Device(torch::kCPU);
  if (options.training.threads > 0) {
    torch::set_num_threads(static_cast<int>(options.training.threads));
  }
  TrainingSplits splits =
      load_training_splits(options.data, data_side(), options.training.checkpoint_dir);
  std::tie(input_mean, input_std) = normalization(options.data.dataset, splits.train);
  train = to_tensors(splits.train, input_mean, input_std);
  validation = to_tensors(splits.validation, input_mean, input_std);
  torch::manual_seed(seed);
  net = Mbv3Supernet(layout);
  net->to(device);
  if (options.training.dtype == "float64") net->to(torch::kFloat64);
}

Supernet::Impl::Tensors Supernet::Impl::to_tensors(const ImageSet& set,
                                                   const std::vector<float>& mean,
                                                   const std::vector<float>& std) {
  Tensors t;
  t.images = torch::from_blob(const_cast<std::uint8_t*>(set.pixels.data()),
                              {set.size(), set.channels, set.height, set.width}, torch::kUInt8)
                 .to(torch::kFloat32)
                 .div_(255.0);
  t.mean = torch::tensor(mean).view({1, -1, 1, 1});
  t.std = torch::tensor(std).view({1, -1, 1, 1});
  t.labels = torch::from_blob(const_cast<std::uint8_t*>(set.labels.data()), {set.size()},
                              torch::kUInt8)
                 .to(torch::kInt64);
  return t;
}

torch::Tensor Supernet::Impl::normalize(const Tensors& t, const torch::Tensor& raw) const {
  return ((raw - t.mean) / t.std).to(device);
}

torch::Tensor Supernet::Impl::augment(const torch::Tensor& raw, Rng& rng) const {
  // Random crop with 2 pixels of zero padding, and horizontal flips except
  // for digits.
  const std::int64_t n = raw.size(0), h = raw.size(2), w = raw.size(3);
  const torch::Tensor padded = torch::constant_pad_nd(raw, {2, 2, 2, 2}, 0);
  torch::Tensor out = torch::empty_like(raw);
  const bool flips = options.data.dataset != "mnist";
  for (std::int64_t i = 0; i < n; ++i) {
    const auto dy = static_cast<std::int64_t>(uniform_index(rng, 5));
    const auto dx = static_cast<std::int64_t>(uniform_index(rng, 5));
    torch::Tensor crop = padded[i].narrow(1, dy, h).narrow(2, dx, w);
    if (flips && uniform_index(rng, 2) == 1) crop = crop.flip({2});
    out[i].copy_(crop);
  }
  return out;
}

void Supernet::Impl::build_optimizer() {
  const TrainingOptions& t = options.training;
  optimizer = sgd_with_decay(net->named_parameters(), t.lr, t.momentum, t.weight_decay, "transform");
}

void Supernet::Impl::save_checkpoint() const {
  const std::filesystem::path path(checkpoint_path);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  const std::string temporary = checkpoint_path + ".tmp";
  try {
    torch::serialize::OutputArchive archive;
    archive.write("format", torch::tensor(kCheckpointFormat));
    archive.write("id", torch::tensor(static_cast<std::int64_t>(stable_hash64(checkpoint_id))));
    archive.write("epochs_done", torch::tensor(epochs_done));
    archive.write("epoch_losses", torch::tensor(epoch_losses, torch::kFloat64));
    // What an input must be normalised with, for whoever ships these weights.
    archive.write("input_mean", torch::tensor(input_mean));
    archive.write("input_std", torch::tensor(input_std));
    torch::serialize::OutputArchive model, optim;
    net->save(model);
    optimizer->save(optim);
    archive.write("model", model);
    archive.write("optimizer", optim);
    archive.save_to(temporary);
  } catch (const c10::Error& e) {
    throw Error("checkpoint " + checkpoint_path + ": cannot write it: " + first_line(e.what()));
  }
  std::filesystem::rename(temporary, checkpoint_path);
}

bool Supernet::Impl::load_checkpoint() {
  // Rank 0 reads the file and hands its bytes to the other ranks, which may
  // run on machines without it; every rank then resumes from the same state.
  std::string bytes;
  if (!group || group->rank() == 0) {
    if (std::filesystem::exists(checkpoint_path)) {
      std::ifstream in(checkpoint_path, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      if (!in.good() && !in.eof()) {
        throw Error("checkpoint " + checkpoint_path + ": cannot read it");
      }
      bytes.insert(0, 1, '+');  // "+" and the file; "" when there is none
    }
  }
  if (group) bytes = group->share_from_rank0("checkpoint", bytes);
  if (bytes.empty()) return false;
  const std::string where = "checkpoint " + checkpoint_path + ": ";
  try {
    // LibTorch reads the archive at absolute offsets: the stream holds the
    // file alone, without the "+" marker.
    std::istringstream stream(bytes.substr(1));
    torch::serialize::InputArchive archive;
    archive.load_from(stream, device);
    torch::Tensor format, id, done, losses;
    archive.read("format", format);
    archive.read("id", id);
    if (format.item<std::int64_t>() != kCheckpointFormat ||
        id.item<std::int64_t>() != static_cast<std::int64_t>(stable_hash64(checkpoint_id))) {
      throw Error(where + "belongs to another configuration or format; delete it to train anew");
    }
    archive.read("epochs_done", done);
    archive.read("epoch_losses", losses);
    torch::serialize::InputArchive model, optim;
    archive.read("model", model);
    archive.read("optimizer", optim);
    net->load(model);
    optimizer->load(optim);
    epochs_done = done.item<std::int64_t>();
    losses = losses.to(torch::kCPU).contiguous();
    epoch_losses.assign(losses.data_ptr<double>(), losses.data_ptr<double>() + losses.numel());
  } catch (const c10::Error& e) {
    throw Error(where + "cannot read it (corrupt, or not a nas supernet checkpoint: " +
                first_line(e.what()) + "); delete it to train anew");
  }
  return true;
}

double Supernet::Impl::learning_rate(std::int64_t step, std::int64_t steps_per_epoch) const {
  const TrainingOptions& t = options.training;
  return cosine_learning_rate(t.lr, step, t.warmup_epochs * steps_per_epoch,
                              t.epochs * steps_per_epoch);
}

double Supernet::Impl::train_epoch(std::int64_t epoch,
                                   const std::function<void(const TrainProgress&)>& progress,
                                   std::int64_t images_before, std::int64_t images_resumed) {
  const TrainingOptions& t = options.training;
  const std::int64_t n = train.images.size(0);
  const std::int64_t steps = n / t.batch_size;  // drop the last partial batch
  // Everything random in an epoch comes from a generator seeded by (seed,
  // epoch), so a resumed epoch is the epoch an uninterrupted run would train.
  Rng rng(seed * 1000003ULL + static_cast<std::uint64_t>(epoch));
  const torch::Tensor index_all = shuffled_order(n, rng);

  const Arch largest = largest_arch(*space);
  const Arch smallest = smallest_arch(*space);
  net->train();
  double loss_sum = 0, largest_sum = 0, smallest_sum = 0;
  for (std::int64_t step = 0; step < steps; ++step) {
    const auto step_start = std::chrono::steady_clock::now();
    const double lr = learning_rate(epoch * steps + step, steps);
    set_learning_rate(*optimizer, lr);
    // Every rank draws the whole batch (so that the generator stays in step
    // on all ranks) and trains its share of it.
    const torch::Tensor index = index_all.narrow(0, step * t.batch_size, t.batch_size);
    torch::Tensor raw = train.images.index_select(0, index);
    if (t.augment) raw = augment(raw, rng);
    torch::Tensor labels = train.labels.index_select(0, index);
    if (group) {
      const std::int64_t share = t.batch_size / group->size();
      raw = raw.narrow(0, group->rank() * share, share);
      labels = labels.narrow(0, group->rank() * share, share);
    }
    const torch::Tensor x = normalize(train, raw).to(net->stem_conv->weight.scalar_type());
    const torch::Tensor y = labels.to(device);

    optimizer->zero_grad();
    std::vector<Arch> archs = {largest, smallest};
    for (std::int64_t r = 0; r < t.random_subnets; ++r) archs.push_back(space->sample(rng));
    torch::Tensor teacher;
    std::vector<double> losses;  // per subnet, this rank's share
    for (std::size_t a = 0; a < archs.size(); ++a) {
      const Mbv3Subnet subnet = decode_mbv3(*space, layout, archs[a]);
      const torch::Tensor logits = net->forward(resize_to(x, subnet.resolution), subnet);
      torch::Tensor loss;
      if (a == 0 || !t.distill) {
        loss = soft_cross_entropy(logits, smoothed(y, layout.classes, t.label_smoothing));
        if (a == 0) teacher = torch::softmax(logits.detach(), 1);
      } else {
        loss = soft_cross_entropy(logits, teacher);
      }
      loss.backward();
      losses.push_back(loss.item<double>());
    }
    if (group) {
      // Each rank's loss is the mean over its share: the mean over ranks is
      // the whole batch's, and so is the mean of the gradients.
      group->average_gradients(net->parameters());
      torch::Tensor mean = torch::tensor(losses, torch::kFloat64);
      group->all_reduce_sum(mean);
      mean.div_(group->size());
      losses.assign(mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel());
    }
    double step_loss = 0;
    for (double value : losses) step_loss += value;
    largest_sum += losses[0];
    if (losses.size() > 1) smallest_sum += losses[1];
    optimizer->step();
    loss_sum += step_loss;
    // loss.item() waited for the device, so this is the step's real time.
    call_step_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start).count();
    call_images += t.batch_size;
    if (progress) {
      const auto done = static_cast<double>(step + 1);
      TrainProgress p;
      p.epoch = epoch + 1;
      p.epochs = t.epochs;
      p.step = step + 1;
      p.steps = steps;
      p.images_done = images_before + (step + 1) * t.batch_size;
      p.images_total = t.epochs * steps * t.batch_size;
      p.images_resumed = images_resumed;
      p.loss = loss_sum / done;
      p.loss_largest = largest_sum / done;
      p.loss_smallest = smallest_sum / done;
      p.learning_rate = lr;
      p.images_per_second =
          call_step_seconds > 0 ? static_cast<double>(call_images) / call_step_seconds : 0;
      last_progress = p;
      progress(p);
    }
  }
  return loss_sum / static_cast<double>(std::max<std::int64_t>(1, steps));
}

Supernet::Supernet(const Mbv3Options& space, const SupernetOptions& options, std::uint64_t seed) {
  try {
    impl_ = std::make_unique<Impl>(space, options, seed);
    impl_->build_optimizer();
  } catch (const c10::Error& e) {
    throw Error("supernet: " + first_line(e.what()));
  }
}

Supernet::~Supernet() = default;
Supernet::Supernet(Supernet&&) noexcept = default;
Supernet& Supernet::operator=(Supernet&&) noexcept = default;

const SearchSpace& Supernet::space() const { return *impl_->space; }
const Mbv3Layout& Supernet::layout() const { return impl_->layout; }
const std::string& Supernet::checkpoint_id() const { return impl_->checkpoint_id; }
const std::string& Supernet::checkpoint_path() const { return impl_->checkpoint_path; }
std::string Supernet::device() const { return impl_->device.is_cuda() ? "cuda" : "cpu"; }
std::int64_t Supernet::train_images() const { return impl_->train.images.size(0); }
std::int64_t Supernet::training_images_total() const {
  const TrainingOptions& t = impl_->options.training;
  return t.epochs * (train_images() / t.batch_size) * t.batch_size;
}
std::int64_t Supernet::epochs_done() const { return impl_->epochs_done; }
bool Supernet::trained() const { return impl_->epochs_done >= impl_->options.training.epochs; }

std::string Supernet::checkpoint_id_of(const Mbv3Options& space, const SupernetOptions& options,
                                       std::uint64_t seed) {
  nlohmann::json identity = training_identity(space, options, seed);
  // A folder's images are what is trained on: their names, sizes and times.
  if (options.data.dataset == "folder") identity["data"]["files"] = data_files_key(options.data);
  return stable_hash_hex(identity.dump());
}

const std::vector<float>& Supernet::input_mean() const { return impl_->input_mean; }
const std::vector<float>& Supernet::input_std() const { return impl_->input_std; }
std::vector<std::string> Supernet::class_names() const { return nas::class_names(impl_->options.data); }

void Supernet::join_training_group(const TrainingRank& rank,
                                   const std::function<void(int)>& listening) {
  Impl& s = *impl_;
  if (!rank.distributed()) return;
  if (s.options.training.batch_size % rank.world_size != 0) {
    throw ConfigError("/supernet/training/batch_size",
                      std::to_string(s.options.training.batch_size) + " does not split into " +
                          std::to_string(rank.world_size) +
                          " equal shares: it is the batch of all training ranks together");
  }
  s.group = std::make_unique<TrainingGroup>(rank, listening);
  TrainingGroup* group = s.group.get();
  s.net->synchronise_batch_norm(
      [group](const torch::Tensor& t) { return group->all_reduce_sum_differentiable(t); });
}

TrainSummary Supernet::train(const std::function<void(const TrainProgress&)>& progress,
                             std::int64_t max_epochs) {
  Impl& s = *impl_;
  TrainSummary summary;
  if (!s.checkpoint_loaded) {
    s.load_checkpoint();
    s.checkpoint_loaded = true;
  }
  const TrainingOptions& t = s.options.training;
  const std::int64_t per_epoch = (train_images() / t.batch_size) * t.batch_size;
  const std::int64_t resumed = s.epochs_done * per_epoch;
  const auto start = std::chrono::steady_clock::now();
  s.call_images = 0;
  s.call_step_seconds = 0;
  try {
    while (s.epochs_done < t.epochs && (max_epochs <= 0 || summary.epochs_trained_now < max_epochs)) {
      const double loss = s.train_epoch(s.epochs_done, progress, s.epochs_done * per_epoch, resumed);
      s.epoch_losses.push_back(loss);
      ++s.epochs_done;
      ++summary.epochs_trained_now;
      if (!s.group || s.group->rank() == 0) s.save_checkpoint();
      if (progress && s.last_progress) {
        // A quick look at the validation split: enough images to follow the
        // curve, not the full scoring the search does.
        SupernetEvaluatorOptions quick;
        quick.bn_batches = 10;
        quick.val_images = 2000;
        TrainProgress end = *s.last_progress;
        end.epoch_end = true;
        end.val_acc_largest = accuracy(largest_arch(*s.space), Split::kValidation, quick);
        end.val_acc_smallest = accuracy(smallest_arch(*s.space), Split::kValidation, quick);
        progress(end);
      }
    }
  } catch (const c10::Error& e) {
    throw Error("supernet training: " + first_line(e.what()));
  }
  if (s.group) {
    summary.ranks = s.group->size();
    summary.communication_seconds = s.group->communication_seconds();
    if (s.epochs_done >= t.epochs) {
      // Trained: the ranks part; scoring and export run in this process only.
      s.net->synchronise_batch_norm({});
      s.group.reset();
    }
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary.step_seconds = s.call_step_seconds;
  summary.epochs_done = s.epochs_done;
  summary.epoch_losses = s.epoch_losses;
  if (summary.seconds > 0) {
    summary.images_per_second =
        static_cast<double>(summary.epochs_trained_now * per_epoch) / summary.seconds;
  }
  return summary;
}

}  // namespace nas
