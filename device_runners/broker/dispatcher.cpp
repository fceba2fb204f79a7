#include "device_runners/broker/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <vector>

#include "core/json_parse.h"
#include "device_runners/wire/job.h"

namespace nas {
namespace {

Dispatcher::Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Dispatcher::Clock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

Dispatcher::Dispatcher(DispatchOptions options, Send send)
    : options_(options), send_(std::move(send)) {}

bool Dispatcher::send(const std::string& peer, const wire::Message& message, Clock::time_point now) {
  if (!send_(peer, message)) return false;
  auto it = peers_.find(peer);
  if (it != peers_.end()) it->second.last_sent = now;
  return true;
}

void Dispatcher::count(std::int64_t BrokerStats::*field) {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  ++(stats_.*field);
}

void Dispatcher::count_rejected() { count(&BrokerStats::rejected_messages); }

BrokerStats Dispatcher::stats() const {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  return stats_;
}

void Dispatcher::answer(const Job& job, wire::JobStatus status, const std::string& message,
                        Clock::time_point now) {
  JobResult r;
  r.job_id = job.job_id;
  r.status = status;
  r.message = message;
  send(job.client, {wire::MessageType::kResult, r.to_json()}, now);
  count(&BrokerStats::results_returned);
  if (status == wire::JobStatus::kTimeout) count(&BrokerStats::timeouts);
}

// A runner was lost while running `key`: the job goes back to the front of
// the queue (it waited longest), or, past the retry cap, to its client as an
// error.
void Dispatcher::requeue_or_fail(const std::string& key, const std::string& why,
                                 Clock::time_point now) {
  auto it = jobs_.find(key);
  if (it == jobs_.end()) return;
  Job& job = it->second;
  job.runner.clear();
  if (++job.attempts > options_.max_retries) {
    answer(job, wire::JobStatus::kError,
           why + "; gave up after " + std::to_string(job.attempts) + " lost runners", now);
    jobs_.erase(it);
    return;
  }
  queue_.push_front(key);
  count(&BrokerStats::jobs_requeued);
}

void Dispatcher::remove_peer(const std::string& id, const std::string& why, Clock::time_point now) {
  auto it = peers_.find(id);
  if (it == peers_.end()) return;
  Peer peer = it->second;
  peers_.erase(it);
  if (peer.is_runner) {
    spdlog::warn("broker: runner {} ({}) {}", peer.hello.runner_id, peer.hello.device, why);
    count(&BrokerStats::runners_lost);
    if (!peer.job.empty()) requeue_or_fail(peer.job, "runner " + peer.hello.runner_id + " " + why, now);
    return;
  }
  // A client that left: its jobs are no longer wanted.
  for (auto j = jobs_.begin(); j != jobs_.end();) {
    if (j->second.client != id) {
      ++j;
      continue;
    }
    if (!j->second.runner.empty()) {
      auto r = peers_.find(j->second.runner);
      if (r != peers_.end()) r->second.job.clear();  // its result will be dropped
    }
    queue_.erase(std::remove(queue_.begin(), queue_.end(), j->first), queue_.end());
    j = jobs_.erase(j);
  }
}

void Dispatcher::dispatch(Clock::time_point now) {
  // The free runners first: under a saturating queue there are few, and the
  // scan of the queue stops as soon as none is left.
  std::vector<Peer*> idle;
  for (auto& [id, peer] : peers_) {
    if (peer.is_runner && peer.ready && peer.job.empty()) idle.push_back(&peer);
  }
  for (auto q = queue_.begin(); q != queue_.end() && !idle.empty();) {
    Job& job = jobs_.at(*q);
    auto fit = std::find_if(idle.begin(), idle.end(), [&](const Peer* p) { return can_run(*p, job); });
    if (fit == idle.end()) {
      ++q;
      continue;
    }
    Peer* chosen = *fit;
    idle.erase(fit);
    // An ONNX file is no use to a runner that builds archs: it stays here.
    wire::Message message{wire::MessageType::kJob, job.body};
    if (job.has_onnx && !chosen->hello.accepts("onnx")) message.body.erase("onnx");
    if (!send(chosen->id, message, now)) {
      remove_peer(chosen->id, "is unreachable", now);  // may requeue: start over
      dispatch(now);
      return;
    }
    chosen->ready = false;
    chosen->job = job.key;
    job.runner = chosen->id;
    job.deadline = now + seconds(job.deadline_seconds + options_.deadline_grace_seconds);
    count(&BrokerStats::jobs_dispatched);
    q = queue_.erase(q);
  }
}

nlohmann::json Dispatcher::listing(Clock::time_point now) const {
  nlohmann::json runners = nlohmann::json::array();
  for (const auto& [id, peer] : peers_) {
    if (!peer.is_runner) continue;
    const auto job = jobs_.find(peer.job);
    runners.push_back(
        {{"runner_id", peer.hello.runner_id},
         {"device", peer.hello.device},
         {"backend", peer.hello.backend},
         {"state", !peer.job.empty() ? "busy" : (peer.ready ? "idle" : "starting")},
         {"job", job == jobs_.end() ? nlohmann::json(nullptr) : nlohmann::json(job->second.job_id)},
         {"jobs_done", peer.jobs_done},
         {"seconds_since_heard", std::chrono::duration<double>(now - peer.last_seen).count()},
         {"capabilities", peer.hello.capabilities}});
  }
  // Per device key: what a search's progress line and the dashboard show.
  std::map<std::string, nlohmann::json> by_device;
  const auto device_entry = [&](const std::string& device) -> nlohmann::json& {
    auto it = by_device.find(device);
    if (it == by_device.end()) {
      it = by_device
               .emplace(device, nlohmann::json{{"device", device}, {"runners", 0}, {"busy", 0},
                                               {"idle", 0}, {"queued", 0}, {"running", 0},
                                               {"jobs_done", 0}})
               .first;
    }
    return it->second;
  };
  for (const auto& [id, peer] : peers_) {
    if (!peer.is_runner) continue;
    nlohmann::json& d = device_entry(peer.hello.device);
    d["runners"] = d["runners"].get<int>() + 1;
    if (!peer.job.empty()) d["busy"] = d["busy"].get<int>() + 1;
    else if (peer.ready) d["idle"] = d["idle"].get<int>() + 1;
  }
  for (const auto& [key, job] : jobs_) {
    nlohmann::json& d = device_entry(job.device);
    const char* field = job.runner.empty() ? "queued" : "running";
    d[field] = d[field].get<int>() + 1;
  }
  for (const auto& [device, done] : done_by_device_) device_entry(device)["jobs_done"] = done;
  nlohmann::json devices = nlohmann::json::array();
  for (auto& [device, d] : by_device) devices.push_back(std::move(d));
  const BrokerStats s = stats();
  return {{"runners", runners},
          {"devices", devices},
          {"queued", queued()},
          {"running", running()},
          {"stats",
           {{"jobs_submitted", s.jobs_submitted},
            {"jobs_dispatched", s.jobs_dispatched},
            {"results_returned", s.results_returned},
            {"jobs_requeued", s.jobs_requeued},
            {"timeouts", s.timeouts},
            {"rejected_messages", s.rejected_messages},
            {"runners_lost", s.runners_lost}}}};
}

void Dispatcher::on_hello(const std::string& id, const wire::Message& message,
                          Clock::time_point now) {
  wire::Hello hello = wire::Hello::decode(message);
  if (hello.protocol != wire::kProtocolVersion) {
    send(id,
         wire::Bye{"protocol version " + std::to_string(hello.protocol) +
                   " is not supported; this broker speaks " +
                   std::to_string(wire::kProtocolVersion)}
             .encode(),
         now);
    return;
  }
  remove_peer(id, "said HELLO again", now);  // a restarted peer reusing its id
  Peer peer;
  peer.id = id;
  peer.last_seen = peer.last_sent = now;
  peer.is_runner = hello.role == wire::Hello::Role::kRunner;
  if (peer.is_runner) {
    spdlog::info("broker: runner {} joined: device {}, backend {}", hello.runner_id, hello.device,
                 hello.backend);
  }
  peer.hello = std::move(hello);
  peers_[id] = std::move(peer);
}

void Dispatcher::on_submit(Peer& client, const wire::Message& message, Clock::time_point now) {
  const wire::Submit submit = wire::Submit::decode(message);
  // The job's id for the refusal, when it is a string at all.
  const auto id = submit.job.find("job_id");
  const std::string job_id =
      id != submit.job.end() && id->is_string() ? id->get<std::string>() : std::string();
  const auto refuse = [&](const std::string& why) {
    JobResult r;
    r.job_id = job_id;
    r.status = wire::JobStatus::kError;
    r.message = "broker refused the job: " + why;
    send(client.id, {wire::MessageType::kResult, r.to_json()}, now);
  };
  JobSpec spec;
  try {
    spec = JobSpec::from_json(submit.job);  // refuse a malformed job now, not on a board
  } catch (const wire::ProtocolError& e) {
    refuse(e.what());
    return;
  }
  Job job;
  job.client = client.id;
  job.job_id = spec.job_id;
  job.key = client.id + "/" + spec.job_id;
  if (jobs_.count(job.key)) {
    refuse("job id " + printable_excerpt(spec.job_id) + " is already pending");
    return;
  }
  if (pending_jobs_of(client.id, options_.max_jobs_per_client) >= options_.max_jobs_per_client) {
    refuse("this client has " + std::to_string(options_.max_jobs_per_client) +
           " jobs pending already, the most a client may have");
    return;
  }
  job.device = submit.device;
  job.body = submit.job;
  job.has_arch = !spec.arch.is_null();
  job.has_onnx = !spec.onnx.empty();
  job.deadline_seconds = spec.deadline_seconds;
  job.precision = spec.precision;
  job.quantize_on_board = spec.calibration.has_value();
  // Answered now, as a runner would answer it, when the device's runners
  // are here and none runs the job's precision.
  if (const std::string why = why_no_runner_takes(job); !why.empty()) {
    count(&BrokerStats::jobs_submitted);
    answer(job, wire::JobStatus::kUnsupported, why, now);
    return;
  }
  const std::string key = job.key;
  const Job& queued = jobs_.emplace(key, std::move(job)).first->second;
  queue_.push_back(queued.key);
  count(&BrokerStats::jobs_submitted);
  // Every job queued before this one fits no idle runner (dispatch leaves
  // none such), so the queue needs a scan only when this one fits.
  const bool fits = std::any_of(peers_.begin(), peers_.end(), [&](const auto& p) {
    return p.second.is_runner && p.second.ready && p.second.job.empty() &&
           can_run(p.second, queued);
  });
  if (fits) dispatch(now);
}

// The client's jobs, queued or running, counted up to `limit`: the keys
// "<client>/..." lie together in jobs_.
std::size_t Dispatcher::pending_jobs_of(const std::string& client, std::size_t limit) const {
  std::size_t n = 0;
  for (auto it = jobs_.lower_bound(client + "/");
       it != jobs_.end() && n < limit && it->first.compare(0, client.size() + 1, client + "/") == 0;
       ++it) {
    ++n;
  }
  return n;
}

bool Dispatcher::can_run(const Peer& runner, const Job& job) {
  return runner.hello.device == job.device &&
         ((job.has_arch && runner.hello.accepts("arch")) ||
          (job.has_onnx && runner.hello.accepts("onnx"))) &&
         takes_precision(runner, job);
}

bool Dispatcher::takes_precision(const Peer& runner, const Job& job) {
  const nlohmann::json& caps = runner.hello.capabilities;
  const auto listed = caps.find("precisions");
  bool runs = false;
  if (listed == caps.end() || !listed->is_array()) {
    runs = job.precision == Precision::kFp32;
  } else {
    for (const auto& p : *listed) runs = runs || (p.is_string() && p == to_string(job.precision));
  }
  if (!runs || job.precision != Precision::kInt8) return runs;
  const auto input = caps.find("int8_input");
  const bool quantizes = input != caps.end() && input->is_string() && *input == "fp32";
  return quantizes == job.quantize_on_board;
}

std::string Dispatcher::why_no_runner_takes(const Job& job) const {
  std::set<std::string> kinds;  // what the device's runners run
  for (const auto& [id, peer] : peers_) {
    if (!peer.is_runner || peer.hello.device != job.device) continue;
    if (can_run(peer, job)) return "";
    const nlohmann::json& caps = peer.hello.capabilities;
    std::string runs = caps.contains("precisions") ? caps["precisions"].dump() : "[\"fp32\"]";
    if (caps.contains("int8_input")) runs += " (int8 from " + caps["int8_input"].dump() + ")";
    kinds.insert(runs);
  }
  if (kinds.empty()) return "";
  std::string listed;
  for (const std::string& k : kinds) listed += (listed.empty() ? "" : ", ") + k;
  const std::string file = job.precision != Precision::kInt8 ? ""
                           : job.quantize_on_board           ? " from the fp32 file and images"
                                                             : " from a QDQ file";
  return "no runner of device '" + job.device + "' runs " + to_string(job.precision) + " jobs" +
         file + "; its runners run " + listed;
}

// A runner that says it is ready gets its next job before the result goes on
// to the client: the runners' idle time is the farm's lost throughput.
void Dispatcher::on_result(Peer& runner, const wire::Message& message, Clock::time_point now) {
  const std::string key = runner.job;
  runner.job.clear();
  auto it = jobs_.find(key);
  const bool ours = !key.empty() && it != jobs_.end() &&
                    it->second.job_id == message.body["job_id"].get<std::string>();
  if (ours) {
    ++runner.jobs_done;
    ++done_by_device_[runner.hello.device];
  } else {
    spdlog::debug("broker: dropped a stale result from runner {}", runner.hello.runner_id);
  }
  std::string client;
  if (ours) {
    client = it->second.client;
    jobs_.erase(it);
  }
  if (message.body.value("ready", false)) {
    runner.ready = true;
    dispatch(now);  // may drop peers: `runner` is not used after this
  }
  if (!ours) return;
  send(client, message, now);  // passed on as the runner sent it
  count(&BrokerStats::results_returned);
  if (message.body["status"] == "timeout") count(&BrokerStats::timeouts);
}

void Dispatcher::handle(const std::string& id, const wire::Message& message,
                        Clock::time_point now) {
  using T = wire::MessageType;
  if (message.type == T::kHello) {
    on_hello(id, message, now);
    return;
  }
  auto it = peers_.find(id);
  if (it == peers_.end()) {
    // Unknown peer (say, after a broker restart): ask it to introduce itself.
    send(id, wire::Bye{"unknown peer: send HELLO first"}.encode(), now);
    return;
  }
  Peer& peer = it->second;
  peer.last_seen = now;
  switch (message.type) {
    case T::kHeartbeat: break;
    case T::kReady:
      if (peer.is_runner) {
        peer.ready = true;
        dispatch(now);
      }
      break;
    case T::kResult:
      if (peer.is_runner) on_result(peer, message, now);
      break;
    case T::kSubmit:
      if (!peer.is_runner) on_submit(peer, message, now);
      break;
    case T::kList:
      send(id, {T::kList, listing(now)}, now);
      break;
    case T::kBye:
      remove_peer(id, "said BYE", now);
      dispatch(now);
      break;
    case T::kHello:
    case T::kJob:
      count(&BrokerStats::rejected_messages);
      spdlog::warn("broker: {} sent {}, which only the broker sends",
                   peer.is_runner ? "runner " + peer.hello.runner_id : std::string("a client"),
                   wire::to_string(message.type));
      break;
  }
}

void Dispatcher::tick(Clock::time_point now) {
  const auto interval = seconds(options_.heartbeat_seconds);
  std::vector<std::string> dead, unreachable;
  for (auto& [id, peer] : peers_) {
    if (now - peer.last_seen > options_.liveness * interval) {
      dead.push_back(id);
    } else if (now - peer.last_sent >= interval &&
               !send(id, {wire::MessageType::kHeartbeat, nlohmann::json::object()}, now)) {
      unreachable.push_back(id);
    }
  }
  for (const auto& id : dead) {
    remove_peer(id, "went silent for " + std::to_string(options_.liveness) + " heartbeats", now);
  }
  for (const auto& id : unreachable) remove_peer(id, "is unreachable", now);
  // Jobs whose runner hangs past the deadline.
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    Job& job = it->second;
    if (job.runner.empty() || now < job.deadline) {
      ++it;
      continue;
    }
    answer(job, wire::JobStatus::kTimeout,
           "no result within the deadline of " + std::to_string(job.deadline_seconds) + " s", now);
    auto r = peers_.find(job.runner);
    if (r != peers_.end()) r->second.job.clear();  // it stays busy until it says READY
    it = jobs_.erase(it);
  }
  if (!dead.empty() || !unreachable.empty()) dispatch(now);
}

void Dispatcher::say_goodbye() {
  const auto now = Clock::now();
  for (const auto& [id, peer] : peers_) send(id, wire::Bye{"broker stopping"}.encode(), now);
}

}  // namespace nas
