// PNG and JPEG files written with libpng and libjpeg, for tests and
// benchmarks of the image-folder loader. `pixels`: side x side x channels
// bytes (interleaved), channels 1 or 3. Throws std::runtime_error.
#pragma once

#include <jpeglib.h>
#include <png.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace nas::test {

inline void write_png(const std::filesystem::path& path, const std::uint8_t* pixels, int side, int channels) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = image.height = static_cast<png_uint_32>(side);
  image.format = channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  if (!png_image_write_to_file(&image, path.c_str(), 0, pixels, 0, nullptr)) {
    throw std::runtime_error(path.string() + ": " + image.message);
  }
}

inline void write_jpeg(const std::filesystem::path& path, const std::uint8_t* pixels, int side, int channels) {
  jpeg_compress_struct info{};
  jpeg_error_mgr errors{};
  info.err = jpeg_std_error(&errors);
  jpeg_create_compress(&info);
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error(path.string() + ": cannot write");
  jpeg_stdio_dest(&info, file);
  info.image_width = info.image_height = static_cast<JDIMENSION>(side);
  info.input_components = channels;
  info.in_color_space = channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, 95, TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<std::uint8_t*>(pixels) + info.next_scanline * side * channels;
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::fclose(file);
}

}  // namespace nas::test
