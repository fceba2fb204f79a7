// The farm a `nas run` brings along: with a "farm" section that binds, an
// embedded broker served on a thread and, by default, a runner process on
// this machine's CPU, so the default path measures through a real runner.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/config.h"

namespace nas::cli {

class FarmSession {
 public:
  // Starts what `farm` asks for; nothing when it is disabled or connects to
  // an external broker. `runner_threads` is the local runner's thread count.
  FarmSession(const FarmOptions& farm, int runner_threads);
  // Ends the local runner (SIGTERM, then waits) and the broker.
  ~FarmSession();
  FarmSession(const FarmSession&) = delete;
  FarmSession& operator=(const FarmSession&) = delete;

  // The embedded broker's address; "" when there is none.
  std::string endpoint() const;

  // Why the embedded broker no longer serves (its thread failed), nullopt
  // while it serves or when there is none. Thread-safe; a run's FarmClient
  // asks it while waiting (FarmClientOptions::broker_failure), so that a
  // dead broker ends the run at once instead of after `wait_seconds`.
  std::optional<std::string> broker_failure() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nas::cli
