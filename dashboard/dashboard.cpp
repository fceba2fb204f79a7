#include "dashboard/dashboard.h"

#include <cctype>
#include <optional>

#include "core/errors.h"
#include "dashboard/http_server.h"
#include "dashboard/page.h"
#include "dashboard/run_view.h"
#include "dashboard/search_view.h"
#include "results/store.h"

namespace nas {
namespace {

HttpResponse json_response(int status, const nlohmann::json& body) {
  return {status, "application/json", body.dump()};
}

HttpResponse error_response(int status, const std::string& message) {
  return json_response(status, {{"error", message}});
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// "/api/runs/12/front" -> id "12", rest "/front".
struct RunPath {
  std::string id;
  std::string rest;
};

RunPath split_run_path(const std::string& path) {
  const std::string tail = path.substr(std::string("/api/runs/").size());
  const auto slash = tail.find('/');
  if (slash == std::string::npos) return {tail, ""};
  return {tail.substr(0, slash), tail.substr(slash)};
}

std::optional<std::int64_t> parse_id(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return std::stoll(text);
}

}  // namespace

struct Dashboard::Impl {
  DashboardOptions options;
  Store store;
  std::unique_ptr<HttpServer> server;

  Impl(DashboardOptions o, Store s) : options(std::move(o)), store(std::move(s)) {}

  HttpResponse runners() const {
    if (!options.list_runners) {
      return json_response(200, {{"farm", nullptr},
                                 {"runners", nlohmann::json::array()},
                                 {"note", "no farm known to this dashboard"}});
    }
    try {
      nlohmann::json listing = options.list_runners();
      listing["farm"] = options.farm_endpoint;
      return json_response(200, listing);
    } catch (const Error& e) {
      // A broker that is away is an ordinary state to show, not a failure.
      return json_response(200, {{"farm", options.farm_endpoint},
                                 {"runners", nlohmann::json::array()},
                                 {"note", e.what()}});
    }
  }

  HttpResponse handle(const std::string& path) const {
    if (path == "/" || path == "/index.html") return {200, "text/html; charset=utf-8", dashboard_page()};
    if (path == "/api/runs" || path == "/api/runs/") return json_response(200, runs_json(store));
    if (path == "/api/runners") return runners();
    if (starts_with(path, "/api/archs/")) {
      const std::string id = path.substr(std::string("/api/archs/").size());
      const std::optional<nlohmann::json> body = arch_values_json(store, id);
      if (!body) return error_response(404, "no architecture with id " + id + " in store " + store.path());
      return json_response(200, *body);
    }
    if (starts_with(path, "/api/runs/")) {
      const RunPath run = split_run_path(path);
      if (run.rest == "" || run.rest == "/front" || run.rest == "/candidates" ||
          run.rest == "/training") {
        const std::optional<std::int64_t> id = parse_id(run.id);
        if (!id) return error_response(400, "run id '" + run.id + "' is not a number");
        const std::optional<nlohmann::json> body =
            run.rest.empty()              ? run_json(store, *id)
            : run.rest == "/front"        ? front_json(store, *id)
            : run.rest == "/candidates"   ? candidates_json(store, *id)
                                          : training_json(store, *id);
        if (!body) {
          return error_response(404, "no run with id " + run.id + " in store " + store.path());
        }
        return json_response(200, *body);
      }
    }
    return error_response(404, "no such path: " + path);
  }
};

Dashboard::Dashboard(DashboardOptions options) {
  Store store = Store::open(options.store_path, StoreMode::kReadOnly);
  impl_ = std::make_unique<Impl>(std::move(options), std::move(store));
  HttpServerOptions server;
  server.bind = impl_->options.bind;
  server.port = impl_->options.port;
  server.allowed_hosts = impl_->options.allowed_hosts;
  impl_->server = std::make_unique<HttpServer>(
      server, [impl = impl_.get()](const std::string& path) { return impl->handle(path); });
}

Dashboard::~Dashboard() {
  // The server goes first: its thread uses the store.
  if (impl_) impl_->server.reset();
}

std::string Dashboard::url() const { return impl_->server->url(); }

int Dashboard::port() const { return impl_->server->port(); }

}  // namespace nas
