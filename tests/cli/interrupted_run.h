// A `nas run` killed hard (SIGKILL) once its store holds a number of
// committed steps: what the resume tests start from.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "tests/cli/sqlite_peek.h"
#include "tests/support/process.h"

namespace nas::test {

// Runs `nas run config --store store -q` in `dir` and kills it as soon as
// the store has `steps` committed steps (within 60 s). Fails the test when
// the run ends on its own first.
inline void run_and_kill_after_steps(const std::string& config, const std::string& store,
                                     const std::filesystem::path& dir, std::int64_t steps) {
  Process p({nas_binary(), "run", config, "--store", store, "-q"}, dir);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (p.running() && std::chrono::steady_clock::now() < deadline &&
         query_int(store, "SELECT count(*) FROM steps") < steps) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  REQUIRE_MESSAGE(p.running(), "the run ended before it could be killed");
  p.kill_hard();
}

}  // namespace nas::test
