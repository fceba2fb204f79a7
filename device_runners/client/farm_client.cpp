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
      const auto wait = std::min<Clock::duration>(until - now, std::chrono::milliseconds(100));
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
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!index.emplace(jobs[i].spec.job_id, i).second) {
      throw Error("farm: job id " + jobs[i].spec.job_id + " appears twice in one batch");
    }
  }
  const auto submit = [&](std::size_t i) {
    impl_->send(wire::Submit{jobs[i].device, jobs[i].spec.to_json()}.encode());
  };
  const std::size_t window = std::max<std::size_t>(1, impl_->options.max_outstanding);
  std::size_t submitted = 0;  // jobs[0, submitted) went to the broker
  for (; submitted < std::min(window, jobs.size()); ++submitted) submit(submitted);
  std::vector<std::optional<JobResult>> results(jobs.size());
  std::size_t answered = 0;
  const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(max_wait_seconds));
  while (answered < jobs.size()) {
    const auto now = Clock::now();
    if (now >= until) break;
    auto m = impl_->receive(std::chrono::duration_cast<std::chrono::milliseconds>(until - now));
    if (!m) break;
    if (m->type == wire::MessageType::kBye) {
      // The broker restarted: say hello again and resubmit what is open.
      impl_->hello();
      for (std::size_t i = 0; i < submitted; ++i) {
        if (!results[i]) submit(i);
      }
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
    if (it == index.end() || it->second >= submitted || results[it->second]) {
      continue;  // not ours, or a repeat
    }
    results[it->second] = std::move(r);
    ++answered;
    if (submitted < jobs.size()) submit(submitted++);
  }
  std::vector<JobResult> out;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (results[i]) {
      out.push_back(std::move(*results[i]));
      continue;
    }
    JobResult r;
    r.job_id = jobs[i].spec.job_id;
    r.status = wire::JobStatus::kUnanswered;
    r.message = "no result from the farm within " + std::to_string(max_wait_seconds) +
                " s (is a runner for device '" + jobs[i].device + "' connected?)";
    out.push_back(std::move(r));
  }
  return out;
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
