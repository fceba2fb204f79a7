// Base64 (RFC 4648, standard alphabet, with padding): how a JOB's JSON body
// carries an ONNX file's bytes on the wire.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nas {

std::string base64_encode(std::string_view bytes);

// The bytes of `text`; nullopt when it is not padded base64 (a
// length that is not a multiple of 4, a character outside the alphabet,
// padding anywhere but the end).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace nas
