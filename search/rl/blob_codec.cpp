#include "search/rl/blob_codec.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "core/errors.h"

namespace nas {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Bytes of the floats in little-endian order, whatever the host's order.
std::vector<std::uint8_t> to_bytes(const std::vector<float>& values) {
  std::vector<std::uint8_t> bytes(values.size() * 4);
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &values[i], 4);
    for (std::size_t k = 0; k < 4; ++k) bytes[4 * i + k] = static_cast<std::uint8_t>(bits >> (8 * k));
  }
  return bytes;
}

}  // namespace

std::string encode_floats(const std::vector<float>& values) {
  const std::vector<std::uint8_t> bytes = to_bytes(values);
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t left = bytes.size() - i;
    std::uint32_t group = static_cast<std::uint32_t>(bytes[i]) << 16;
    if (left > 1) group |= static_cast<std::uint32_t>(bytes[i + 1]) << 8;
    if (left > 2) group |= bytes[i + 2];
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += left > 1 ? kAlphabet[(group >> 6) & 63] : '=';
    out += left > 2 ? kAlphabet[group & 63] : '=';
  }
  return out;
}

std::vector<float> decode_floats(const std::string& text, std::size_t count,
                                 const std::string& what) {
  const auto bad = [&](const std::string& why) {
    return Error("rl state: " + what + ": " + why);
  };
  std::array<int, 256> value{};
  value.fill(-1);
  for (int i = 0; i < 64; ++i) value[static_cast<unsigned char>(kAlphabet[i])] = i;
  if (text.size() % 4 != 0) throw bad("not base64 (length " + std::to_string(text.size()) + ")");
  std::vector<std::uint8_t> bytes;
  bytes.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int pad = 0;
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      int v = 0;
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        ++pad;
      } else if (pad > 0 || (v = value[static_cast<unsigned char>(c)]) < 0) {
        throw bad("not base64 (character " + std::to_string(i + k) + ")");
      }
      group = (group << 6) | static_cast<std::uint32_t>(v);
    }
    bytes.push_back(static_cast<std::uint8_t>(group >> 16));
    if (pad < 2) bytes.push_back(static_cast<std::uint8_t>(group >> 8));
    if (pad < 1) bytes.push_back(static_cast<std::uint8_t>(group));
  }
  if (bytes.size() != count * 4) {
    throw bad("holds " + std::to_string(bytes.size()) + " bytes, expected " +
              std::to_string(count * 4) + " (" + std::to_string(count) + " values)");
  }
  std::vector<float> values(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::uint32_t bits = 0;
    for (std::size_t k = 0; k < 4; ++k) bits |= static_cast<std::uint32_t>(bytes[4 * i + k]) << (8 * k);
    std::memcpy(&values[i], &bits, 4);
  }
  return values;
}

}  // namespace nas
