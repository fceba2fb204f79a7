#include "supernet/image_folder.h"

#include <jpeglib.h>
#include <png.h>
#include <torch/torch.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "core/errors.h"
#include "core/hash.h"

namespace nas {
namespace {

namespace fs = std::filesystem;

struct Decoded {
  int channels = 0, height = 0, width = 0;
  std::vector<std::uint8_t> pixels;  // height x width x channels (interleaved)
};

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot read it");
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Decoded decode_png(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
    throw Error(path + ": not a readable PNG image (" + image.message + ")");
  }
  Decoded d;
  d.channels = (image.format & PNG_FORMAT_FLAG_COLOR) ? 3 : 1;
  image.format = d.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;  // alpha composited away
  d.height = static_cast<int>(image.height);
  d.width = static_cast<int>(image.width);
  d.pixels.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, d.pixels.data(), 0, nullptr)) {
    const std::string message = image.message;
    png_image_free(&image);
    throw Error(path + ": PNG image does not decode (" + message + ")");
  }
  return d;
}

struct JpegErrors {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_fail(j_common_ptr info) {
  auto* errors = reinterpret_cast<JpegErrors*>(info->err);
  (*info->err->format_message)(info, errors->message);
  std::longjmp(errors->jump, 1);
}

Decoded decode_jpeg(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  jpeg_decompress_struct info{};
  JpegErrors errors{};
  info.err = jpeg_std_error(&errors.manager);
  errors.manager.error_exit = jpeg_fail;
  Decoded d;
  // Nothing with a destructor lives between setjmp and a longjmp to it.
  if (setjmp(errors.jump)) {
    jpeg_destroy_decompress(&info);
    throw Error(path + ": JPEG image does not decode (" + std::string(errors.message) + ")");
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&info, TRUE);
  info.out_color_space = info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&info);
  d.channels = info.output_components;
  d.height = static_cast<int>(info.output_height);
  d.width = static_cast<int>(info.output_width);
  d.pixels.resize(static_cast<std::size_t>(d.channels) * d.height * d.width);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = d.pixels.data() + static_cast<std::size_t>(info.output_scanline) * d.width * d.channels;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return d;
}

Decoded decode(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_bytes(path);
  static const std::uint8_t kPng[] = {0x89, 'P', 'N', 'G'};
  if (bytes.size() >= 4 && std::equal(kPng, kPng + 4, bytes.begin())) return decode_png(path, bytes);
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) {
    return decode_jpeg(path, bytes);
  }
  char start[32] = "empty";
  if (!bytes.empty()) {
    std::snprintf(start, sizeof start, "starts with %02x %02x %02x %02x", bytes[0],
                  bytes.size() > 1 ? bytes[1] : 0, bytes.size() > 2 ? bytes[2] : 0,
                  bytes.size() > 3 ? bytes[3] : 0);
  }
  throw Error(path + ": not a PNG or JPEG image (" + start + ")");
}

// `d` as channel-major bytes, resized to side x side.
std::vector<std::uint8_t> resized(const Decoded& d, int side) {
  torch::Tensor image =
      torch::from_blob(const_cast<std::uint8_t*>(d.pixels.data()), {d.height, d.width, d.channels},
                       torch::kUInt8)
          .permute({2, 0, 1})
          .unsqueeze(0);
  if (d.height != side || d.width != side) {
    image = torch::nn::functional::interpolate(
                image.to(torch::kFloat32),
                torch::nn::functional::InterpolateFuncOptions()
                    .size(std::vector<int64_t>{side, side})
                    .mode(torch::kBilinear)
                    .align_corners(false)
                    .antialias(true))
                .round()
                .clamp(0, 255)
                .to(torch::kUInt8);
  }
  image = image.contiguous();
  return std::vector<std::uint8_t>(image.data_ptr<std::uint8_t>(),
                                   image.data_ptr<std::uint8_t>() + image.numel());
}

bool is_hidden(const fs::path& p) { return p.filename().string().rfind('.', 0) == 0; }

constexpr char kCacheMagic[8] = {'N', 'A', 'S', 'I', 'M', 'G', '1', '\n'};

bool read_cache(const fs::path& path, ImageSet& set, std::size_t count) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  char magic[8];
  std::int64_t shape[3];
  in.read(magic, 8);
  in.read(reinterpret_cast<char*>(shape), sizeof shape);
  if (!in || !std::equal(magic, magic + 8, kCacheMagic) || shape[2] != static_cast<std::int64_t>(count)) {
    return false;  // another format or a torn file: decode again
  }
  set.channels = shape[0];
  set.height = set.width = shape[1];
  set.labels.resize(count);
  set.pixels.resize(count * static_cast<std::size_t>(set.image_bytes()));
  in.read(reinterpret_cast<char*>(set.labels.data()), static_cast<std::streamsize>(count));
  in.read(reinterpret_cast<char*>(set.pixels.data()), static_cast<std::streamsize>(set.pixels.size()));
  return static_cast<bool>(in);
}

void write_cache(const fs::path& path, const ImageSet& set) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  const fs::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    const std::int64_t shape[3] = {set.channels, set.height, set.size()};
    out.write(kCacheMagic, 8);
    out.write(reinterpret_cast<const char*>(shape), sizeof shape);
    out.write(reinterpret_cast<const char*>(set.labels.data()), static_cast<std::streamsize>(set.labels.size()));
    out.write(reinterpret_cast<const char*>(set.pixels.data()), static_cast<std::streamsize>(set.pixels.size()));
    if (!out) return;  // a cache that cannot be written only costs time
  }
  fs::rename(temporary, path, ec);
}

}  // namespace

std::string image_folder_key(const ImageFolder& folder) {
  std::string text;
  for (const auto& [path, label] : folder.files) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    const auto time = fs::last_write_time(path, ec).time_since_epoch().count();
    text += path + " " + std::to_string(label) + " " + std::to_string(size) + " " +
            std::to_string(time) + "\n";
  }
  return stable_hash_hex(text);
}

ImageFolder list_image_folder(const std::string& root) {
  if (!fs::is_directory(root)) throw Error(root + ": no such folder");
  ImageFolder folder;
  folder.root = root;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory() && !is_hidden(entry.path())) {
      folder.classes.push_back(entry.path().filename().string());
    }
  }
  std::sort(folder.classes.begin(), folder.classes.end());
  if (folder.classes.empty()) {
    throw Error(root + ": no class folders (one subfolder of images per class)");
  }
  if (folder.classes.size() > 256) {
    throw Error(root + ": " + std::to_string(folder.classes.size()) + " class folders; at most 256");
  }
  for (std::size_t c = 0; c < folder.classes.size(); ++c) {
    std::vector<std::string> files;
    const fs::path dir = fs::path(root) / folder.classes[c];
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file() && !is_hidden(entry.path())) files.push_back(entry.path().string());
    }
    if (files.empty()) throw Error(dir.string() + ": empty class folder (no image files)");
    std::sort(files.begin(), files.end());
    for (auto& f : files) folder.files.emplace_back(std::move(f), static_cast<std::uint8_t>(c));
  }
  return folder;
}

std::int64_t image_folder_channels(const ImageFolder& folder) {
  return decode(folder.files.front().first).channels;
}

ImageSet read_image_folder(const ImageFolder& folder, int side, const std::string& cache_dir) {
  ImageSet set;
  const fs::path cache =
      cache_dir.empty() ? fs::path()
                         : fs::path(cache_dir) / ("images-" + image_folder_key(folder) + "-" +
                                                  std::to_string(side) + ".bin");
  if (!cache.empty() && read_cache(cache, set, folder.files.size())) return set;

  set.height = set.width = side;
  std::string first;  // the file that set the channel count
  for (const auto& [path, label] : folder.files) {
    const Decoded d = decode(path);
    if (first.empty()) {
      set.channels = d.channels;
      first = path;
      set.pixels.reserve(folder.files.size() * static_cast<std::size_t>(set.image_bytes()));
    } else if (d.channels != set.channels) {
      throw Error(path + ": " + std::to_string(d.channels) + " channel(s), but " + first + " has " +
                  std::to_string(set.channels) + "; a data set is all grayscale or all RGB");
    }
    const std::vector<std::uint8_t> pixels = resized(d, side);
    set.pixels.insert(set.pixels.end(), pixels.begin(), pixels.end());
    set.labels.push_back(label);
  }
  if (!cache.empty()) write_cache(cache, set);
  return set;
}

}  // namespace nas
