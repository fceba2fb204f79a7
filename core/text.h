// Small text helpers the parsers share.
#pragma once

#include <cctype>
#include <string>

namespace nas {

// `s` without leading and trailing whitespace.
inline std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

}  // namespace nas
