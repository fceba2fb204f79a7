// The dashboard's HTTP server over a real loopback socket: GET reaches the
// handler, other methods never do, handler errors become 500, bad addresses
// and taken ports are named.
#include "dashboard/http_server.h"

#include <doctest/doctest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/errors.h"
#include "tests/support/http_client.h"

namespace nas {
namespace {

using test::http_get;
using test::http_request;

TEST_CASE("GET reaches the handler with the path; other methods are 405") {
  std::atomic<int> calls{0};
  HttpServer server({}, [&](const std::string& path) {
    ++calls;
    if (path == "/teapot") return HttpResponse{418, "text/plain", "short and stout"};
    return HttpResponse{200, "application/json", nlohmann::json{{"path", path}}.dump()};
  });
  CHECK(server.port() > 0);
  CHECK(server.url() == "http://127.0.0.1:" + std::to_string(server.port()) + "/");

  const auto reply = http_get(server.port(), "/api/x?since=3&y");
  CHECK(reply.status == 200);
  CHECK(reply.content_type == "application/json");
  CHECK(nlohmann::json::parse(reply.body)["path"] == "/api/x");
  const auto teapot = http_get(server.port(), "/teapot");
  CHECK(teapot.status == 418);
  CHECK(teapot.content_type == "text/plain");
  CHECK(teapot.body == "short and stout");
  CHECK(calls == 2);

  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "HEAD"}) {
    const auto refused = http_request(server.port(), method, "/api/x");
    CHECK(refused.status == 405);
    CHECK(refused.allow == "GET");
  }
  CHECK(calls == 2);  // the handler never saw them
}

TEST_CASE("a handler's exception becomes a 500 with its message, and serving goes on") {
  HttpServer server({}, [](const std::string& path) -> HttpResponse {
    if (path == "/boom") throw Error("store x.db: database is locked");
    return {200, "text/plain", "fine"};
  });
  const auto failed = http_get(server.port(), "/boom");
  CHECK(failed.status == 500);
  CHECK(nlohmann::json::parse(failed.body)["error"] == "store x.db: database is locked");
  CHECK(http_get(server.port(), "/").body == "fine");
}

TEST_CASE("bad addresses and taken ports are refused with a message that names them") {
  auto handler = [](const std::string&) { return HttpResponse{}; };
  HttpServerOptions bad;
  bad.bind = "localhost";
  CHECK_THROWS_WITH_AS(HttpServer(bad, handler),
                       "dashboard: bind address 'localhost' is not an IP address", UsageError);
  HttpServerOptions high;
  high.port = 70000;
  CHECK_THROWS_WITH_AS(HttpServer(high, handler), "dashboard: port 70000 is outside 0..65535",
                       UsageError);

  HttpServer first({}, handler);
  HttpServerOptions same;
  same.port = first.port();
  const std::string taken =
      "dashboard: cannot listen on 127.0.0.1:" + std::to_string(first.port()) + ": ";
  CHECK_THROWS_WITH_AS(HttpServer(same, handler), doctest::Contains(taken.c_str()), Error);
}

TEST_CASE("a stopped server no longer answers") {
  int port = 0;
  {
    HttpServer server({}, [](const std::string&) { return HttpResponse{}; });
    port = server.port();
    CHECK(http_get(port, "/").status == 200);
  }
  CHECK_THROWS_AS(http_get(port, "/"), std::runtime_error);
}

}  // namespace
}  // namespace nas
