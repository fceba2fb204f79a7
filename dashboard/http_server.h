// A small read-only HTTP/1.1 server on Boost.Beast: GET requests go to one
// handler, every other method is answered 405, a request for a host name
// not served here 403. It serves from its own thread
// with its own io_context, so whatever starts it (a search) is never blocked.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace nas {

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Called on the server's thread, one request at a time, with the request
// target's path (the query string removed). An exception it throws becomes a
// 500 answer with the message as a JSON error.
using HttpHandler = std::function<HttpResponse(const std::string& path)>;

struct HttpServerOptions {
  // The address to listen on. The default serves this machine only; another
  // address (0.0.0.0, an interface's address) opens the server to the network.
  std::string bind = "127.0.0.1";
  int port = 0;  // 0: any free port (see HttpServer::port)
  // A connection silent this long (between requests, or mid-request) is closed.
  double idle_seconds = 30;
  // Host header names answered besides IP addresses and "localhost". A
  // request naming any other host is answered 403: a web page whose domain
  // was rebound to this machine's address must not read it (DNS rebinding).
  std::vector<std::string> allowed_hosts;
  // After a failed accept (out of file descriptors), the server waits this
  // long before accepting again, instead of spinning on the error.
  double accept_backoff_seconds = 0.1;
};

class HttpServer {
 public:
  // Listens and starts serving. Throws nas::UsageError for an address that is
  // not an IP address or a port outside 0..65535, nas::Error when the socket
  // cannot be bound ("dashboard: cannot listen on 127.0.0.1:80: Permission denied").
  HttpServer(HttpServerOptions options, HttpHandler handler);
  // Stops serving: open connections are dropped, the thread is joined.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;         // the port bound (the chosen one when asked for 0)
  std::string url() const;  // "http://127.0.0.1:8080/"

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nas
