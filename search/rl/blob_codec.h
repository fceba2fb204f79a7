// Float arrays as compact text for the controller's saved state: the raw
// IEEE-754 single-precision bytes, little-endian, in base64. Exact (every bit
// survives), about 5.3 characters per value instead of ~12 as decimal text,
// which matters because the loop stores the state after every step.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace nas {

std::string encode_floats(const std::vector<float>& values);

// Throws nas::Error if `text` is not base64 of exactly `count` floats;
// `what` names the array in the message.
std::vector<float> decode_floats(const std::string& text, std::size_t count,
                                 const std::string& what);

}  // namespace nas
