#include "supernet/dataset.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "core/errors.h"
#include "tests/supernet/test_data.h"

namespace nas {
namespace {

TEST_CASE("IDX files are read gzipped or plain, and the validation split is fixed") {
  test::TempDir dir("idx");
  test::write_idx_pair(dir.path(), "train", 120, true);
  test::write_idx_pair(dir.path(), "t10k", 30, false, 7);
  DataOptions options;
  options.path = dir.path().string();
  options.validation = 20;
  const TrainingSplits a = load_training_splits(options);
  CHECK(a.train.size() == 100);
  CHECK(a.validation.size() == 20);
  CHECK(a.train.height == 28);
  CHECK(a.train.pixels.size() == 100u * 28 * 28);
  const TrainingSplits b = load_training_splits(options);
  CHECK(a.validation.labels == b.validation.labels);
  CHECK(a.validation.pixels == b.validation.pixels);
  const ImageSet test = load_test_split(options);
  CHECK(test.size() == 30);

  options.train_limit = 60;
  CHECK(load_training_splits(options).train.size() == 40);
}

TEST_CASE("a wrong dataset path or a broken file is a clear error") {
  DataOptions options;
  options.path = "/nonexistent/fashion";
  CHECK_THROWS_WITH_AS(load_training_splits(options),
                       doctest::Contains("dataset fashion-mnist: /nonexistent/fashion/"
                                         "train-images-idx3-ubyte.gz not found; check "
                                         "/supernet/data/path"),
                       Error);
  test::TempDir dir("badidx");
  test::write_file(dir.path() / "train-images-idx3-ubyte", {1, 2, 3, 4, 5, 6, 7, 8}, false);
  test::write_file(dir.path() / "train-labels-idx1-ubyte", {0, 0, 8, 1, 0, 0, 0, 0}, false);
  options.path = dir.path().string();
  CHECK_THROWS_WITH_AS(load_training_splits(options),
                       doctest::Contains("not an IDX image file (magic 0x01020304"), Error);
  options.dataset = "cifar10";
  CHECK_THROWS_WITH_AS(load_training_splits(options), doctest::Contains("data_batch_1.bin not found"),
                       Error);
}

TEST_CASE("the default dataset's absence names its Debian package") {
  DataOptions options;
  options.dataset = "fashion-mnist";
  if (!std::filesystem::exists(default_data_path("fashion-mnist"))) {
    CHECK_THROWS_WITH_AS(load_test_split(options), doctest::Contains("dataset-fashion-mnist"),
                         Error);
  } else {
    CHECK(load_test_split(options).size() == 10000);
  }
}

TEST_CASE("CIFAR-10 binary batches are read") {
  test::TempDir dir("cifar");
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 4; ++i) {
    bytes.push_back(static_cast<std::uint8_t>(i));
    bytes.insert(bytes.end(), 3072, static_cast<std::uint8_t>(i * 10));
  }
  test::write_file(dir.path() / "test_batch.bin", bytes, false);
  const ImageSet set = read_cifar10({(dir.path() / "test_batch.bin").string()});
  CHECK(set.size() == 4);
  CHECK(set.channels == 3);
  CHECK(set.labels[3] == 3);
  CHECK(set.pixels[3 * 3072] == 30);
  bytes.pop_back();
  test::write_file(dir.path() / "test_batch.bin", bytes, false);
  CHECK_THROWS_WITH_AS(read_cifar10({(dir.path() / "test_batch.bin").string()}),
                       doctest::Contains("not a multiple of 3073"), Error);
}

TEST_CASE("CIFAR-100 records carry a coarse and a fine label; the fine one is the class") {
  test::TempDir dir("cifar100");
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 3; ++i) {
    bytes.push_back(static_cast<std::uint8_t>(i));       // coarse
    bytes.push_back(static_cast<std::uint8_t>(90 + i));  // fine
    bytes.insert(bytes.end(), 3072, static_cast<std::uint8_t>(i * 10));
  }
  test::write_file(dir.path() / "train.bin", bytes, false);
  test::write_file(dir.path() / "test.bin", bytes, false);
  const ImageSet set = read_cifar100({(dir.path() / "train.bin").string()});
  CHECK(set.size() == 3);
  CHECK(set.labels == std::vector<std::uint8_t>{90, 91, 92});
  CHECK(set.pixels[2 * 3072] == 20);
  DataOptions options;
  options.dataset = "cifar100";
  options.path = dir.path().string();
  options.validation = 1;
  CHECK(load_training_splits(options).train.size() == 2);
  CHECK(load_test_split(options).size() == 3);
  CHECK(data_shape(options).classes == 100);
  bytes[1] = 100;
  test::write_file(dir.path() / "train.bin", bytes, false);
  CHECK_THROWS_WITH_AS(read_cifar100({(dir.path() / "train.bin").string()}),
                       doctest::Contains("label 100 out of range (0-99)"), Error);
}

}  // namespace
}  // namespace nas
