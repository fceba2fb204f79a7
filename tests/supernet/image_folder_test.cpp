// Image folders, written as real PNG and JPEG files (drawn from Debian's
// Fashion-MNIST), read by the supernet's loader and by `nas` end to end.
#include "supernet/image_folder.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <regex>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "supernet/dataset.h"
#include "tests/cli/tiny_mbv3_config.h"
#include "tests/support/image_files.h"
#include "tests/support/onnx_tools.h"
#include "tests/support/process.h"

namespace nas {
namespace {

namespace fs = std::filesystem;

// Fashion-MNIST's training images, once.
const ImageSet& fashion() {
  static const ImageSet set = [] {
    DataOptions options;
    options.validation = 1;
    TrainingSplits splits = load_training_splits(options);
    return splits.train;
  }();
  return set;
}

// `per_class` images of each of `classes` (Fashion-MNIST labels 0, 1, ...)
// into <dir>/<name>/, alternating PNG and JPEG; RGB copies the gray channel.
void write_classes(const fs::path& dir, const std::vector<std::string>& names, int per_class,
                   int offset = 0, int channels = 1) {
  const ImageSet& set = fashion();
  for (std::size_t c = 0; c < names.size(); ++c) {
    fs::create_directories(dir / names[c]);
    int written = 0, seen = 0;
    for (std::int64_t i = 0; i < set.size() && written < per_class; ++i) {
      if (set.labels[static_cast<std::size_t>(i)] != c || seen++ < offset) continue;
      std::vector<std::uint8_t> pixels;
      for (int p = 0; p < 28 * 28; ++p) {
        for (int k = 0; k < channels; ++k) pixels.push_back(set.pixels[static_cast<std::size_t>(i * 784 + p)]);
      }
      const fs::path stem = dir / names[c] / ("img" + std::to_string(written));
      if (written % 2 == 0) test::write_png(stem.string() + ".png", pixels.data(), 28, channels);
      else test::write_jpeg(stem.string() + ".jpg", pixels.data(), 28, channels);
      ++written;
    }
  }
}

const std::vector<std::string> kClasses = {"shirt", "trouser", "pullover"};

TEST_CASE("an image folder reads as its classes, resized, and a second read comes from the cache") {
  test::TempDir dir;
  write_classes(dir / "data", kClasses, 6);
  const ImageFolder folder = list_image_folder((dir / "data").string());
  CHECK(folder.classes == std::vector<std::string>{"pullover", "shirt", "trouser"});
  REQUIRE(folder.files.size() == 18);
  CHECK(image_folder_channels(folder) == 1);

  const ImageSet set = read_image_folder(folder, 16, (dir / "cache").string());
  CHECK(set.size() == 18);
  CHECK(set.channels == 1);
  CHECK(set.height == 16);
  CHECK(set.labels.front() == 0);  // "pullover" sorts first
  CHECK(set.labels.back() == 2);
  // PNG is lossless: the first file, resized here, matches Fashion-MNIST's
  // image resized the same way within rounding; checked through its mean.
  double mean = 0;
  for (int p = 0; p < 16 * 16; ++p) mean += set.pixels[static_cast<std::size_t>(p)];
  CHECK(mean / 256 > 10);  // a garment, not a blank

  // The cache is keyed by names, sizes and times: a file whose bytes change
  // behind an unchanged size and time is not decoded again.
  const std::string victim = folder.files.front().first;
  const auto time = fs::last_write_time(victim);
  const auto size = fs::file_size(victim);
  test::write_file(victim, std::string(size, 'x'));
  fs::last_write_time(victim, time);
  const ImageSet again = read_image_folder(folder, 16, (dir / "cache").string());
  CHECK(again.pixels == set.pixels);
  const std::string refused = victim + ": not a PNG or JPEG image (starts with 78 78 78 78)";
  CHECK_THROWS_WITH_AS(read_image_folder(folder, 16, ""), doctest::Contains(refused.c_str()), Error);
}

nlohmann::json folder_config(const test::TempDir& dir, const fs::path& data) {
  nlohmann::json c = test::tiny_mbv3_config(dir.path());
  c["name"] = "folder";
  c["store"] = (dir / "folder.db").string();
  c["supernet"]["data"] = {{"dataset", "folder"}, {"path", data.string()}, {"validation", 30}};
  c["supernet"]["training"]["batch_size"] = 32;
  c["evaluator"]["val_images"] = 30;
  c["evaluator"]["bn_batch_size"] = 32;
  c["objectives"] = {{{"metric", "val_acc"}, {"goal", "maximize"}},
                     {{"metric", "macs"}, {"goal", "minimize"}}};
  c["search"] = {{"strategy", "random"}, {"budget", 3}};
  return c;
}

TEST_CASE("nas run searches an image folder of PNG and JPEG files, nas finetune trains a front member on its own; the exported file says how to feed it") {
  test::TempDir dir;
  write_classes(dir / "data" / "train", kClasses, 60);
  write_classes(dir / "data" / "test", kClasses, 20, 60);
  const std::string config = (dir / "folder.json").string();
  test::write_file(config, folder_config(dir, dir / "data").dump(2));

  const test::ProcessResult run = test::run_process({test::nas_binary(), "run", config, "-q"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.find("(150 training images)") != std::string::npos);  // 180 less 30 validation
  std::smatch front;
  const std::regex member("front ([0-9a-f]{16}): test_acc=([0-9.]+)");
  REQUIRE(std::regex_search(run.err, front, member));
  CHECK(std::stod(front[2].str()) > 0.5);  // 3 classes: chance is 1/3

  bool cached = false;
  for (const auto& entry : fs::directory_iterator(dir / "checkpoints")) {
    cached = cached || entry.path().filename().string().rfind("images-", 0) == 0;
  }
  CHECK(cached);

  // The front member fine-tuned on its own, then again: finished, nothing trained.
  const std::vector<std::string> finetune = {test::nas_binary(), "finetune",
                                             (dir / "folder.db").string(), "--arch",
                                             front[1].str(), "--epochs", "2", "--lr", "0.02"};
  const test::ProcessResult tuned = test::run_process(finetune);
  INFO(tuned.err);
  REQUIRE(tuned.exit_code == 0);
  CHECK(tuned.err.find("fine-tune epoch 2/2") != std::string::npos);
  std::smatch accuracies;
  const std::regex after("test accuracy ([0-9.]+) inherited, ([0-9.]+) fine-tuned \\(2 epochs");
  REQUIRE(std::regex_search(tuned.out, accuracies, after));
  CHECK(std::stod(accuracies[1].str()) == doctest::Approx(std::stod(front[2].str())).epsilon(1e-3));
  CHECK(std::stod(accuracies[2].str()) > 0.5);
  CHECK(tuned.err.find("2 fine-tuned accuracies stored") != std::string::npos);
  const test::ProcessResult again = test::run_process(finetune);
  CHECK(again.exit_code == 0);
  CHECK(again.err.find("was finished already") != std::string::npos);
  CHECK(again.err.find("0 fine-tuned accuracies stored") != std::string::npos);
  CHECK(again.out.find(accuracies[2].str() + " fine-tuned") != std::string::npos);

  // The report shows the fine-tuned accuracy beside the inherited one.
  const test::ProcessResult report = test::run_process(
      {test::nas_binary(), "report", (dir / "folder.db").string(), "--format", "json"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  const nlohmann::json members = nlohmann::json::parse(report.out)["runs"][0]["front"];
  bool shown = false;
  for (const nlohmann::json& m : members) {
    if (m["arch_id"] != front[1].str()) continue;
    shown = true;
    CHECK(m["values"]["test_acc"]["source"] == "supernet");
    CHECK(m["values"]["test_acc_finetuned"]["source"] == "finetuned");
    CHECK(m["values"]["test_acc_finetuned"]["value"].get<double>() ==
          doctest::Approx(std::stod(accuracies[2].str())).epsilon(1e-3));
  }
  CHECK(shown);
  const test::ProcessResult table =
      test::run_process({test::nas_binary(), "report", (dir / "folder.db").string()});
  CHECK(table.out.find("test_acc (fine-tuned)") != std::string::npos);
  const test::ProcessResult bad = test::run_process(
      {test::nas_binary(), "finetune", (dir / "folder.db").string(), "--arch", front[1].str(),
       "--epochs", "0"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--epochs must be >= 1, got 0") != std::string::npos);

  if (const std::string missing = test::onnx_checker_missing(); !missing.empty()) {
    MESSAGE("skipped the metadata check: " << missing);
    return;
  }
  const std::string model = (dir / "model.onnx").string();
  const test::ProcessResult exported = test::run_process(
      {test::nas_binary(), "export", (dir / "folder.db").string(), "--arch", front[1].str(), "-o", model});
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK(exported.out.find("; weights fine-tuned finetune/") != std::string::npos);
  const std::string read_metadata =
      "import onnx, sys, json; m = onnx.load(sys.argv[1]); "
      "d = {e.key: e.value for e in m.metadata_props}; p = json.loads(d['nas.preprocessing']); "
      "print(p['classes'], len(p['mean']), p['scale'] * 255, d['nas.weights'].split()[0])";
  const test::ProcessResult metadata =
      test::run_process({"/usr/bin/python3", "-c", read_metadata, model});
  INFO(metadata.err);
  CHECK(metadata.out.find("['pullover', 'shirt', 'trouser'] 1 1.0 fine-tuned") != std::string::npos);

  // --inherited ships the supernet's weights, and says so.
  const test::ProcessResult inherited = test::run_process(
      {test::nas_binary(), "export", (dir / "folder.db").string(), "--arch", front[1].str(), "-o",
       model, "--inherited"});
  INFO(inherited.err);
  REQUIRE(inherited.exit_code == 0);
  CHECK(inherited.out.find("; weights inherited from supernet") != std::string::npos);
  const test::ProcessResult inherited_metadata =
      test::run_process({"/usr/bin/python3", "-c", read_metadata, model});
  CHECK(inherited_metadata.out.find("1.0 inherited") != std::string::npos);
}

TEST_CASE("bad image folders are one line naming the path, exit status 2") {
  test::TempDir dir;
  const fs::path data = dir / "data";
  write_classes(data / "train", kClasses, 20);
  write_classes(data / "test", kClasses, 4, 20);
  std::string expected;
  SUBCASE("an empty class folder") {
    fs::create_directories(data / "train" / "coat");
    expected = (data / "train" / "coat").string() + ": empty class folder";
  }
  SUBCASE("a file that is not an image") {
    test::write_file(data / "train" / "shirt" / "notes.txt", "not an image");
    expected = (data / "train" / "shirt" / "notes.txt").string() +
               ": not a PNG or JPEG image (starts with 6e 6f 74 20)";
  }
  SUBCASE("a PNG cut short") {
    const std::string bytes = test::read_file(data / "train" / "shirt" / "img0.png");
    test::write_file(data / "train" / "shirt" / "img0.png", bytes.substr(0, bytes.size() / 2));
    expected = (data / "train" / "shirt" / "img0.png").string() + ": PNG image does not decode";
  }
  SUBCASE("mixed channel counts") {
    write_classes(data / "train" / "zrgb", {"rgb"}, 1, 0, 3);
    fs::rename(data / "train" / "zrgb" / "rgb" / "img0.png", data / "train" / "trouser" / "zz.png");
    fs::remove_all(data / "train" / "zrgb");
    expected = (data / "train" / "trouser" / "zz.png").string() + ": 3 channel(s), but ";
  }
  SUBCASE("fewer images than the validation split") {
    fs::remove_all(data / "train");
    write_classes(data / "train", kClasses, 8);
    expected = "dataset folder " + data.string() +
               ": /supernet/data/validation (30) must be smaller than the 24 training images";
  }
  SUBCASE("a class in test that train lacks") {
    write_classes(data / "test", {"bag"}, 2);
    expected = (data / "test" / "bag").string() + ": class not in the training folder " +
               (data / "train").string();
  }
  nlohmann::json c = folder_config(dir, data);
  const std::string config = (dir / "folder.json").string();
  test::write_file(config, c.dump(2));
  // The test split is read when the front is scored: run the whole search.
  const test::ProcessResult run = test::run_process({test::nas_binary(), "run", config, "-q"});
  INFO(run.err);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find(expected) != std::string::npos);
  CHECK(std::count(run.err.begin(), run.err.end(), '\n') <= 8);  // a few log lines and the error
}

}  // namespace
}  // namespace nas
