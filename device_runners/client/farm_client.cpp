#include "device_runners/client/farm_client.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "core/errors.h"
#include "device_runners/wire/zmq_channel.h"

namespace nas {
namespace {
using Clock = std::chrono::steady_clock;
}

struct FarmClient::Impl {
  FarmClientOptions options;
  // Sends wait for a connection at most 2 s, so that a broker that is not
  // there turns into an unanswered result rather than a hang.
  std::unique_ptr<wire::ZmqChannel> channel;
  Clock::time_point last_sent;

  explicit Impl(FarmClientOptions o) : options(std::move(o)) {
    try {
      channel = wire::ZmqChannel::connect(
          options.connect, {options.broker_public_key_file, options.curve_secret_file},
          std::chrono::milliseconds(2000));
    } catch (const Error& e) {
      throw Error("farm: broker " + options.connect + ": " + e.what());
    }
    hello();
  }

  // False when the message could not be queued within the send timeout.
  bool send(const wire::Message& message) {
    last_sent = Clock::now();
    return channel->send({"", message});
  }

  void hello() { send(wire::Hello{}.encode()); }

  // Throws when the session says its broker is gone: nothing will answer.
  void check_broker() const {
    if (!options.broker_failure) return;
    if (const auto why = options.broker_failure()) throw Error("farm: " + *why);
  }

  // The next message within `timeout`, heartbeating meanwhile; nullopt on
  // time-out. Malformed messages are skipped.
  std::optional<wire::Message> receive(std::chrono::milliseconds timeout) {
    const auto until = Clock::now() + timeout;
    const auto interval = std::chrono::duration<double>(options.heartbeat_seconds);
    for (;;) {
      check_broker();
      const auto now = Clock::now();
      if (now >= until) return std::nullopt;
      if (now - last_sent >= interval) send({wire::MessageType::kHeartbeat, nlohmann::json::object()});
      const auto wait = std::min<Clock::duration>(until - now, kFarmClientPollInterval);
      try {
        auto in = channel->receive(std::chrono::duration_cast<std::chrono::milliseconds>(wait) +
                                   std::chrono::milliseconds(1));
        if (in) return std::move(in->message);
      } catch (const wire::RejectedMessage&) {
      }
    }
  }
};

FarmClient::FarmClient(FarmClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
FarmClient::~FarmClient() {
  try {
    impl_->send(wire::Bye{"client done"}.encode());
  } catch (const Error&) {
  }
}

std::vector<JobResult> FarmClient::run(const std::vector<FarmJob>& jobs, double max_wait_seconds) {
  std::vector<JobResult> out(jobs.size());
  RunHooks hooks;
  hooks.on_result = [&](std::size_t job, JobResult result) { out[job] = std::move(result); };
  run(jobs, max_wait_seconds, hooks);
  return out;
}

void FarmClient::run(const std::vector<FarmJob>& jobs, double max_wait_seconds,
                     const RunHooks& hooks) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!index.emplace(jobs[i].spec.job_id, i).second) {
      throw Error("farm: job id " + jobs[i].spec.job_id + " appears twice in one batch");
    }
  }
  const auto submit = [&](std::size_t i) {
    impl_->send(wire::Submit{jobs[i].device, jobs[i].spec.to_json()}.encode());
  };
  // A client idle past the broker's liveness (a search scoring on the
  // workstation between batches) has been forgotten: introduce ourselves
  // again first, or every job would come back as a BYE.
  if (Clock::now() - impl_->last_sent >=
      std::chrono::duration<double>(impl_->options.heartbeat_seconds)) {
    impl_->hello();
  }
  const auto deliver = [&](std::size_t i, JobResult r) {
    if (hooks.on_result) hooks.on_result(i, std::move(r));
  };
  const std::size_t window = std::max<std::size_t>(1, impl_->options.max_outstanding);
  std::size_t submitted = 0;  // jobs[0, submitted) went to the broker
  for (; submitted < std::min(window, jobs.size()); ++submitted) submit(submitted);
  std::vector<bool> answered_job(jobs.size(), false);
  std::size_t answered = 0;
  const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(max_wait_seconds));
  const auto listing_interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(hooks.listing_seconds));
  auto next_listing = Clock::now() + listing_interval;
  while (answered < jobs.size()) {
    if (hooks.stop && hooks.stop()) return;
    const auto now = Clock::now();
    if (now >= until) break;
    if (hooks.on_listing && now >= next_listing) {
      impl_->send({wire::MessageType::kList, nlohmann::json::object()});
      next_listing = now + listing_interval;
    }
    // Short waits, so that `stop` and the listing are looked at in time.
    const auto wait = std::min<Clock::duration>(until - now, kFarmClientPollInterval);
    auto m = impl_->receive(std::chrono::duration_cast<std::chrono::milliseconds>(wait) +
                            std::chrono::milliseconds(1));
    if (!m) continue;
    if (m->type == wire::MessageType::kBye) {
      // The broker restarted: say hello again and resubmit what is open.
      impl_->hello();
      for (std::size_t i = 0; i < submitted; ++i) {
        if (!answered_job[i]) submit(i);
      }
      continue;
    }
    if (m->type == wire::MessageType::kList) {
      if (hooks.on_listing) hooks.on_listing(m->body);
      continue;
    }
    if (m->type != wire::MessageType::kResult) continue;
    JobResult r;
    try {
      r = JobResult::from_json(m->body);
    } catch (const wire::ProtocolError& e) {
      continue;
    }
    auto it = index.find(r.job_id);
    if (it == index.end() || it->second >= submitted || answered_job[it->second]) {
      continue;  // not ours, or a repeat
    }
    answered_job[it->second] = true;
    ++answered;
    // The next job goes out before this result is handled (and stored).
    if (submitted < jobs.size()) submit(submitted++);
    deliver(it->second, std::move(r));
  }
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (answered_job[i]) continue;
    JobResult r;
    r.job_id = jobs[i].spec.job_id;
    r.status = wire::JobStatus::kUnanswered;
    r.message = "no result from the farm within " + std::to_string(max_wait_seconds) +
                " s (is a runner for device '" + jobs[i].device + "' connected?)";
    deliver(i, std::move(r));
  }
}

nlohmann::json FarmClient::list(double timeout_seconds) {
  impl_->send({wire::MessageType::kList, nlohmann::json::object()});
  const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(timeout_seconds));
  while (Clock::now() < until) {
    auto m = impl_->receive(std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()));
    if (!m) break;
    if (m->type == wire::MessageType::kList) return m->body;
    if (m->type == wire::MessageType::kBye) {
      // The broker forgot us (we were idle past its liveness, or it
      // restarted): introduce ourselves again and repeat the question.
      impl_->hello();
      impl_->send({wire::MessageType::kList, nlohmann::json::object()});
    }
  }
  throw Error("farm: the broker at " + impl_->options.connect + " did not answer within " +
              std::to_string(timeout_seconds) + " s");
}

}  // namespace nas
