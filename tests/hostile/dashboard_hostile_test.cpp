// `nas dashboard` against hostile clients (issue 19, item 7), as a real
// process over a real store: a page on a rebound domain, a flood of idle
// connections past the file descriptor limit, a --farm that is not there.
#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "results/store.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

using namespace std::chrono_literals;

// A TCP connection to 127.0.0.1:port, closed with the object; -1 if refused.
struct Connection {
  int fd = -1;
  explicit Connection(int port) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<unsigned short>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ~Connection() {
    if (fd >= 0) ::close(fd);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends `request` and reads until the server closes (or 10 s pass).
  std::string exchange(const std::string& request) {
    if (fd < 0) return "";
    timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (::send(fd, request.data(), request.size(), 0) < 0) return "";
    std::string reply;
    char buffer[4096];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) reply.append(buffer, n);
    return reply;
  }
};

std::string get(int port, const std::string& target, const std::string& host) {
  return Connection(port).exchange("GET " + target + " HTTP/1.1\r\nHost: " + host +
                                   "\r\nConnection: close\r\n\r\n");
}

// `nas dashboard` over an empty store, on a free port; `prefix` runs before
// it in the same shell (a ulimit).
struct Dashboard {
  TempDir dir;
  std::unique_ptr<Process> process;
  int port = 0;

  explicit Dashboard(const std::string& prefix = "", std::vector<std::string> extra = {}) {
    const std::string db = (dir / "runs.db").string();
    { Store::open(db, StoreMode::kReadWrite); }
    std::vector<std::string> args = {"/bin/sh", "-c", prefix + " exec \"$0\" \"$@\"", nas_binary(),
                                     "dashboard", db, "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    process = std::make_unique<Process>(args, dir.path());
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (port == 0 && std::chrono::steady_clock::now() < until && process->running()) {
      for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        if (entry.path().extension() != ".out") continue;
        const std::string text = read_file(entry.path());
        const auto colon = text.rfind(':');
        if (text.rfind("http://", 0) == 0 && text.find('\n') != std::string::npos) {
          port = std::stoi(text.substr(colon + 1));
        }
      }
      std::this_thread::sleep_for(20ms);
    }
    REQUIRE_MESSAGE(port != 0, process->stderr_text());
  }
};

TEST_CASE("7: a request naming a host other than an address or localhost is refused (DNS rebinding)") {
  Dashboard dashboard;
  const std::string port = std::to_string(dashboard.port);
  CHECK(get(dashboard.port, "/api/runs", "127.0.0.1:" + port).rfind("HTTP/1.1 200", 0) == 0);
  CHECK(get(dashboard.port, "/api/runs", "localhost:" + port).rfind("HTTP/1.1 200", 0) == 0);
  const std::string rebound = get(dashboard.port, "/api/runs", "attacker.example:" + port);
  CHECK_MESSAGE(rebound.rfind("HTTP/1.1 403", 0) == 0, rebound.substr(0, 300));
  CHECK(rebound.find("attacker.example") != std::string::npos);
  Dashboard named("", {"--allow-host", "ws.lan"});
  CHECK(get(named.port, "/api/runs", "ws.lan").rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("7: out of file descriptors, the dashboard backs off instead of spinning, and recovers") {
  Dashboard dashboard("ulimit -n 48 &&");
  {
    std::vector<std::unique_ptr<Connection>> idle;
    for (int i = 0; i < 100; ++i) idle.push_back(std::make_unique<Connection>(dashboard.port));
    std::this_thread::sleep_for(2s);
    const std::string log = dashboard.process->stderr_text();
    std::size_t failures = 0;
    for (auto at = log.find("accept:"); at != std::string::npos; at = log.find("accept:", at + 1)) {
      ++failures;
    }
    MESSAGE(failures << " accept failures logged in 2 s, " << log.size() << " bytes of log");
    CHECK(failures >= 1);   // it did run out
    CHECK(failures <= 5);   // and did not spin on it
  }
  // The idle connections closed: it accepts again.
  const auto until = std::chrono::steady_clock::now() + 10s;
  std::string reply;
  while (std::chrono::steady_clock::now() < until && reply.rfind("HTTP/1.1 200", 0) != 0) {
    reply = get(dashboard.port, "/api/runs", "127.0.0.1");
    std::this_thread::sleep_for(100ms);
  }
  CHECK(reply.rfind("HTTP/1.1 200", 0) == 0);
}

// A TCP listener that accepts connections, counts them and holds them open,
// speaking nothing: a broker that is there and never answers.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd_, 64) == 0);
    socklen_t size = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      for (int c; (c = ::accept(fd_, nullptr, nullptr)) >= 0;) {
        held_.push_back(c);
        ++accepted_;
      }
    });
  }
  ~SilentListener() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    for (int c : held_) ::close(c);
  }
  int port() const { return port_; }
  int accepted() const { return accepted_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::vector<int> held_;  // written by the thread only, read after join
  std::thread thread_;
};

TEST_CASE("7: with --farm at a broker that does not answer, /api/runners does not wait for it "
          "at every request") {
  SilentListener silent;
  Dashboard dashboard("", {"--farm", "tcp://127.0.0.1:" + std::to_string(silent.port())});
  // The first request waits for the broker and says it did not answer;
  // those that follow within a few seconds repeat that at once, without
  // asking it again (a new connection each time, before).
  for (int i = 0; i < 5; ++i) {
    CHECK(get(dashboard.port, "/api/runners", "127.0.0.1").find("did not answer") !=
          std::string::npos);
  }
  CHECK(silent.accepted() == 1);
  CHECK(get(dashboard.port, "/api/runs", "127.0.0.1").rfind("HTTP/1.1 200", 0) == 0);
}

}  // namespace
}  // namespace nas::test
