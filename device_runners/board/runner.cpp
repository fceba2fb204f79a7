#include "device_runners/board/runner.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "core/errors.h"
#include "device_runners/board/backend.h"
#include "device_runners/wire/protocol.h"
#include "device_runners/wire/zmq_channel.h"

namespace nas {
namespace {

using Clock = std::chrono::steady_clock;

// The board's wall clock, for the job's start and end in its result.
double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

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
  // Sends never wait: a DEALER without a live connection (broker down, CURVE
  // handshake refused) would block a plain send forever and the runner could
  // not stop. A message that cannot go now is dropped; heartbeats and the
  // reconnect after `liveness` silent intervals recover.
  std::unique_ptr<wire::ZmqChannel> channel;

  // The job in flight runs on one long-lived worker thread: the main thread
  // hands it `next_job`, the worker fills `result` and wakes the main loop's
  // receive().
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
    if (options.connect.empty()) throw Error("runner: no broker address (--connect)");
    if (options.device.empty()) throw Error("runner: no device key (--device)");
    if (options.runner_id.empty()) options.runner_id = default_runner_id();
    try {
      channel = wire::ZmqChannel::connect(
          options.connect, {options.broker_public_key_file, options.curve_secret_file},
          std::chrono::milliseconds(0));
    } catch (const Error& e) {
      throw Error(std::string("runner: ") + e.what());
    }
  }

  void send(const wire::Message& message) { (void)channel->send({"", message}); }

  // A RESULT; `free_again` adds "ready": true (protocol 2: the runner is
  // free for the next job, in place of a READY after the RESULT).
  void send_result(const JobResult& r, bool free_again) {
    nlohmann::json body = r.to_json();
    if (free_again) body["ready"] = true;
    send({wire::MessageType::kResult, std::move(body)});
  }

  void say_hello() {
    wire::Hello hello;
    hello.role = wire::Hello::Role::kRunner;
    hello.runner_id = options.runner_id;
    hello.device = options.device;
    hello.backend = backend.name();
    hello.meter = meter ? "yes" : "none";
    hello.capabilities = backend.capabilities();
    send(hello.encode());
    if (!busy) send({wire::MessageType::kReady, nlohmann::json::object()});
  }

  void start_job(const nlohmann::json& body) {
    JobSpec job;
    try {
      job = JobSpec::from_json(body);
    } catch (const wire::ProtocolError& e) {
      JobResult r;
      r.job_id = body.value("job_id", std::string());
      r.status = wire::JobStatus::kError;
      r.message = std::string("malformed job: ") + e.what();
      send_result(r, !busy);
      return;
    }
    if (busy) {  // the broker sends one job per runner; refuse a second
      JobResult r;
      r.job_id = job.job_id;
      r.status = wire::JobStatus::kError;
      r.message = "runner is busy with job " + busy_job_id;
      send_result(r, false);  // still busy with the other one
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
      const double started_at = unix_seconds();
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
        r.runner_idle_ms = std::chrono::duration<double, std::milli>(begin - *previous_end).count();
      }
      previous_end = Clock::now();
      if (r.environment.is_object()) {
        r.environment["started_at"] = started_at;
        r.environment["finished_at"] = unix_seconds();
      }
      {
        std::lock_guard<std::mutex> lock(result_mutex);
        result = std::move(r);
      }
      channel->wake();
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

  // Sends the worker's result, if one is there.
  void pass_on_result(RunnerStats& stats, Clock::time_point& last_sent) {
    std::optional<JobResult> r;
    {
      std::lock_guard<std::mutex> lock(result_mutex);
      r.swap(result);
    }
    if (!r) return;
    busy = false;
    ++stats.jobs_done;
    r->runner_id = options.runner_id;
    send_result(*r, true);
    last_sent = Clock::now();
  }

  RunnerStats run(const std::atomic<bool>& stop) {
    RunnerStats stats;
    worker = std::thread([this] { work(); });
    const auto interval = std::chrono::duration<double>(options.heartbeat_seconds);
    const auto poll = std::chrono::milliseconds(
        std::max(5, static_cast<int>(options.heartbeat_seconds * 250)));
    double backoff = 0.25;
    for (bool first = true; !stop; first = false) {
      // Every connection after the first is a fresh one: a broker that
      // restarted (or forgot us) meets a new peer that says HELLO.
      if (!first) channel->reconnect();
      ++stats.connects;
      say_hello();
      // "connected" only once the broker answers: a broker that refuses the
      // key or the version never does, or says BYE.
      bool answered = false;
      auto last_heard = Clock::now();
      auto last_sent = Clock::now();
      bool lost = false;
      while (!stop && !lost) {
        std::optional<wire::Envelope> in;
        try {
          in = channel->receive(poll);
        } catch (const wire::RejectedMessage& e) {
          spdlog::warn("runner {}: ignored a malformed message: {}", options.runner_id, e.what());
          last_heard = Clock::now();
        }
        pass_on_result(stats, last_sent);
        if (in) {
          last_heard = Clock::now();
          if (!answered && in->message.type != wire::MessageType::kBye) {
            answered = true;
            backoff = 0.25;
            spdlog::info("runner {}: connected to {} as device {} ({} backend)", options.runner_id,
                         options.connect, options.device, backend.name());
          }
          if (in->message.type == wire::MessageType::kJob) {
            start_job(in->message.body);
          } else if (in->message.type == wire::MessageType::kBye) {
            // The broker restarted or is stopping: introduce ourselves again.
            spdlog::info("runner {}: broker said BYE ({})", options.runner_id,
                         wire::Bye::decode(in->message).reason);
            lost = true;
          }
        }
        const auto now = Clock::now();
        if (busy && now > job_deadline) cancel = true;  // the backend returns promptly
        if (!lost && now - last_sent >= interval) {
          send({wire::MessageType::kHeartbeat, nlohmann::json::object()});
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
        send(wire::Bye{"runner stopping"}.encode());
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
    : impl_(std::make_unique<Impl>(std::move(options), backend, meter)) {}

Runner::~Runner() { impl_->stop_worker(); }

RunnerStats Runner::run(const std::atomic<bool>& stop) { return impl_->run(stop); }

}  // namespace nas
