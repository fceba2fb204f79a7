// Runs the real `nas` binary from tests: start, wait, kill, capture output.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace nas::test {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// A temporary folder removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// A started process with stdout and stderr going to files in `dir`.
class Process {
 public:
  Process(const std::vector<std::string>& args, const std::filesystem::path& dir);
  ~Process();  // kills the process if it still runs
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void kill_hard();  // SIGKILL and reap
  ProcessResult wait();
  std::string stderr_text() const;  // what it has written to stderr so far

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::filesystem::path out_, err_;
};

// Starts `args` and waits for it.
ProcessResult run_process(const std::vector<std::string>& args);

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& text);

// The path of the nas binary under test.
std::string nas_binary();

}  // namespace nas::test
