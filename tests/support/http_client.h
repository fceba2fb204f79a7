// A plain HTTP/1.1 client for tests (Boost.Beast, one connection per call):
// talks to servers under test over a real loopback socket.
#pragma once

#include <string>

namespace nas::test {

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string allow;  // the Allow header, for 405 answers
  std::string body;
};

// Sends `method` (GET, POST, ...) for `target` to 127.0.0.1:`port` and reads
// the answer. Throws std::runtime_error when the server cannot be reached.
HttpReply http_request(int port, const std::string& method, const std::string& target);

inline HttpReply http_get(int port, const std::string& target) {
  return http_request(port, "GET", target);
}

}  // namespace nas::test
