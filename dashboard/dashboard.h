// The live dashboard: a web page and a JSON API over a fitness store and,
// when one is known, the farm's runners. Read-only: it opens the store
// read-only and answers GET only. It serves from its own thread, so a search
// that starts one goes on undisturbed.
//
//   GET /                     the page (self-contained: inline script and
//                             style, it polls the API below)
//   GET /api/runs             every run with its summary and progress
//   GET /api/runs/ID          one run's summary and progress
//   GET /api/runs/ID/front    its front, every objective's value and source
//                             (provisional while the run goes on; run_view.h)
//   GET /api/runs/ID/candidates  every candidate queried so far and the
//                             hypervolume by queries (search_view.h)
//   GET /api/runs/ID/training the supernet training's progress, with an ETA
//   GET /api/archs/ARCH       one architecture's stored values
//   GET /api/runners          the farm's runners and their states
//
// An unknown path is 404, a run id that is not a number 400, an unknown run
// 404, another method 405; every error is {"error": "..."}.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nas {

struct DashboardOptions {
  std::string store_path;        // required: the fitness store to show
  std::string bind = "127.0.0.1";  // this machine only unless changed
  int port = 8080;               // 0: any free port (Dashboard::url says which)
  // Host names answered besides IP addresses and localhost
  // (HttpServerOptions::allowed_hosts).
  std::vector<std::string> allowed_hosts;
  // The farm: its address as shown, and how to ask it for its runners (the
  // broker's LIST answer; may throw nas::Error when the broker does not
  // answer). Without `list_runners` the runners view is an empty list with a
  // note. Called on the dashboard's thread only, one call at a time.
  std::string farm_endpoint;
  std::function<nlohmann::json()> list_runners;
};

class Dashboard {
 public:
  // Opens the store read-only and starts serving. Throws nas::Error when the
  // store cannot be opened (missing, not a store, another schema version)
  // or the address cannot be bound, nas::UsageError for a bad address or port.
  explicit Dashboard(DashboardOptions options);
  ~Dashboard();  // stops serving and closes the store
  Dashboard(const Dashboard&) = delete;
  Dashboard& operator=(const Dashboard&) = delete;

  std::string url() const;  // "http://127.0.0.1:8080/"
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nas
