#include "supernet/supernet.h"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/errors.h"
#include "tests/supernet/test_data.h"
#include "tests/supernet/tiny_options.h"

namespace nas {
namespace {

Mbv3Options tiny_space() {
  Mbv3Options o = test::tiny_mbv3_options();
  o.stages[0].stride = 2;
  o.stages[1].depths = {1, 2};
  o.kernels = {3, 5};
  return o;
}

SupernetOptions tiny_training(const std::filesystem::path& data, const std::filesystem::path& ckpt) {
  SupernetOptions s;
  s.enabled = true;
  s.data.path = data.string();
  s.data.validation = 100;
  s.training.epochs = 2;
  s.training.batch_size = 32;
  s.training.lr = 0.1;
  s.training.augment = false;  // a shifted crop would move the label's bar
  s.training.random_subnets = 1;
  s.training.device = "cpu";
  s.training.checkpoint_dir = ckpt.string();
  return s;
}

TEST_CASE("training resumes from its checkpoint on the same loss curve, and is reused") {
  test::TempDir dir("train");
  test::write_idx_pair(dir.path(), "train", 500, true, 1, 16);
  test::write_idx_pair(dir.path(), "t10k", 100, true, 2, 16);

  // Straight through.
  Supernet straight(tiny_space(), tiny_training(dir.path(), dir.path() / "a"), 4);
  std::int64_t last_seen = 0;
  const TrainSummary full = straight.train([&](const TrainProgress& p) {
    if (p.epoch_end) return;  // an epoch's closing report repeats its last step's count
    CHECK(p.images_done > last_seen);
    last_seen = p.images_done;
  });
  REQUIRE(full.epoch_losses.size() == 2);
  CHECK(full.epochs_trained_now == 2);
  CHECK(last_seen == 2 * 12 * 32);
  CHECK(full.epoch_losses[1] < full.epoch_losses[0]);
  CHECK(std::filesystem::exists(straight.checkpoint_path()));

  // Cut off after one epoch, then a new process (object) resumes.
  {
    Supernet first(tiny_space(), tiny_training(dir.path(), dir.path() / "b"), 4);
    CHECK(first.checkpoint_id() == straight.checkpoint_id());
    const TrainSummary one = first.train({}, 1);
    CHECK(one.epochs_done == 1);
    CHECK_FALSE(first.trained());
  }
  Supernet resumed(tiny_space(), tiny_training(dir.path(), dir.path() / "b"), 4);
  const TrainSummary rest = resumed.train();
  CHECK(rest.epochs_trained_now == 1);
  REQUIRE(rest.epoch_losses.size() == 2);
  // CPU kernels may differ in the last bits between two runs of one process
  // (alignment picks the vector path); the curve is the same well below that.
  CHECK(rest.epoch_losses[0] == doctest::Approx(full.epoch_losses[0]).epsilon(1e-4));
  CHECK(rest.epoch_losses[1] == doctest::Approx(full.epoch_losses[1]).epsilon(1e-4));

  SupernetEvaluatorOptions eval;
  eval.bn_batches = 2;
  eval.bn_batch_size = 50;
  const Arch big = largest_arch(straight.space());
  const double a = straight.accuracy(big, Split::kValidation, eval);
  CHECK(a == doctest::Approx(resumed.accuracy(big, Split::kValidation, eval)));
  CHECK(a > 0.3);  // the bars are learnable; chance is 0.1
  const double test_acc = straight.accuracy(big, Split::kTest, eval);
  CHECK(test_acc > 0.3);

  // The same configuration again: the checkpoint is loaded, nothing trained.
  Supernet again(tiny_space(), tiny_training(dir.path(), dir.path() / "a"), 4);
  const TrainSummary reused = again.train();
  CHECK(reused.epochs_trained_now == 0);
  CHECK(again.trained());
  CHECK(again.accuracy(big, Split::kValidation, eval) == doctest::Approx(a));

  // Another seed is another supernet.
  CHECK(Supernet::checkpoint_id_of(tiny_space(), tiny_training(dir.path(), dir.path()), 5) !=
        straight.checkpoint_id());
  // How many processes train, and how long they wait for each other, is not
  // what is trained; the arithmetic's precision is.
  SupernetOptions ranks = tiny_training(dir.path(), dir.path() / "a");
  ranks.training.processes = 4;
  ranks.training.timeout_seconds = 5;
  CHECK(Supernet::checkpoint_id_of(tiny_space(), ranks, 4) == straight.checkpoint_id());
  ranks.training.dtype = "float64";
  CHECK(Supernet::checkpoint_id_of(tiny_space(), ranks, 4) != straight.checkpoint_id());

  LatencyOptions latency;
  latency.repeats = 5;
  latency.warmup = 2;
  latency.warmup_ms = 1;
  const LatencyStats stats = straight.measure_cpu_latency(big, latency);
  CHECK(stats.samples_ms.size() == 5);
  CHECK(stats.median_ms > 0);
  CHECK(stats.min_ms <= stats.median_ms);
}

TEST_CASE("training reports steps with losses, learning rate and this session's throughput, and each epoch's validation accuracy") {
  test::TempDir dir("reports");
  test::write_idx_pair(dir.path(), "train", 500, true, 1, 16);
  test::write_idx_pair(dir.path(), "t10k", 100, true, 2, 16);
  {
    Supernet first(tiny_space(), tiny_training(dir.path(), dir.path() / "c"), 4);
    first.train({}, 1);  // an earlier session trained epoch 1
  }
  Supernet resumed(tiny_space(), tiny_training(dir.path(), dir.path() / "c"), 4);
  std::vector<TrainProgress> steps, ends;
  std::vector<std::chrono::steady_clock::time_point> seen_at;
  const auto start = std::chrono::steady_clock::now();
  resumed.train([&](const TrainProgress& p) {
    (p.epoch_end ? ends : steps).push_back(p);
    if (!p.epoch_end) seen_at.push_back(std::chrono::steady_clock::now());
  });
  const double call_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(steps.size() == 12);  // 400 training images in batches of 32, epoch 2 only
  for (std::size_t i = 0; i < steps.size(); ++i) {
    CHECK(steps[i].epoch == 2);
    CHECK(steps[i].step == static_cast<std::int64_t>(i + 1));
    CHECK(steps[i].steps == 12);
    CHECK(steps[i].learning_rate > 0);
    CHECK(steps[i].loss_largest > 0);
    CHECK(steps[i].loss_smallest > 0);
    CHECK(steps[i].images_resumed == 12 * 32);
  }
  // The learning rate anneals along the cosine.
  CHECK(steps.back().learning_rate < steps.front().learning_rate);
  REQUIRE(ends.size() == 1);
  CHECK(ends[0].epoch == 2);
  REQUIRE(ends[0].val_acc_largest);
  REQUIRE(ends[0].val_acc_smallest);
  CHECK(*ends[0].val_acc_largest >= 0);
  CHECK(*ends[0].val_acc_largest <= 1);
  CHECK(*ends[0].val_acc_smallest <= 1);
  // Throughput counts this session's images over its own step time: never
  // below images over the whole call (which adds validation and the
  // checkpoint), and near the rate between the first and last step's
  // reports (counting the earlier session's images would double it).
  const double rate = steps.back().images_per_second;
  CHECK(rate >= 12 * 32 / call_seconds);
  const double between =
      11 * 32 / std::chrono::duration<double>(seen_at.back() - seen_at.front()).count();
  CHECK(rate / between > 0.4);
  CHECK(rate / between < 1.6);
}

TEST_CASE("a subnet fine-tunes on its own, resumes from its weights file, and exports them") {
  test::TempDir dir("finetune");
  test::write_idx_pair(dir.path(), "train", 500, true, 1, 16);
  test::write_idx_pair(dir.path(), "t10k", 100, true, 2, 16);
  const SupernetOptions options = tiny_training(dir.path(), dir.path() / "ckpt");
  Supernet supernet(tiny_space(), options, 4);
  supernet.train();
  SupernetEvaluatorOptions scoring;
  scoring.bn_batches = 2;
  scoring.bn_batch_size = 50;
  const Arch small = smallest_arch(supernet.space());
  const double inherited = supernet.accuracy(small, Split::kTest, scoring);

  FinetuneOptions plan;
  plan.epochs = 2;
  plan.lr = 0.05;
  const std::string id = supernet.finetune_id(small, plan);
  CHECK(id.size() == 16);
  CHECK(finetune_id_of(finetune_fidelity(id)) == id);
  CHECK_FALSE(finetune_id_of(supernet.checkpoint_id() + "/bn2x50").has_value());
  FinetuneOptions other = plan;
  other.lr = 0.02;
  CHECK(supernet.finetune_id(small, other) != id);
  CHECK(supernet.finetune_id(largest_arch(supernet.space()), plan) != id);

  // Cut off after one epoch: the weights file holds it, and the export
  // refuses the unfinished fine-tune.
  std::int64_t steps_seen = 0, epochs_seen = 0;
  const FinetuneResult first = supernet.finetune(small, plan, scoring, [&](const FinetuneProgress& p) {
    if (p.val_acc) ++epochs_seen;
    else ++steps_seen;
  }, 1);
  CHECK(first.epochs_trained_now == 1);
  CHECK_FALSE(first.finished);
  CHECK_FALSE(first.test_acc.has_value());
  CHECK(steps_seen == 12);  // 400 training images in batches of 32
  CHECK(epochs_seen == 1);
  CHECK(std::filesystem::exists(first.weights_path));
  CHECK(first.weights_path == supernet.finetune_weights_path(id));
  CHECK_THROWS_WITH_AS(supernet.export_finetuned_onnx(small, id, {}),
                       doctest::Contains("holds 1 of 2 epochs"), Error);

  // A new process resumes at epoch 2 and finishes.
  Supernet again(tiny_space(), options, 4);
  again.train();
  const FinetuneResult rest = again.finetune(small, plan, scoring);
  CHECK(rest.epochs_trained_now == 1);
  CHECK(rest.finished);
  REQUIRE(rest.epoch_losses.size() == 2);
  CHECK(rest.epoch_losses[0] == doctest::Approx(first.epoch_losses[0]));
  CHECK(rest.epoch_val_acc.size() == 2);
  REQUIRE(rest.test_acc.has_value());
  // The bars are learnable; fine-tuning the smallest subnet alone keeps it
  // well above chance (0.1) and near what it inherited.
  CHECK(*rest.test_acc > 0.3);
  CHECK(*rest.test_acc > inherited - 0.2);

  // Finished: a third call trains nothing and scores the same weights.
  const FinetuneResult done = again.finetune(small, plan, scoring);
  CHECK(done.epochs_trained_now == 0);
  CHECK(done.test_acc == rest.test_acc);

  // The weights file of another fine-tune is refused by name.
  std::filesystem::copy_file(rest.weights_path, again.finetune_weights_path(supernet.finetune_id(small, other)));
  CHECK_THROWS_WITH_AS(again.finetune(small, other, scoring),
                       doctest::Contains("belongs to another subnet"), Error);
  CHECK_THROWS_WITH_AS(again.export_finetuned_onnx(small, "0123456789abcdef", {}),
                       doctest::Contains("is missing"), Error);
  const OnnxModel model = again.export_finetuned_onnx(small, id, {});
  CHECK(model.bytes.size() > 1000);
}

TEST_CASE("a corrupt checkpoint is a clear error") {
  test::TempDir dir("corrupt");
  test::write_idx_pair(dir.path(), "train", 200, false, 1, 16);
  Supernet net(tiny_space(), tiny_training(dir.path(), dir.path() / "ckpt"), 1);
  std::filesystem::create_directories(dir.path() / "ckpt");
  std::ofstream(net.checkpoint_path()) << "this is not a checkpoint";
  CHECK_THROWS_WITH_AS(net.train(),
                       doctest::Contains(("checkpoint " + net.checkpoint_path() +
                                          ": cannot read it (corrupt").c_str()),
                       Error);
  CHECK(std::filesystem::file_size(net.checkpoint_path()) == 24);  // left as it was
}

TEST_CASE("a wrong dataset path is a clear error") {
  test::TempDir dir("nodata");
  CHECK_THROWS_WITH_AS(Supernet(tiny_space(), tiny_training(dir.path() / "missing", dir.path()), 1),
                       doctest::Contains("dataset fashion-mnist: "), Error);
}

}  // namespace
}  // namespace nas
