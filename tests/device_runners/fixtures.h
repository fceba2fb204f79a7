// The vendor tools' output under tests/device_runners/fixtures/: each tool's
// own layout, with layers and numbers of our own.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace nas::test {

inline std::string fixture_path(const std::string& name) {
  return std::string(NAS_SOURCE_DIR) + "/tests/device_runners/fixtures/" + name;
}

inline std::string fixture(const std::string& name) {
  std::ifstream in(fixture_path(name));
  REQUIRE_MESSAGE(in, "no fixture " << fixture_path(name));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace nas::test
