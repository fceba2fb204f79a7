// What of a LibTorch (c10::Error) or c10d message reaches a user: its first
// line; the rest is a C++ backtrace.
#pragma once

#include <string>

namespace nas {

inline std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace nas
