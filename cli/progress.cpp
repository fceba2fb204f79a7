#include "cli/progress.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

namespace nas::cli {

Progress::Progress(std::string what, std::int64_t total, bool enabled)
    : what_(std::move(what)),
      total_(total),
      enabled_(enabled),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { finish(); }

void Progress::update(std::int64_t done, std::int64_t already) {
  if (!enabled_ || total_ <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done - already) / seconds : 0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
  if (tty_) {
    // Redraw at most 20 times a second; always draw the last step.
    if (done < total_ && now - last_draw_ < std::chrono::milliseconds(50)) return;
    last_draw_ = now;
    std::fprintf(stderr, "\r  %lld/%lld %s  %.1f/s  ETA %.1fs   ",
                 static_cast<long long>(done), static_cast<long long>(total_), what_.c_str(),
                 rate, eta);
    std::fflush(stderr);
    line_open_ = true;
  } else {
    // A line at every tenth of the work, and at least once a minute, so that
    // a log of a two-hour training still shows it is alive.
    const std::int64_t tenth = done * 10 / total_;
    if (tenth == last_logged_tenth_ && now - last_draw_ < kQuietLogInterval) return;
    last_logged_tenth_ = tenth;
    last_draw_ = now;
    spdlog::info("{}/{} {} ({:.1f}/s, ETA {:.1f}s)", done, total_, what_, rate, eta);
  }
}

void Progress::finish() {
  if (line_open_) {
    std::fputc('\n', stderr);
    line_open_ = false;
  }
}

}  // namespace nas::cli
