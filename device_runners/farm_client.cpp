#include "device_runners/farm_client.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "core/errors.h"
#include "device_runners/curve.h"

namespace nas {
namespace {
using Clock = std::chrono::steady_clock;
}

struct FarmClient::Impl {
  FarmClientOptions options;
  zmq::context_t context{1};
  zmq::socket_t socket{context, zmq::socket_type::dealer};
  Clock::time_point last_sent;

  explicit Impl(FarmClientOptions o) : options(std::move(o)) {
    socket.set(zmq::sockopt::linger, 0);
    // Sends wait for a connection at most this long, so that a broker that is
    // not there turns into a timeout result rather than a hang.
    socket.set(zmq::sockopt::sndtimeo, 2000);
    if (!options.curve_secret_file.empty()) {
      const CurveKeyPair keys = read_secret_keys(options.curve_secret_file);
      socket.set(zmq::sockopt::curve_serverkey, read_public_key(options.broker_public_key_file));
      socket.set(zmq::sockopt::curve_publickey, keys.public_key);
      socket.set(zmq::sockopt::curve_secretkey, keys.secret_key);
    }
    try {
      socket.connect(options.connect);
    } catch (const zmq::error_t& e) {
      throw Error("farm: cannot connect to broker " + options.connect + ": " + e.what());
    }
    hello();
  }

  // False when the message could not be queued within the send timeout.
  bool send(wire::MessageType type, const nlohmann::json& body) {
    const auto frames = wire::encode({type, body});
    last_sent = Clock::now();
    if (!socket.send(zmq::buffer(frames[0]), zmq::send_flags::sndmore)) return false;
    return socket.send(zmq::buffer(frames[1]), zmq::send_flags::none).has_value();
  }

  void hello() { send(wire::MessageType::kHello, {{"protocol", wire::kProtocolVersion}, {"role", "client"}}); }

  // The next message within `timeout`, heartbeating meanwhile; nullopt on
  // time-out. Malformed messages are skipped.
  std::optional<wire::Message> receive(std::chrono::milliseconds timeout) {
    const auto until = Clock::now() + timeout;
    const auto interval = std::chrono::duration<double>(options.heartbeat_seconds);
    std::vector<zmq::pollitem_t> items = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
    for (;;) {
      const auto now = Clock::now();
      if (now >= until) return std::nullopt;
      if (now - last_sent >= interval) send(wire::MessageType::kHeartbeat, nlohmann::json::object());
      const auto wait = std::min<Clock::duration>(until - now, std::chrono::milliseconds(100));
      try {
        zmq::poll(items, std::chrono::duration_cast<std::chrono::milliseconds>(wait) +
                             std::chrono::milliseconds(1));
      } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) throw Error(std::string("farm: ") + e.what());
        continue;
      }
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> parts;
      if (!zmq::recv_multipart(socket, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
        continue;
      }
      std::vector<std::string> frames;
      for (auto& p : parts) frames.push_back(p.to_string());
      try {
        return wire::decode(frames);
      } catch (const wire::ProtocolError&) {
        continue;
      }
    }
  }
};

FarmClient::FarmClient(FarmClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
FarmClient::~FarmClient() {
  try {
    impl_->send(wire::MessageType::kBye, {{"reason", "client done"}});
  } catch (const zmq::error_t&) {
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
    impl_->send(wire::MessageType::kSubmit,
                {{"device", jobs[i].device}, {"job", jobs[i].spec.to_json()}});
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
    r.status = wire::JobStatus::kTimeout;
    r.environment["unanswered"] = true;  // the farm never answered: nothing was measured
    r.message = "no result from the farm within " + std::to_string(max_wait_seconds) +
                " s (is a runner for device '" + jobs[i].device + "' connected?)";
    out.push_back(std::move(r));
  }
  return out;
}

nlohmann::json FarmClient::list(double timeout_seconds) {
  impl_->send(wire::MessageType::kList, nlohmann::json::object());
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
      impl_->send(wire::MessageType::kList, nlohmann::json::object());
    }
  }
  throw Error("farm: the broker at " + impl_->options.connect + " did not answer within " +
              std::to_string(timeout_seconds) + " s");
}

}  // namespace nas
