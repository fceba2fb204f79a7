// Image classification data: IDX files (MNIST, Fashion-MNIST; gzip-compressed
// or not), the CIFAR-10 and CIFAR-100 binary formats, and image folders
// (supernet/image_folder.h), read into plain byte arrays. The
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

// Reads CIFAR-100 binary files (each record: coarse and fine label bytes,
// 3072 pixel bytes); the fine label (0-99) is the class.
ImageSet read_cifar100(const std::vector<std::string>& paths);

// The images at `indices`, in that order.
ImageSet subset(const ImageSet& set, const std::vector<std::int64_t>& indices);

// The folder a data set is read from when the config gives none.
std::string default_data_path(const std::string& dataset);

// The training set split into training and validation parts. The validation
// part is `options.validation` images drawn with a fixed seed (the same for
// every run, so validation accuracies compare across runs); `train_limit`
// (when > 0) first keeps only the first N images of the file. An image
// folder's images are resized to `side` x `side` and cached in `cache_dir`;
// without a test/ folder, `validation` more images drawn with another fixed
// seed are its test split, never trained on.
struct TrainingSplits {
  ImageSet train;
  ImageSet validation;
};
TrainingSplits load_training_splits(const DataOptions& options, int side = 0,
                                    const std::string& cache_dir = "");

// The test split, touched only to evaluate a final front.
ImageSet load_test_split(const DataOptions& options, int side = 0,
                         const std::string& cache_dir = "");

// Channels and classes of the data: by name, or read from a folder's files.
DatasetShape data_shape(const DataOptions& options);

// What a folder's training files are (names, sizes, times) as a hash; ""
// for the built-in sets.
std::string data_files_key(const DataOptions& options);

// The class names, in label order: a folder's subfolder names, the built-in
// sets' names (digits and indices where the set has none).
std::vector<std::string> class_names(const DataOptions& options);

}  // namespace nas
