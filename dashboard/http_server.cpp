#include "dashboard/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/errors.h"
#include "core/json_parse.h"

namespace nas {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string json_error(const std::string& message) {
  return nlohmann::json{{"error", message}}.dump();
}

// The host part of a Host header: "[::1]:8080" -> "::1", "a.b:80" -> "a.b".
std::string host_of(std::string_view header) {
  if (!header.empty() && header.front() == '[') {
    const auto close = header.find(']');
    return std::string(header.substr(1, close == std::string_view::npos ? 0 : close - 1));
  }
  return std::string(header.substr(0, header.find(':')));
}

// Whether a request that names `header` as its Host may be answered: an IP
// address or localhost (what a browser sends for this machine), or a name
// the server was told to answer. A DNS-rebinding page always sends its own
// domain name. A request without a Host header (HTTP/1.0) names no one.
bool host_allowed(std::string_view header, const std::vector<std::string>& allowed) {
  if (header.empty()) return true;
  std::string host = host_of(header);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (host == "localhost") return true;
  beast::error_code ec;
  net::ip::make_address(host, ec);
  if (!ec) return true;
  return std::find(allowed.begin(), allowed.end(), host) != allowed.end();
}

// One connection: read a request, answer it, and again while the client
// keeps the connection alive. Owned by its pending asynchronous operation.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpHandler& handler, const HttpServerOptions& options)
      : stream_(std::move(socket)),
        handler_(handler),
        options_(options),
        idle_(static_cast<std::int64_t>(options.idle_seconds * 1000)) {}

  void read() {
    request_ = {};
    stream_.expires_after(idle_);
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       // End of stream, the idle timeout or a malformed
                       // request: nothing more to say on this connection.
                       if (ec) return self->close();
                       self->write();
                     });
  }

 private:
  http::response<http::string_body> answer() {
    http::response<http::string_body> response;
    response.version(request_.version());
    response.keep_alive(request_.keep_alive());
    response.set(http::field::server, "nas-dashboard");
    // Every answer is a live view; a cached one would be stale.
    response.set(http::field::cache_control, "no-store");
    response.set("X-Content-Type-Options", "nosniff");
    if (request_.method() != http::verb::get) {
      response.result(http::status::method_not_allowed);
      response.set(http::field::allow, "GET");
      response.set(http::field::content_type, "application/json");
      response.body() = json_error("method " + std::string(request_.method_string()) +
                                   " not allowed: this server is read-only (GET only)");
      response.prepare_payload();
      return response;
    }
    const auto host_field = request_[http::field::host];
    const std::string host(host_field.data(), host_field.size());
    if (!host_allowed(host, options_.allowed_hosts)) {
      response.result(http::status::forbidden);
      response.set(http::field::content_type, "application/json");
      response.body() = json_error("host '" + printable_excerpt(host) +
                                   "' is not served here (start the dashboard with "
                                   "--allow-host NAME to answer it)");
      response.prepare_payload();
      return response;
    }
    const std::string target(request_.target());
    const std::string path = target.substr(0, target.find('?'));
    HttpResponse out;
    try {
      out = handler_(path);
    } catch (const std::exception& e) {
      spdlog::warn("dashboard: GET {}: {}", path, e.what());
      out = {500, "application/json", json_error(e.what())};
    }
    response.result(static_cast<unsigned>(out.status));
    response.set(http::field::content_type, out.content_type);
    response.body() = std::move(out.body);
    response.prepare_payload();
    return response;
  }

  void write() {
    response_ = answer();
    stream_.expires_after(idle_);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec || !self->response_.keep_alive()) return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  const HttpHandler& handler_;
  const HttpServerOptions& options_;
  std::chrono::milliseconds idle_;
};

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler handler;  // outlives the io_context, whose handlers hold sessions
  net::io_context io{1};
  tcp::acceptor acceptor{io};
  std::string url;
  std::thread thread;

  net::steady_timer backoff{io};
  bool accept_failing = false;  // logged once per run of failures

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!acceptor.is_open()) return;
      if (!ec) {
        if (accept_failing) spdlog::info("dashboard: accepting connections again");
        accept_failing = false;
        std::make_shared<Session>(std::move(socket), handler, options)->read();
        accept();
        return;
      }
      // Out of file descriptors, most often: the pending connection stays
      // queued, so accepting again at once would fail at once, forever.
      // Wait for open connections to close (their idle timeout) instead.
      if (!accept_failing) spdlog::warn("dashboard: accept: {}; backing off", ec.message());
      accept_failing = true;
      backoff.expires_after(std::chrono::milliseconds(
          static_cast<std::int64_t>(options.accept_backoff_seconds * 1000)));
      backoff.async_wait([this](beast::error_code) { accept(); });
    });
  }
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  const HttpServerOptions& o = impl_->options;
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(o.bind, ec);
  if (ec) throw UsageError("dashboard: bind address '" + o.bind + "' is not an IP address");
  if (o.port < 0 || o.port > 65535) {
    throw UsageError("dashboard: port " + std::to_string(o.port) + " is outside 0..65535");
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(o.port));
  try {
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(net::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
  } catch (const boost::system::system_error& e) {
    throw Error("dashboard: cannot listen on " + o.bind + ":" + std::to_string(o.port) + ": " +
                e.code().message());
  }
  // An unspecified address (0.0.0.0) listens everywhere, loopback included.
  const net::ip::address shown =
      address.is_unspecified() ? net::ip::address(net::ip::address_v4::loopback()) : address;
  const std::string host = shown.is_v6() ? "[" + shown.to_string() + "]" : shown.to_string();
  impl_->url = "http://" + host + ":" + std::to_string(port()) + "/";
  impl_->accept();
  impl_->thread = std::thread([this] {
    try {
      impl_->io.run();
    } catch (const std::exception& e) {
      // Nothing may cross the thread; a dead server is logged, not silent.
      spdlog::error("dashboard: server stopped: {}", e.what());
    }
  });
}

HttpServer::~HttpServer() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string HttpServer::url() const { return impl_->url; }

}  // namespace nas
