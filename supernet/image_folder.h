// Image folders as users bring them (torchvision's ImageFolder convention):
// one subfolder per class, whose sorted names are the class names and
// labels, holding PNG or JPEG files, grayscale or RGB. Decoded with libpng
// and libjpeg, resized (bilinear, antialiased) to a square side, and cached:
// the decoded set is written next to the checkpoints under a hash of the
// file list (names, sizes, modification times) and the side, so a second
// run does not decode again.
//
// Bad data is one nas::Error naming the path: a missing folder, no class
// folders, an empty class folder, a file that is not a PNG or JPEG image or
// does not decode, images with different channel counts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "supernet/dataset.h"

namespace nas {

struct ImageFolder {
  std::string root;
  std::vector<std::string> classes;                 // sorted subfolder names
  std::vector<std::pair<std::string, std::uint8_t>> files;  // path, label
};

// The classes and files under `root`. Throws nas::Error (see above).
ImageFolder list_image_folder(const std::string& root);

// Decodes every file to `side` x `side`, caching the result in `cache_dir`
// ("" = no cache). Throws nas::Error naming the file that fails.
ImageSet read_image_folder(const ImageFolder& folder, int side, const std::string& cache_dir);

// A hash of the folder's files: their names, labels, sizes and times.
std::string image_folder_key(const ImageFolder& folder);

// Channels of the folder's first image (each image is checked when read).
std::int64_t image_folder_channels(const ImageFolder& folder);

}  // namespace nas
