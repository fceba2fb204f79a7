// A temporary folder for tests that imitate sysfs trees or need files,
// removed with its content at the end of the test.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace nas::test {

class TestTree {
 public:
  TestTree() {
    std::string pattern = std::filesystem::temp_directory_path().string() + "/nas-test-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    root_ = pattern;
  }
  ~TestTree() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  TestTree(const TestTree&) = delete;
  TestTree& operator=(const TestTree&) = delete;

  const std::string& root() const { return root_; }
  std::string path(const std::string& relative) const { return root_ + "/" + relative; }

  // Writes `text` to root/relative, creating folders, atomically (a reader
  // sees the old or the new content, never a part): write then rename.
  void write(const std::string& relative, const std::string& text) const {
    const std::filesystem::path target = path(relative);
    std::filesystem::create_directories(target.parent_path());
    const std::string temp = target.string() + ".tmp";
    {
      std::ofstream out(temp, std::ios::binary);
      out << text;
    }
    std::filesystem::rename(temp, target);
  }

  void mkdir(const std::string& relative) const {
    std::filesystem::create_directories(path(relative));
  }

  // An executable /bin/sh script.
  std::string script(const std::string& relative, const std::string& body) const {
    write(relative, "#!/bin/sh\n" + body);
    ::chmod(path(relative).c_str(), 0755);
    return path(relative);
  }

 private:
  std::string root_;
};

}  // namespace nas::test
