// The broker's bookkeeping with no sockets: which peers are there, which jobs
// wait, which runner runs what, and what happens when time passes.
//
// Runners (HELLO role "runner") register under a device key, as boards do
// with a tracker; clients (HELLO role "client") SUBMIT jobs for a device key
// and get one RESULT per job. Jobs wait in a queue until a free runner with
// that key accepts them; one job per runner at a time; a job that waited
// longest goes first, and a requeued job goes to the front.
//
// Failures are ordinary outcomes: a peer silent for `liveness` heartbeat
// intervals is dead and its job goes back to the queue (at most
// `max_retries` times, then the client gets an `error` result); a job past
// its deadline plus grace is answered `timeout` even if the runner hangs; a
// client that leaves takes its queued jobs with it.
//
// Everything it says goes out through the `Send` given at construction; time
// is passed in, so that tests drive it without sleeping. Used from one
// thread, except stats().
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "core/metric.h"
#include "device_runners/wire/protocol.h"

namespace nas {

struct DispatchOptions {
  double heartbeat_seconds = 1.0;  // a peer not sent anything for this long gets a HEARTBEAT
  int liveness = 3;                // silent intervals before a peer counts as dead
  int max_retries = 2;             // requeues of a job whose runner was lost
  // Extra time after a job's deadline before the broker answers `timeout`
  // itself (the runner normally reports the timeout first).
  double deadline_grace_seconds = 2.0;
  // Jobs one client may have queued or running at once; a SUBMIT beyond it
  // is answered with an `error` result. A search keeps a window far below it
  // (FarmClientOptions::max_outstanding).
  std::size_t max_jobs_per_client = 1000;
};

// Counters for logs, `nas devices` and benchmarks.
struct BrokerStats {
  std::int64_t jobs_submitted = 0;
  std::int64_t jobs_dispatched = 0;
  std::int64_t results_returned = 0;
  std::int64_t jobs_requeued = 0;
  std::int64_t timeouts = 0;
  std::int64_t rejected_messages = 0;
  std::int64_t runners_lost = 0;
};

class Dispatcher {
 public:
  using Clock = std::chrono::steady_clock;
  // Sends `message` to `peer`; false when the peer is unreachable, which the
  // dispatcher treats as the peer having left.
  using Send = std::function<bool(const std::string& peer, const wire::Message& message)>;

  Dispatcher(DispatchOptions options, Send send);

  // A message from `peer` that passed wire::decode(), received at `now`.
  // HELLO (re)registers the peer: a peer seen again under the same id is
  // replaced, and a job it ran is requeued. Any other message from a peer
  // that has not said HELLO is answered with BYE, which asks it to. A SUBMIT
  // whose job JobSpec::from_json refuses, whose id is pending already, or
  // beyond the client's max_jobs_per_client, is answered with an `error`
  // RESULT and not queued. A SUBMIT scans the queue only when an idle runner
  // can take the new job.
  void handle(const std::string& peer, const wire::Message& message, Clock::time_point now);

  // Counts a message that failed decode().
  void count_rejected();

  // Runs what time decides: peers silent past liveness are dropped (their
  // jobs requeued), idle links get a HEARTBEAT, running jobs past their
  // deadline plus grace are answered `timeout`. Call about every quarter
  // heartbeat interval.
  void tick(Clock::time_point now);

  // Says BYE to every peer (the broker is stopping).
  void say_goodbye();

  // The LIST answer: runners with their states, queue sizes, counters, and
  // per device key ("devices") its runners, how many are busy and idle, its
  // jobs queued and running, and the jobs its runners have done.
  nlohmann::json listing(Clock::time_point now) const;

  std::size_t queued() const { return queue_.size(); }
  std::size_t running() const { return jobs_.size() - queue_.size(); }

  // Thread-safe copy of the counters.
  BrokerStats stats() const;

 private:
  struct Peer {
    std::string id;
    bool is_runner = false;
    wire::Hello hello;         // as the peer introduced itself
    bool ready = false;        // said READY and has no job
    std::string job;           // key of the job it runs, "" if none
    std::int64_t jobs_done = 0;
    Clock::time_point last_seen;
    Clock::time_point last_sent;
  };

  struct Job {
    std::string key;      // client id + '/' + job id: unique per client
    std::string client;
    std::string job_id;
    std::string device;
    nlohmann::json body;  // the JobSpec as JSON
    bool has_arch = false;
    bool has_onnx = false;
    Precision precision = Precision::kFp32;
    bool quantize_on_board = false;  // an int8 job with the fp32 file and calibration images
    int attempts = 0;     // dispatches that ended with the runner lost
    std::string runner;   // while running, "" while queued
    Clock::time_point deadline;  // while running: dispatch + deadline + grace
    double deadline_seconds = 0;
  };

  bool send(const std::string& peer, const wire::Message& message, Clock::time_point now);
  void count(std::int64_t BrokerStats::*field);
  void answer(const Job& job, wire::JobStatus status, const std::string& message,
              Clock::time_point now);
  void requeue_or_fail(const std::string& key, const std::string& why, Clock::time_point now);
  void remove_peer(const std::string& id, const std::string& why, Clock::time_point now);
  void dispatch(Clock::time_point now);
  void on_hello(const std::string& id, const wire::Message& message, Clock::time_point now);
  void on_submit(Peer& client, const wire::Message& message, Clock::time_point now);
  std::size_t pending_jobs_of(const std::string& client, std::size_t limit) const;
  static bool can_run(const Peer& runner, const Job& job);
  // Whether the runner's HELLO lists the job's precision ("precisions";
  // none listed: fp32) and, for int8, takes the file the job carries
  // ("int8_input": "fp32" for the fp32 file and images, else the QDQ file).
  static bool takes_precision(const Peer& runner, const Job& job);
  // Why no runner of the job's device that is connected now can run it, or
  // "" when one can or none is connected (a board may still join).
  std::string why_no_runner_takes(const Job& job) const;
  void on_result(Peer& runner, const wire::Message& message, Clock::time_point now);

  const DispatchOptions options_;
  const Send send_;
  std::map<std::string, Peer> peers_;  // by id
  std::map<std::string, Job> jobs_;    // unfinished jobs by key
  std::deque<std::string> queue_;      // keys of jobs waiting for a runner
  std::map<std::string, std::int64_t> done_by_device_;  // results passed on, by device key

  mutable std::mutex stats_mutex_;
  BrokerStats stats_;  // guarded by stats_mutex_
};

}  // namespace nas
