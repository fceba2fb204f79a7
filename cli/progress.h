// Progress of long work: a line rewritten in place (count, rate, ETA) on a
// terminal, otherwise plain log lines at every tenth of the work and at
// least every kQuietLogInterval.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace nas::cli {

class Progress {
 public:
  // `what` names the unit ("queries"); `total` > 0.
  Progress(std::string what, std::int64_t total, bool enabled = true);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // `done` counts from the start of the work, `already` of it was done by an
  // earlier session (resume) and does not count towards the rate.
  void update(std::int64_t done, std::int64_t already = 0);
  // Ends the in-place line, if any.
  void finish();

 private:
  static constexpr std::chrono::seconds kQuietLogInterval{60};

  std::string what_;
  std::int64_t total_;
  bool enabled_;
  bool tty_;
  bool line_open_ = false;
  std::int64_t last_logged_tenth_ = -1;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace nas::cli
