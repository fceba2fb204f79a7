// Image classification data: IDX files (MNIST, Fashion-MNIST; gzip-compressed
// or not) and the CIFAR-10 binary format, read into plain byte arrays. The
// header is torch-free; the trainer turns batches into tensors.
//
// Every reader throws nas::Error naming the file and what is wrong with it
// ("...: not an IDX image file (magic 0x...)", "...: truncated"). A missing
// default data set names the Debian package that provides it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/supernet_options.h"

namespace nas {

// N images of C x H x W bytes (channel-major, as CIFAR stores them) with one
// label each.
struct ImageSet {
  std::int64_t channels = 1;
  std::int64_t height = 0;
  std::int64_t width = 0;
  std::vector<std::uint8_t> pixels;  // size() * channels * height * width
  std::vector<std::uint8_t> labels;  // size()
  std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
  std::int64_t image_bytes() const { return channels * height * width; }
};

// Reads an IDX image file (magic 0x00000803) and its label file (0x00000801);
// either may be gzip-compressed. Counts must agree.
ImageSet read_idx(const std::string& images_path, const std::string& labels_path);

// Reads CIFAR-10 binary batches (each record: 1 label byte, 3072 pixel bytes).
ImageSet read_cifar10(const std::vector<std::string>& batch_paths);

// The images at `indices`, in that order.
ImageSet subset(const ImageSet& set, const std::vector<std::int64_t>& indices);

// The folder a data set is read from when the config gives none.
std::string default_data_path(const std::string& dataset);

// The training set split into training and validation parts. The validation
// part is `options.validation` images drawn with a fixed seed (the same for
// every run, so validation accuracies compare across runs); `train_limit`
// (when > 0) first keeps only the first N images of the file.
struct TrainingSplits {
  ImageSet train;
  ImageSet validation;
};
TrainingSplits load_training_splits(const DataOptions& options);

// The test split, touched only to evaluate a final front.
ImageSet load_test_split(const DataOptions& options);

}  // namespace nas
