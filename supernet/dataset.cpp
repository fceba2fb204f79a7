#include "supernet/dataset.h"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>

#include "core/errors.h"
#include "core/random.h"
#include "supernet/image_folder.h"

namespace nas {
namespace {

// The seed of the validation split: fixed, so every run holds out the same images.
constexpr std::uint64_t kValidationSeed = 0x5eed0fa11da7e5ULL;
// The seed of a folder's test split when it has no test/ folder.
constexpr std::uint64_t kTestSeed = 0x7e575eed0f01de5ULL;

// Reads a whole file through zlib, which passes uncompressed files through.
std::vector<std::uint8_t> read_maybe_gzipped(const std::string& path) {
  if (!std::filesystem::exists(path)) throw Error(path + ": no such file");
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) throw Error(path + ": cannot open");
  std::unique_ptr<gzFile_s, int (*)(gzFile)> guard(file, gzclose);
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> chunk(1 << 20);
  for (;;) {
    const int n = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      int code = 0;
      const char* message = gzerror(file, &code);
      throw Error(path + ": corrupt or unreadable (" + std::string(message ? message : "?") + ")");
    }
    if (n == 0) break;
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
  }
  return out;
}

std::uint32_t big_endian(const std::vector<std::uint8_t>& bytes, std::size_t at) {
  return (std::uint32_t{bytes[at]} << 24) | (std::uint32_t{bytes[at + 1]} << 16) |
         (std::uint32_t{bytes[at + 2]} << 8) | std::uint32_t{bytes[at + 3]};
}

std::string hex(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

// Names the package (or the config key) that fixes a missing data set.
[[noreturn]] void missing_data(const DataOptions& options, const std::string& what) {
  std::string hint;
  if (options.path.empty() && options.dataset == "fashion-mnist") {
    hint = "; install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) "
           "or set /supernet/data/path";
  } else if (options.path.empty()) {
    hint = "; put the files there or set /supernet/data/path";
  } else {
    hint = "; check /supernet/data/path";
  }
  throw Error("dataset " + options.dataset + ": " + what + hint);
}

std::string data_folder(const DataOptions& options) {
  return options.path.empty() ? default_data_path(options.dataset) : options.path;
}

// IDX files go by two names: "train-images-idx3-ubyte[.gz]" and "...-images.idx3-ubyte".
std::string find_idx(const DataOptions& options, const std::string& prefix,
                     const std::string& kind) {
  const std::filesystem::path folder = data_folder(options);
  for (const std::string& name : {prefix + "-" + kind + "-ubyte", prefix + "-" + kind + "-ubyte.gz"}) {
    if (std::filesystem::exists(folder / name)) return (folder / name).string();
  }
  std::string dotted = kind;
  dotted[dotted.find('-')] = '.';
  for (const std::string& name : {prefix + "-" + dotted + "-ubyte", prefix + "-" + dotted + "-ubyte.gz"}) {
    if (std::filesystem::exists(folder / name)) return (folder / name).string();
  }
  missing_data(options, (folder / (prefix + "-" + kind + "-ubyte.gz")).string() + " not found");
}

// A CIFAR archive unpacks into a folder of its own; accept either level.
std::filesystem::path cifar_folder(const DataOptions& options, const std::string& inner,
                                   const std::string& probe) {
  std::filesystem::path folder = data_folder(options);
  if (!std::filesystem::exists(folder / probe) && std::filesystem::exists(folder / inner)) {
    folder /= inner;
  }
  return folder;
}

std::vector<std::string> existing(const DataOptions& options, std::vector<std::string> paths) {
  for (const auto& p : paths) {
    if (!std::filesystem::exists(p)) missing_data(options, p + " not found");
  }
  return paths;
}

// An image folder's training part: <path>/train when there is one, else <path>.
std::string folder_train_root(const DataOptions& options) {
  const std::filesystem::path train = std::filesystem::path(options.path) / "train";
  return std::filesystem::is_directory(train) ? train.string() : options.path;
}

std::optional<std::string> folder_test_root(const DataOptions& options) {
  const std::filesystem::path test = std::filesystem::path(options.path) / "test";
  if (std::filesystem::is_directory(test)) return test.string();
  return std::nullopt;
}

// The test folder's listing with the training folder's labels: a class the
// training folder lacks is an error.
ImageFolder test_folder(const DataOptions& options, const std::string& root) {
  const ImageFolder train = list_image_folder(folder_train_root(options));
  ImageFolder test = list_image_folder(root);
  for (auto& [path, label] : test.files) {
    const std::string& name = test.classes[label];
    const auto at = std::find(train.classes.begin(), train.classes.end(), name);
    if (at == train.classes.end()) {
      throw Error((std::filesystem::path(root) / name).string() +
                  ": class not in the training folder " + train.root);
    }
    label = static_cast<std::uint8_t>(at - train.classes.begin());
  }
  test.classes = train.classes;
  return test;
}

ImageSet read_split(const DataOptions& options, bool train, int side, const std::string& cache_dir) {
  if (options.dataset == "folder") {
    return read_image_folder(list_image_folder(folder_train_root(options)), side, cache_dir);
  }
  if (options.dataset == "cifar10") {
    const auto folder = cifar_folder(options, "cifar-10-batches-bin", "test_batch.bin");
    std::vector<std::string> paths;
    if (train) {
      for (int i = 1; i <= 5; ++i) {
        paths.push_back((folder / ("data_batch_" + std::to_string(i) + ".bin")).string());
      }
    } else {
      paths.push_back((folder / "test_batch.bin").string());
    }
    return read_cifar10(existing(options, paths));
  }
  if (options.dataset == "cifar100") {
    const auto folder = cifar_folder(options, "cifar-100-binary", "test.bin");
    return read_cifar100(existing(options, {(folder / (train ? "train.bin" : "test.bin")).string()}));
  }
  dataset_shape(options.dataset);  // throws for an unknown name
  const std::string prefix = train ? "train" : "t10k";
  const std::string images = find_idx(options, prefix, "images-idx3");
  const std::string labels = find_idx(options, prefix, "labels-idx1");
  return read_idx(images, labels);
}

// 0..n-1 shuffled by a fixed seed.
std::vector<std::int64_t> fixed_order(std::int64_t n, std::uint64_t seed) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  Rng rng(seed);
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[uniform_index(rng, i)]);
  return order;
}

std::string where(const DataOptions& options) {
  return options.dataset == "folder" ? "dataset folder " + options.path : "dataset " + options.dataset;
}

// A folder without test/ gives up `validation` images, drawn with a fixed
// seed, as its test split: {the rest, the test part}.
std::pair<ImageSet, ImageSet> held_out_test(const DataOptions& options, const ImageSet& all) {
  const std::int64_t n = all.size();
  if (2 * options.validation >= n) {
    throw Error(where(options) + ": " + std::to_string(n) +
                " images are too few for a validation and a test split of /supernet/data/validation (" +
                std::to_string(options.validation) + ") each; add a test/ folder or lower it");
  }
  const std::vector<std::int64_t> order = fixed_order(n, kTestSeed);
  const auto cut = static_cast<std::ptrdiff_t>(n - options.validation);
  std::vector<std::int64_t> rest(order.begin(), order.begin() + cut), test(order.begin() + cut, order.end());
  std::sort(rest.begin(), rest.end());
  std::sort(test.begin(), test.end());
  return {subset(all, rest), subset(all, test)};
}

}  // namespace

ImageSet read_idx(const std::string& images_path, const std::string& labels_path) {
  const std::vector<std::uint8_t> images = read_maybe_gzipped(images_path);
  const std::vector<std::uint8_t> labels = read_maybe_gzipped(labels_path);
  if (images.size() < 16 || big_endian(images, 0) != 0x00000803) {
    throw Error(images_path + ": not an IDX image file (magic " +
                (images.size() >= 4 ? hex(big_endian(images, 0)) : std::string("missing")) +
                ", expected 0x00000803)");
  }
  if (labels.size() < 8 || big_endian(labels, 0) != 0x00000801) {
    throw Error(labels_path + ": not an IDX label file (magic " +
                (labels.size() >= 4 ? hex(big_endian(labels, 0)) : std::string("missing")) +
                ", expected 0x00000801)");
  }
  const std::int64_t n = big_endian(images, 4);
  ImageSet set;
  set.channels = 1;
  set.height = big_endian(images, 8);
  set.width = big_endian(images, 12);
  const std::int64_t labelled = big_endian(labels, 4);
  if (labelled != n) {
    throw Error(labels_path + ": " + std::to_string(labelled) + " labels for " +
                std::to_string(n) + " images in " + images_path);
  }
  const auto pixel_bytes = static_cast<std::size_t>(n * set.height * set.width);
  if (images.size() < 16 + pixel_bytes) throw Error(images_path + ": truncated");
  if (labels.size() < 8 + static_cast<std::size_t>(n)) throw Error(labels_path + ": truncated");
  set.pixels.assign(images.begin() + 16, images.begin() + 16 + static_cast<std::ptrdiff_t>(pixel_bytes));
  set.labels.assign(labels.begin() + 8, labels.begin() + 8 + n);
  for (std::uint8_t label : set.labels) {
    if (label > 99) throw Error(labels_path + ": label " + std::to_string(label) + " out of range");
  }
  return set;
}

namespace {

// CIFAR's binary records: `label_bytes` label bytes (the last one is the
// class), then 3 x 32 x 32 pixel bytes.
ImageSet read_cifar(const std::vector<std::string>& paths, std::size_t label_bytes, int classes,
                    const std::string& format) {
  const std::size_t record = label_bytes + 3 * 32 * 32;
  ImageSet set;
  set.channels = 3;
  set.height = 32;
  set.width = 32;
  for (const std::string& path : paths) {
    const std::vector<std::uint8_t> bytes = read_maybe_gzipped(path);
    if (bytes.empty() || bytes.size() % record != 0) {
      throw Error(path + ": not a " + format + " binary file (" + std::to_string(bytes.size()) +
                  " bytes is not a multiple of " + std::to_string(record) + ")");
    }
    for (std::size_t at = 0; at < bytes.size(); at += record) {
      const std::uint8_t label = bytes[at + label_bytes - 1];
      if (label >= classes) {
        throw Error(path + ": label " + std::to_string(label) + " out of range (0-" +
                    std::to_string(classes - 1) + ")");
      }
      set.labels.push_back(label);
      set.pixels.insert(set.pixels.end(), bytes.begin() + static_cast<std::ptrdiff_t>(at + label_bytes),
                        bytes.begin() + static_cast<std::ptrdiff_t>(at + record));
    }
  }
  return set;
}

}  // namespace

ImageSet read_cifar10(const std::vector<std::string>& batch_paths) {
  return read_cifar(batch_paths, 1, 10, "CIFAR-10");
}

ImageSet read_cifar100(const std::vector<std::string>& paths) {
  return read_cifar(paths, 2, 100, "CIFAR-100");  // coarse label, then the fine one
}

ImageSet subset(const ImageSet& set, const std::vector<std::int64_t>& indices) {
  ImageSet out;
  out.channels = set.channels;
  out.height = set.height;
  out.width = set.width;
  const std::int64_t bytes = set.image_bytes();
  out.pixels.resize(indices.size() * static_cast<std::size_t>(bytes));
  out.labels.resize(indices.size());
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const std::int64_t from = indices[i];
    std::copy_n(set.pixels.begin() + from * bytes, bytes,
                out.pixels.begin() + static_cast<std::ptrdiff_t>(i) * bytes);
    out.labels[i] = set.labels[static_cast<std::size_t>(from)];
  }
  return out;
}

std::string default_data_path(const std::string& dataset) {
  if (dataset == "fashion-mnist") return "/usr/share/datasets/fashion-mnist";
  if (dataset == "mnist") return "/usr/share/datasets/mnist";
  if (dataset == "cifar10") return "data/cifar10";
  if (dataset == "cifar100") return "data/cifar100";
  throw Error("unknown dataset '" + dataset + "'");
}

TrainingSplits load_training_splits(const DataOptions& options, int side,
                                    const std::string& cache_dir) {
  ImageSet all = read_split(options, true, side, cache_dir);
  if (options.dataset == "folder") {
    if (const auto test = folder_test_root(options)) {
      test_folder(options, *test);  // its classes are checked now, not after the search
    } else {
      all = held_out_test(options, all).first;
    }
  }
  std::int64_t n = all.size();
  if (options.train_limit > 0) n = std::min(n, options.train_limit);
  if (options.validation >= n) {
    throw Error(where(options) + ": /supernet/data/validation (" +
                std::to_string(options.validation) + ") must be smaller than the " +
                std::to_string(n) + " training images");
  }
  const std::vector<std::int64_t> order = fixed_order(n, kValidationSeed);
  const auto cut = static_cast<std::ptrdiff_t>(n - options.validation);
  std::vector<std::int64_t> train(order.begin(), order.begin() + cut);
  std::vector<std::int64_t> validation(order.begin() + cut, order.end());
  std::sort(train.begin(), train.end());
  std::sort(validation.begin(), validation.end());
  return {subset(all, train), subset(all, validation)};
}

ImageSet load_test_split(const DataOptions& options, int side, const std::string& cache_dir) {
  if (options.dataset == "folder") {
    if (const auto test = folder_test_root(options)) {
      return read_image_folder(test_folder(options, *test), side, cache_dir);
    }
    return held_out_test(options, read_split(options, true, side, cache_dir)).second;
  }
  return read_split(options, false, side, cache_dir);
}

DatasetShape data_shape(const DataOptions& options) {
  if (options.dataset != "folder") return dataset_shape(options.dataset);
  const ImageFolder folder = list_image_folder(folder_train_root(options));
  DatasetShape shape;
  shape.channels = image_folder_channels(folder);
  shape.classes = static_cast<std::int64_t>(folder.classes.size());
  shape.height = shape.width = 0;  // resized to the space's resolution
  return shape;
}

std::string data_files_key(const DataOptions& options) {
  if (options.dataset != "folder") return "";
  return image_folder_key(list_image_folder(folder_train_root(options)));
}

std::vector<std::string> class_names(const DataOptions& options) {
  if (options.dataset == "folder") return list_image_folder(folder_train_root(options)).classes;
  if (options.dataset == "fashion-mnist") {
    return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
  }
  if (options.dataset == "cifar10") {
    return {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
  }
  std::vector<std::string> names;  // mnist's digits, cifar100's indices
  for (std::int64_t c = 0; c < dataset_shape(options.dataset).classes; ++c) {
    names.push_back(std::to_string(c));
  }
  return names;
}

}  // namespace nas
