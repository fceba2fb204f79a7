#include "device_runners/broker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "core/errors.h"
#include "device_runners/backend.h"
#include "device_runners/curve.h"
#include "device_runners/protocol.h"
#include "device_runners/zap_handler.h"

namespace nas {
namespace {

using Clock = std::chrono::steady_clock;

struct Peer {
  std::string routing;
  bool is_runner = false;
  std::string runner_id;  // runners only
  std::string device;
  std::string backend;
  nlohmann::json capabilities = nlohmann::json::object();
  bool accepts_arch = false;
  bool accepts_onnx = false;
  bool ready = false;       // said READY and has no job
  std::string job;          // key of the job it runs, "" if none
  std::int64_t jobs_done = 0;  // results it returned, for the listing
  Clock::time_point last_seen;
  Clock::time_point last_sent;
};

struct Job {
  std::string key;     // client routing id + '/' + job id: unique per client
  std::string client;  // routing id
  std::string job_id;
  std::string device;
  nlohmann::json body;  // the JobSpec as JSON
  bool has_arch = false;
  bool has_onnx = false;
  int attempts = 0;     // dispatches that ended with the runner lost
  std::string runner;   // routing id while running, "" while queued
  Clock::time_point deadline;  // while running: dispatch + deadline + grace
  double deadline_seconds = 0;
};

// Printable form of a routing id for logs.
std::string peer_label(const std::string& routing) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : routing) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

}  // namespace

struct Broker::Impl {
  BrokerOptions options;
  zmq::context_t context;
  std::unique_ptr<ZapHandler> zap;  // before the socket: it must outlive it
  zmq::socket_t router;
  std::string endpoint;

  std::map<std::string, Peer> peers;  // by routing id
  std::map<std::string, Job> jobs;    // unfinished jobs by key
  std::deque<std::string> queue;      // keys of jobs waiting for a runner

  mutable std::mutex stats_mutex;
  BrokerStats stats;  // guarded by stats_mutex

  explicit Impl(BrokerOptions o) : options(std::move(o)), context(1) {
    if (!options.curve_secret_file.empty()) {
      const CurveKeyPair keys = read_secret_keys(options.curve_secret_file);
      zap = std::make_unique<ZapHandler>(context, read_authorized_keys(options.authorized_keys_dir));
      router = zmq::socket_t(context, zmq::socket_type::router);
      router.set(zmq::sockopt::curve_server, 1);
      router.set(zmq::sockopt::curve_secretkey, keys.secret_key);
      router.set(zmq::sockopt::zap_domain, "nas");
    } else {
      router = zmq::socket_t(context, zmq::socket_type::router);
    }
    router.set(zmq::sockopt::linger, 0);
    router.set(zmq::sockopt::router_mandatory, 1);
    // A peer sending more than any honest message is disconnected by libzmq
    // before the bytes reach us.
    router.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(wire::kMaxBodyBytes + 4096));
    std::string address = options.bind;
    // A port of 0 asks for any free port, in ZeroMQ's spelling.
    if (address.size() > 2 && address.compare(address.size() - 2, 2, ":0") == 0) {
      address.replace(address.size() - 1, 1, "*");
    }
    try {
      router.bind(address);
    } catch (const zmq::error_t& e) {
      throw Error("broker: cannot bind " + options.bind + ": " + e.what());
    }
    endpoint = router.get(zmq::sockopt::last_endpoint);
  }

  void count(std::int64_t BrokerStats::*field) {
    std::lock_guard<std::mutex> lock(stats_mutex);
    ++(stats.*field);
  }

  // Sends to a peer; false when it is gone (ROUTER_MANDATORY says so).
  bool send(const std::string& routing, wire::MessageType type, const nlohmann::json& body) {
    return send_encoded(routing, type, wire::encode({type, body})[1]);
  }

  // The same with a body already encoded (a runner's RESULT, passed on to
  // its client as it came).
  bool send_encoded(const std::string& routing, wire::MessageType type, const std::string& body) {
    const std::string type_frame = wire::to_string(type);
    try {
      router.send(zmq::buffer(routing), zmq::send_flags::sndmore);
      router.send(zmq::buffer(type_frame), zmq::send_flags::sndmore);
      router.send(zmq::buffer(body), zmq::send_flags::none);
    } catch (const zmq::error_t& e) {
      if (e.num() == EHOSTUNREACH) return false;
      throw Error(std::string("broker: send failed: ") + e.what());
    }
    auto it = peers.find(routing);
    if (it != peers.end()) it->second.last_sent = Clock::now();
    return true;
  }

  void answer(const Job& job, wire::JobStatus status, const std::string& message) {
    JobResult r;
    r.job_id = job.job_id;
    r.status = status;
    r.message = message;
    send(job.client, wire::MessageType::kResult, r.to_json());
    count(&BrokerStats::results_returned);
    if (status == wire::JobStatus::kTimeout) count(&BrokerStats::timeouts);
  }

  // A runner was lost while running `key`: the job goes back to the queue,
  // or, past the retry cap, to its client as an error.
  void requeue_or_fail(const std::string& key, const std::string& why) {
    auto it = jobs.find(key);
    if (it == jobs.end()) return;
    Job& job = it->second;
    job.runner.clear();
    if (++job.attempts > options.max_retries) {
      answer(job, wire::JobStatus::kError,
             why + "; gave up after " + std::to_string(job.attempts) + " lost runners");
      jobs.erase(it);
      return;
    }
    queue.push_front(key);  // it waited longest
    count(&BrokerStats::jobs_requeued);
  }

  void remove_peer(const std::string& routing, const std::string& why) {
    auto it = peers.find(routing);
    if (it == peers.end()) return;
    Peer peer = it->second;
    peers.erase(it);
    if (peer.is_runner) {
      spdlog::warn("broker: runner {} ({}) {}", peer.runner_id, peer.device, why);
      count(&BrokerStats::runners_lost);
      if (!peer.job.empty()) requeue_or_fail(peer.job, "runner " + peer.runner_id + " " + why);
      return;
    }
    // A client that left: its jobs are no longer wanted.
    for (auto j = jobs.begin(); j != jobs.end();) {
      if (j->second.client != routing) {
        ++j;
        continue;
      }
      if (!j->second.runner.empty()) {
        auto r = peers.find(j->second.runner);
        if (r != peers.end()) r->second.job.clear();  // its result will be dropped
      }
      queue.erase(std::remove(queue.begin(), queue.end(), j->first), queue.end());
      j = jobs.erase(j);
    }
  }

  void dispatch() {
    // The free runners first: under a saturating queue there are few, and
    // the scan of the queue stops as soon as none is left.
    std::vector<Peer*> idle;
    for (auto& [routing, peer] : peers) {
      if (peer.is_runner && peer.ready && peer.job.empty()) idle.push_back(&peer);
    }
    for (auto q = queue.begin(); q != queue.end() && !idle.empty();) {
      Job& job = jobs.at(*q);
      auto fit = std::find_if(idle.begin(), idle.end(), [&](const Peer* p) {
        return p->device == job.device &&
               ((job.has_arch && p->accepts_arch) || (job.has_onnx && p->accepts_onnx));
      });
      if (fit == idle.end()) {
        ++q;
        continue;
      }
      Peer* chosen = *fit;
      idle.erase(fit);
      // An ONNX file is no use to a runner that builds archs: it stays here.
      const bool strip = job.has_onnx && !chosen->accepts_onnx;
      nlohmann::json stripped;
      if (strip) {
        stripped = job.body;
        stripped.erase("onnx");
      }
      if (!send(chosen->routing, wire::MessageType::kJob, strip ? stripped : job.body)) {
        remove_peer(chosen->routing, "is unreachable");  // may requeue: start over
        dispatch();
        return;
      }
      chosen->ready = false;
      chosen->job = job.key;
      job.runner = chosen->routing;
      job.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(
                                            job.deadline_seconds + options.deadline_grace_seconds));
      count(&BrokerStats::jobs_dispatched);
      q = queue.erase(q);
    }
  }

  // The client's job id of a job key (null when none), for the listing.
  nlohmann::json job_id_of(const std::string& key) const {
    auto it = jobs.find(key);
    return it == jobs.end() ? nlohmann::json(nullptr) : nlohmann::json(it->second.job_id);
  }

  nlohmann::json listing() const {
    nlohmann::json runners = nlohmann::json::array();
    const auto now = Clock::now();
    for (const auto& [routing, peer] : peers) {
      if (!peer.is_runner) continue;
      runners.push_back({{"runner_id", peer.runner_id},
                         {"device", peer.device},
                         {"backend", peer.backend},
                         {"state", !peer.job.empty() ? "busy" : (peer.ready ? "idle" : "starting")},
                         {"job", job_id_of(peer.job)},
                         {"jobs_done", peer.jobs_done},
                         {"seconds_since_heard",
                          std::chrono::duration<double>(now - peer.last_seen).count()},
                         {"capabilities", peer.capabilities}});
    }
    std::lock_guard<std::mutex> lock(stats_mutex);
    return {{"runners", runners},
            {"queued", queue.size()},
            {"running", jobs.size() - queue.size()},
            {"stats",
             {{"jobs_submitted", stats.jobs_submitted},
              {"jobs_dispatched", stats.jobs_dispatched},
              {"results_returned", stats.results_returned},
              {"jobs_requeued", stats.jobs_requeued},
              {"timeouts", stats.timeouts},
              {"rejected_messages", stats.rejected_messages},
              {"runners_lost", stats.runners_lost}}}};
  }

  void on_hello(const std::string& routing, const nlohmann::json& body) {
    if (body["protocol"].get<int>() != wire::kProtocolVersion) {
      send(routing, wire::MessageType::kBye,
           {{"reason", "protocol version " + std::to_string(body["protocol"].get<int>()) +
                           " is not supported; this broker speaks " +
                           std::to_string(wire::kProtocolVersion)}});
      return;
    }
    remove_peer(routing, "said HELLO again");  // a restarted peer reusing its id
    Peer peer;
    peer.routing = routing;
    peer.last_seen = peer.last_sent = Clock::now();
    peer.is_runner = body["role"] == "runner";
    if (peer.is_runner) {
      peer.runner_id = body["runner_id"].get<std::string>();
      peer.device = body["device"].get<std::string>();
      peer.backend = body["backend"].get<std::string>();
      peer.capabilities = body.value("capabilities", nlohmann::json::object());
      if (peer.capabilities.contains("accepts") && peer.capabilities["accepts"].is_array()) {
        for (const auto& a : peer.capabilities["accepts"]) {
          if (a == "arch") peer.accepts_arch = true;
          if (a == "onnx") peer.accepts_onnx = true;
        }
      }
      spdlog::info("broker: runner {} joined: device {}, backend {}", peer.runner_id, peer.device,
                   peer.backend);
    }
    peers[routing] = std::move(peer);
  }

  void on_submit(Peer& client, const nlohmann::json& body) {
    const nlohmann::json& spec = body["job"];
    const std::string job_id = spec.value("job_id", std::string());
    try {
      JobSpec::from_json(spec);  // refuse a malformed job now, not on a board
    } catch (const wire::ProtocolError& e) {
      JobResult r;
      r.job_id = job_id;
      r.status = wire::JobStatus::kError;
      r.message = std::string("broker refused the job: ") + e.what();
      send(client.routing, wire::MessageType::kResult, r.to_json());
      return;
    }
    Job job;
    job.client = client.routing;
    job.job_id = job_id;
    job.key = client.routing + "/" + job_id;
    if (jobs.count(job.key)) {
      JobResult r;
      r.job_id = job_id;
      r.message = "job id " + job_id + " is already pending";
      send(client.routing, wire::MessageType::kResult, r.to_json());
      return;
    }
    job.device = body["device"].get<std::string>();
    job.body = spec;
    job.has_arch = spec.contains("arch") && !spec["arch"].is_null();
    job.has_onnx = spec.contains("onnx");
    job.deadline_seconds = spec["deadline_seconds"].get<double>();
    queue.push_back(job.key);
    jobs.emplace(job.key, std::move(job));
    count(&BrokerStats::jobs_submitted);
    dispatch();
  }

  // `raw` is the body as the runner encoded it, passed on as it came. A
  // runner that says it is ready gets its next job before the result goes
  // on to the client: the runners' idle time is the farm's lost throughput.
  void on_result(Peer& runner, const nlohmann::json& body, const std::string& raw) {
    const std::string key = runner.job;
    runner.job.clear();
    auto it = jobs.find(key);
    const bool ours =
        !key.empty() && it != jobs.end() && it->second.job_id == body["job_id"].get<std::string>();
    if (ours) {
      ++runner.jobs_done;
    } else {
      spdlog::debug("broker: dropped a stale result from runner {}", runner.runner_id);
    }
    std::string client;
    if (ours) {
      client = it->second.client;
      jobs.erase(it);
    }
    if (body.value("ready", false)) {
      runner.ready = true;
      dispatch();  // may drop peers: `runner` is not used after this
    }
    if (!ours) return;
    send_encoded(client, wire::MessageType::kResult, raw);
    count(&BrokerStats::results_returned);
    if (body["status"] == "timeout") count(&BrokerStats::timeouts);
  }

  void handle(const std::vector<std::string>& frames) {
    if (frames.empty()) return;
    const std::string& routing = frames[0];
    wire::Message message;
    try {
      message = wire::decode(std::vector<std::string>(frames.begin() + 1, frames.end()));
    } catch (const wire::ProtocolError& e) {
      count(&BrokerStats::rejected_messages);
      spdlog::warn("broker: rejected a message from {}: {}", peer_label(routing), e.what());
      return;
    }
    if (message.type == wire::MessageType::kHello) {
      on_hello(routing, message.body);
      return;
    }
    auto it = peers.find(routing);
    if (it == peers.end()) {
      // Unknown peer (say, after a broker restart): ask it to introduce itself.
      send(routing, wire::MessageType::kBye, {{"reason", "unknown peer: send HELLO first"}});
      return;
    }
    Peer& peer = it->second;
    peer.last_seen = Clock::now();
    using T = wire::MessageType;
    switch (message.type) {
      case T::kHeartbeat: break;
      case T::kReady:
        if (peer.is_runner) {
          peer.ready = true;
          dispatch();
        }
        break;
      case T::kResult:
        if (peer.is_runner) on_result(peer, message.body, frames[2]);
        break;
      case T::kSubmit:
        if (!peer.is_runner) on_submit(peer, message.body);
        break;
      case T::kList:
        send(routing, T::kList, listing());
        break;
      case T::kBye:
        remove_peer(routing, "said BYE");
        dispatch();
        break;
      case T::kHello:
      case T::kJob:
        count(&BrokerStats::rejected_messages);
        spdlog::warn("broker: {} sent {}, which only the broker sends", peer_label(routing),
                     wire::to_string(message.type));
        break;
    }
  }

  void on_timer() {
    const auto now = Clock::now();
    const auto interval = std::chrono::duration<double>(options.heartbeat_seconds);
    std::vector<std::string> dead, unreachable;
    for (auto& [routing, peer] : peers) {
      if (now - peer.last_seen > options.liveness * interval) {
        dead.push_back(routing);
      } else if (now - peer.last_sent >= interval &&
                 !send(routing, wire::MessageType::kHeartbeat, nlohmann::json::object())) {
        unreachable.push_back(routing);
      }
    }
    for (const auto& r : dead) {
      remove_peer(r, "went silent for " + std::to_string(options.liveness) + " heartbeats");
    }
    for (const auto& r : unreachable) remove_peer(r, "is unreachable");
    // Jobs whose runner hangs past the deadline.
    for (auto it = jobs.begin(); it != jobs.end();) {
      Job& job = it->second;
      if (job.runner.empty() || now < job.deadline) {
        ++it;
        continue;
      }
      answer(job, wire::JobStatus::kTimeout,
             "no result within the deadline of " + std::to_string(job.deadline_seconds) + " s");
      auto r = peers.find(job.runner);
      if (r != peers.end()) r->second.job.clear();  // it stays busy until it says READY
      it = jobs.erase(it);
    }
    if (!dead.empty() || !unreachable.empty()) dispatch();
  }
};

Broker::Broker(BrokerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Broker::~Broker() = default;

std::string Broker::endpoint() const { return impl_->endpoint; }

void Broker::serve(const std::atomic<bool>& stop) {
  Impl& b = *impl_;
  const auto tick = std::chrono::milliseconds(
      std::max(10, std::min(100, static_cast<int>(b.options.heartbeat_seconds * 250))));
  auto next_timer = Clock::now();
  std::vector<zmq::pollitem_t> items = {{b.router.handle(), 0, ZMQ_POLLIN, 0}};
  while (!stop.load()) {
    try {
      zmq::poll(items, tick);
      // Drain what is there before the timers run.
      for (int i = 0; i < 1000 && (items[0].revents & ZMQ_POLLIN); ++i) {
        std::vector<zmq::message_t> parts;
        if (!zmq::recv_multipart(b.router, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
          break;
        }
        std::vector<std::string> frames;
        frames.reserve(parts.size());
        for (auto& p : parts) frames.push_back(p.to_string());
        b.handle(frames);
      }
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw Error(std::string("broker: ") + e.what());
    }
    if (Clock::now() >= next_timer) {
      b.on_timer();
      next_timer = Clock::now() + tick;
    }
  }
  for (const auto& [routing, peer] : b.peers) {
    b.send(routing, wire::MessageType::kBye, {{"reason", "broker stopping"}});
  }
}

BrokerStats Broker::stats() const {
  std::lock_guard<std::mutex> lock(impl_->stats_mutex);
  return impl_->stats;
}

}  // namespace nas
