// A search's side of the farm: submits jobs to a broker and collects their
// results. Used from one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "device_runners/wire/job.h"

namespace nas {

// How long the client waits for messages at most before it asks its hooks
// again (stop, broker_failure).
inline constexpr std::chrono::milliseconds kFarmClientPollInterval{100};

struct FarmClientOptions {
  std::string connect;  // the broker's address
  double heartbeat_seconds = 1.0;
  // Jobs of one run() waiting at the broker at once: more are submitted as
  // results come back. A bounded window keeps a long batch from front-loading
  // the broker (which then starves runners of CPU while it takes the batch
  // in) and from holding a shared farm's queue against other searches.
  std::size_t max_outstanding = 256;
  // CURVE: the broker's public key and this client's key pair (.key_secret).
  std::string broker_public_key_file;
  std::string curve_secret_file;
  // Optional: says why the broker can no longer answer (an embedded broker
  // whose thread died), nullopt while it can. Asked at least every
  // kFarmClientPollInterval while the client waits; an answer ends the wait
  // with nas::Error.
  std::function<std::optional<std::string>()> broker_failure;
};

struct FarmJob {
  std::string device;  // device key of the runners that may take it
  JobSpec spec;        // its job_id must be unique among pending jobs
};

// What FarmClient::run does besides waiting: every hook is optional and is
// called on the thread that called run().
struct RunHooks {
  // Each job's result as it arrives (its index in the jobs), and at the end
  // an unanswered result for each job still open.
  std::function<void(std::size_t job, JobResult result)> on_result;
  // Asked at least every kFarmClientPollInterval: true ends run() at once, leaving the rest
  // of the results undelivered (the broker drops them when this client goes).
  std::function<bool()> stop;
  // The broker's LIST, asked about every `listing_seconds` while run() waits
  // (for progress lines: runners per device key and their states).
  std::function<void(const nlohmann::json& listing)> on_listing;
  double listing_seconds = 5;
};

class FarmClient {
 public:
  explicit FarmClient(FarmClientOptions options);
  ~FarmClient();
  FarmClient(const FarmClient&) = delete;
  FarmClient& operator=(const FarmClient&) = delete;

  // Submits the jobs (at most options.max_outstanding waiting at a time)
  // and waits for all results, returned in the jobs' order. A job still
  // unanswered after `max_wait_seconds` (no runner for its device, a broker
  // that went away) comes back with status kUnanswered and a message that
  // says why; nothing throws for an ordinary failure. Throws nas::Error when
  // options.broker_failure reports the broker dead.
  std::vector<JobResult> run(const std::vector<FarmJob>& jobs, double max_wait_seconds);

  // The same, handing each result to hooks.on_result as it arrives instead
  // of returning them at the end.
  void run(const std::vector<FarmJob>& jobs, double max_wait_seconds, const RunHooks& hooks);

  // The broker's LIST: runners with their keys and states, queue sizes,
  // counters. Throws nas::Error when the broker does not answer in time or
  // options.broker_failure reports it dead.
  nlohmann::json list(double timeout_seconds = 3);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nas
