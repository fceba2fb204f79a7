#include "device_runners/board/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/errors.h"

namespace nas {
namespace {

constexpr std::size_t kMaxOutputBytes = 8u << 20;

std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string dir = end > start ? dirs.substr(start, end - start) : ".";
    const std::string candidate = dir + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    start = end + 1;
  }
  throw Error("command not found: " + name + " (searched PATH)");
}

struct Fd {
  int fd = -1;
  ~Fd() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

}  // namespace

std::string ProcessResult::tail(int n) const {
  std::size_t pos = output.size();
  if (pos > 0 && output[pos - 1] == '\n') --pos;
  for (int i = 0; i < n && pos > 0; ++i) {
    pos = output.rfind('\n', pos - 1);
    if (pos == std::string::npos) return output;
  }
  return output.substr(pos == 0 ? 0 : pos + 1);
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& workdir,
                          const std::function<bool()>& cancelled) {
  if (argv.empty() || argv[0].empty()) throw Error("run_process: empty command");
  const std::string program = find_program(argv[0]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw Error(std::string("pipe: ") + std::strerror(errno));
  Fd out_read{out_pipe[0]}, out_write{out_pipe[1]};
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw Error(std::string("pipe: ") + std::strerror(errno));
  Fd exec_read{err_pipe[0]}, exec_write{err_pipe[1]};

  ProcessResult result;
  result.started = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw Error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Child: async-signal-safe calls only, then exec.
    ::setpgid(0, 0);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(out_pipe[1], 2);
    int err = 0;
    if (!workdir.empty() && ::chdir(workdir.c_str()) != 0) {
      err = errno;
    } else {
      ::execv(program.c_str(), args.data());
      err = errno;
    }
    const ssize_t ignored = ::write(err_pipe[1], &err, sizeof err);
    (void)ignored;
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also in the parent, so that kill(-pid) works at once
  out_write.close();
  exec_write.close();
  int exec_errno = 0;
  if (::read(exec_read.fd, &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
    ::waitpid(pid, nullptr, 0);
    throw Error("cannot start " + program + ": " + std::strerror(exec_errno));
  }

  int status = 0;
  bool exited = false;
  bool open = true;
  std::chrono::steady_clock::time_point term_sent{};
  char buffer[65536];
  while (!exited) {
    if (open) {
      pollfd p{out_read.fd, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) {
        const ssize_t n = ::read(out_read.fd, buffer, sizeof buffer);
        if (n > 0) {
          result.output.append(buffer, static_cast<std::size_t>(n));
          if (result.output.size() > kMaxOutputBytes) {
            result.output.erase(0, result.output.size() - kMaxOutputBytes);
          }
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
          open = false;
        }
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) exited = true;
    if (!exited && !result.cancelled && cancelled()) {
      result.cancelled = true;
      ::kill(-pid, SIGTERM);
      term_sent = std::chrono::steady_clock::now();
    }
    if (!exited && result.cancelled &&
        std::chrono::steady_clock::now() - term_sent > std::chrono::seconds(1)) {
      ::kill(-pid, SIGKILL);
    }
  }
  result.ended = std::chrono::steady_clock::now();
  // What the process wrote just before it exited; children it left behind
  // may hold the pipe open, so read only what is there now.
  for (;;) {
    pollfd p{out_read.fd, POLLIN, 0};
    if (!open || ::poll(&p, 1, 0) <= 0) break;
    const ssize_t n = ::read(out_read.fd, buffer, sizeof buffer);
    if (n <= 0) break;
    result.output.append(buffer, static_cast<std::size_t>(n));
  }
  if (result.output.size() > kMaxOutputBytes) {
    result.output.erase(0, result.output.size() - kMaxOutputBytes);
  }
  if (result.cancelled) ::kill(-pid, SIGKILL);  // leftovers of the group
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace nas
