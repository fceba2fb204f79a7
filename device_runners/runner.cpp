#include "device_runners/runner.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "core/errors.h"
#include "device_runners/backend.h"
#include "device_runners/curve.h"
#include "device_runners/protocol.h"

namespace nas {
namespace {

using Clock = std::chrono::steady_clock;

std::string default_runner_id() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return std::string(host) + "-" + std::to_string(getpid());
}

}  // namespace

struct Runner::Impl {
  RunnerOptions options;
  Backend& backend;
  PowerMeter* meter;
  zmq::context_t context{1};
  std::optional<CurveKeyPair> keys;
  std::string broker_key;

  // The job in flight runs on one long-lived worker thread: the main thread
  // hands it `next_job`, the worker fills `result` and pokes the main loop
  // through an inproc PUSH socket.
  std::thread worker;
  std::mutex job_mutex;
  std::condition_variable job_ready;
  std::optional<JobSpec> next_job;  // guarded by job_mutex
  bool quitting = false;            // guarded by job_mutex
  std::atomic<bool> cancel{false};
  std::mutex result_mutex;
  std::optional<JobResult> result;  // guarded by result_mutex
  bool busy = false;                // main thread only
  std::string busy_job_id;          // main thread only
  Clock::time_point job_deadline;   // main thread only

  Impl(RunnerOptions o, Backend& b, PowerMeter* m) : options(std::move(o)), backend(b), meter(m) {
    if (options.runner_id.empty()) options.runner_id = default_runner_id();
    if (!options.curve_secret_file.empty() || !options.broker_public_key_file.empty()) {
      if (options.curve_secret_file.empty() || options.broker_public_key_file.empty()) {
        throw Error("runner: CURVE needs both the broker's public key and this runner's keys");
      }
      keys = read_secret_keys(options.curve_secret_file);
      broker_key = read_public_key(options.broker_public_key_file);
    }
  }

  zmq::socket_t connect_dealer() {
    zmq::socket_t s(context, zmq::socket_type::dealer);
    s.set(zmq::sockopt::linger, 0);
    if (keys) {
      s.set(zmq::sockopt::curve_serverkey, broker_key);
      s.set(zmq::sockopt::curve_publickey, keys->public_key);
      s.set(zmq::sockopt::curve_secretkey, keys->secret_key);
    }
    try {
      s.connect(options.connect);
    } catch (const zmq::error_t& e) {
      throw Error("runner: cannot connect to " + options.connect + ": " + e.what());
    }
    return s;
  }

  // Never blocks: a DEALER without a live connection (broker down, CURVE
  // handshake refused) would block a plain send forever and the runner could
  // not stop. A message that cannot go now is dropped; heartbeats and the
  // reconnect after `liveness` silent intervals recover.
  static void send(zmq::socket_t& s, wire::MessageType type, const nlohmann::json& body) {
    const auto frames = wire::encode({type, body});
    if (!s.send(zmq::buffer(frames[0]), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
      return;
    }
    (void)s.send(zmq::buffer(frames[1]), zmq::send_flags::dontwait);
  }

  // A RESULT; `free_again` adds "ready": true (protocol 2: the runner is
  // free for the next job, in place of a READY after the RESULT).
  static void send_result(zmq::socket_t& s, const JobResult& r, bool free_again) {
    nlohmann::json body = r.to_json();
    if (free_again) body["ready"] = true;
    send(s, wire::MessageType::kResult, body);
  }

  void say_hello(zmq::socket_t& s) {
    send(s, wire::MessageType::kHello,
         {{"protocol", wire::kProtocolVersion},
          {"role", "runner"},
          {"runner_id", options.runner_id},
          {"device", options.device},
          {"backend", backend.name()},
          {"meter", meter ? "yes" : "none"},
          {"capabilities", backend.capabilities()}});
    if (!busy) send(s, wire::MessageType::kReady, nlohmann::json::object());
  }

  void start_job(const nlohmann::json& body, zmq::socket_t& s) {
    JobSpec job;
    try {
      job = JobSpec::from_json(body);
    } catch (const wire::ProtocolError& e) {
      JobResult r;
      r.job_id = body.value("job_id", std::string());
      r.status = wire::JobStatus::kError;
      r.message = std::string("malformed job: ") + e.what();
      send_result(s, r, !busy);
      return;
    }
    if (busy) {  // the broker sends one job per runner; refuse a second
      JobResult r;
      r.job_id = job.job_id;
      r.status = wire::JobStatus::kError;
      r.message = "runner is busy with job " + busy_job_id;
      send_result(s, r, false);  // still busy with the other one
      return;
    }
    busy = true;
    busy_job_id = job.job_id;
    cancel = false;
    job_deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(job.deadline_seconds));
    spdlog::info("runner {}: job {}", options.runner_id, job.job_id);
    {
      std::lock_guard<std::mutex> lock(job_mutex);
      next_job = std::move(job);
    }
    job_ready.notify_one();
  }

  void work() {
    zmq::socket_t poke(context, zmq::socket_type::push);
    poke.set(zmq::sockopt::linger, 0);
    poke.connect("inproc://runner-done");
    std::optional<Clock::time_point> previous_end;  // of this worker's last job
    for (;;) {
      JobSpec job;
      {
        std::unique_lock<std::mutex> lock(job_mutex);
        job_ready.wait(lock, [this] { return quitting || next_job.has_value(); });
        if (quitting) return;
        job = std::move(*next_job);
        next_job.reset();
      }
      const auto begin = Clock::now();
      JobResult r;
      r.job_id = job.job_id;
      try {
        r = backend.measure(job, meter, [this] { return cancel.load(); });
        r.job_id = job.job_id;
      } catch (const UnsupportedJob& e) {
        r.status = wire::JobStatus::kUnsupported;
        r.message = e.what();
      } catch (const std::exception& e) {
        r.status = wire::JobStatus::kError;
        r.message = e.what();
      }
      if (cancel && r.status != wire::JobStatus::kOk) r.status = wire::JobStatus::kTimeout;
      // How long the device sat idle before this job: the farm's dispatch
      // gap under a full queue, the search's own pace otherwise.
      if (previous_end) {
        r.environment["runner_idle_ms"] =
            std::chrono::duration<double, std::milli>(begin - *previous_end).count();
      }
      previous_end = Clock::now();
      {
        std::lock_guard<std::mutex> lock(result_mutex);
        result = std::move(r);
      }
      poke.send(zmq::str_buffer("done"), zmq::send_flags::dontwait);
    }
  }

  void stop_worker() {
    cancel = true;
    {
      std::lock_guard<std::mutex> lock(job_mutex);
      quitting = true;
    }
    job_ready.notify_one();
    if (worker.joinable()) worker.join();
  }

  RunnerStats run(const std::atomic<bool>& stop) {
    RunnerStats stats;
    zmq::socket_t done(context, zmq::socket_type::pull);
    done.bind("inproc://runner-done");  // before the worker connects to it
    worker = std::thread([this] { work(); });
    const auto interval = std::chrono::duration<double>(options.heartbeat_seconds);
    double backoff = 0.25;
    while (!stop) {
      zmq::socket_t socket = connect_dealer();
      ++stats.connects;
      say_hello(socket);
      spdlog::info("runner {}: connected to {} as device {} ({} backend)", options.runner_id,
                   options.connect, options.device, backend.name());
      auto last_heard = Clock::now();
      auto last_sent = Clock::now();
      bool lost = false;
      std::vector<zmq::pollitem_t> items = {{socket.handle(), 0, ZMQ_POLLIN, 0},
                                            {done.handle(), 0, ZMQ_POLLIN, 0}};
      while (!stop && !lost) {
        try {
          zmq::poll(items, std::chrono::milliseconds(
                               std::max(5, static_cast<int>(options.heartbeat_seconds * 250))));
        } catch (const zmq::error_t& e) {
          if (e.num() != EINTR) throw Error(std::string("runner: ") + e.what());
          continue;  // a signal: the stop flag says what to do
        }
        if (items[1].revents & ZMQ_POLLIN) {
          zmq::message_t ignored;
          (void)done.recv(ignored, zmq::recv_flags::dontwait);
          std::optional<JobResult> r;
          {
            std::lock_guard<std::mutex> lock(result_mutex);
            r.swap(result);
          }
          if (r) {
            busy = false;
            ++stats.jobs_done;
            r->environment["runner_id"] = options.runner_id;
            send_result(socket, *r, true);
            last_sent = Clock::now();
          }
        }
        while (items[0].revents & ZMQ_POLLIN) {
          std::vector<zmq::message_t> parts;
          if (!zmq::recv_multipart(socket, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
            break;
          }
          last_heard = Clock::now();
          backoff = 0.25;
          std::vector<std::string> frames;
          for (auto& p : parts) frames.push_back(p.to_string());
          wire::Message m;
          try {
            m = wire::decode(frames);
          } catch (const wire::ProtocolError& e) {
            spdlog::warn("runner {}: ignored a malformed message: {}", options.runner_id, e.what());
            continue;
          }
          if (m.type == wire::MessageType::kJob) {
            start_job(m.body, socket);
          } else if (m.type == wire::MessageType::kBye) {
            // The broker restarted or is stopping: introduce ourselves again.
            spdlog::info("runner {}: broker said BYE ({})", options.runner_id,
                         m.body.value("reason", std::string("no reason")));
            lost = true;
            break;
          }
        }
        const auto now = Clock::now();
        if (busy && now > job_deadline) cancel = true;  // the backend returns promptly
        if (now - last_sent >= interval) {
          send(socket, wire::MessageType::kHeartbeat, nlohmann::json::object());
          last_sent = now;
        }
        if (now - last_heard > options.liveness * interval) {
          spdlog::warn("runner {}: broker silent for {} heartbeats; reconnecting",
                       options.runner_id, options.liveness);
          lost = true;
        }
      }
      if (stop) {
        cancel = true;
        try {
          send(socket, wire::MessageType::kBye, {{"reason", "runner stopping"}});
        } catch (const zmq::error_t&) {
        }
        break;
      }
      // Back off before reconnecting, a little longer each time.
      const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(backoff));
      while (!stop && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      backoff = std::min(options.max_backoff_seconds, backoff * 2);
    }
    stop_worker();
    return stats;
  }
};

Runner::Runner(RunnerOptions options, Backend& backend, PowerMeter* meter)
    : impl_(std::make_unique<Impl>(std::move(options), backend, meter)) {
  if (impl_->options.connect.empty()) throw Error("runner: no broker address (--connect)");
  if (impl_->options.device.empty()) throw Error("runner: no device key (--device)");
}

Runner::~Runner() { impl_->stop_worker(); }

RunnerStats Runner::run(const std::atomic<bool>& stop) { return impl_->run(stop); }

}  // namespace nas
