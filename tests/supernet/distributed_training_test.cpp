// Data-parallel supernet training through the real `nas` binary: ranks are
// real processes meeting on loopback through c10d (TCPStore, Gloo).
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/cli/tiny_mbv3_config.h"
#include "tests/support/process.h"

namespace nas {
namespace {

using test::Process;
using test::TempDir;

// 100 validation images and 5 steps of 128 per epoch unless told otherwise.
nlohmann::json training_config(const TempDir& dir, const std::string& name, int processes,
                               int train_images = 640, int epochs = 1) {
  nlohmann::json c = test::tiny_mbv3_config(dir.path());
  c["name"] = name;
  c["store"] = (dir / (name + ".db")).string();
  c["supernet"]["data"]["validation"] = 100;
  c["supernet"]["data"]["train_limit"] = 100 + train_images;
  c["supernet"]["training"]["batch_size"] = 128;
  c["supernet"]["training"]["epochs"] = epochs;
  c["supernet"]["training"]["processes"] = processes;
  c["supernet"]["training"]["timeout_seconds"] = 20;
  c["supernet"]["training"]["checkpoint_dir"] = (dir / ("checkpoints-" + name)).string();
  c["objectives"] = {{{"metric", "val_acc"}, {"goal", "maximize"}},
                     {{"metric", "macs"}, {"goal", "minimize"}}};
  c["search"] = {{"strategy", "random"}, {"budget", 3}};
  return c;
}

std::string write_config(const TempDir& dir, const nlohmann::json& c) {
  const std::string path = (dir / (c["name"].get<std::string>() + ".json")).string();
  test::write_file(path, c.dump(2));
  return path;
}

// The one checkpoint file of a folder.
std::filesystem::path checkpoint_in(const std::filesystem::path& folder) {
  std::filesystem::path found;
  if (!std::filesystem::exists(folder)) return found;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() == ".pt") found = entry.path();
  }
  return found;
}

void collect(torch::serialize::InputArchive& archive, const std::string& prefix,
             std::map<std::string, torch::Tensor>& out) {
  for (const std::string& key : archive.keys()) {
    torch::Tensor tensor;
    if (archive.try_read(key, tensor)) {
      out[prefix + key] = tensor;
      continue;
    }
    torch::serialize::InputArchive child;
    REQUIRE(archive.try_read(key, child));
    collect(child, prefix + key + ".", out);
  }
}

struct Checkpoint {
  std::int64_t epochs_done = 0;
  std::map<std::string, torch::Tensor> model;
};

Checkpoint read_checkpoint(const std::filesystem::path& path) {
  torch::serialize::InputArchive archive;
  archive.load_from(path.string());
  Checkpoint c;
  torch::Tensor done;
  archive.read("epochs_done", done);
  c.epochs_done = done.item<std::int64_t>();
  torch::serialize::InputArchive model;
  archive.read("model", model);
  collect(model, "", c.model);
  return c;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

TEST_CASE("2 ranks with 64 images each train the weights 1 process trains with 128; the search runs once") {
  TempDir dir;
  // In float64: float32's rounding alone (one process with 1 thread against
  // 2 threads) moves these weights by more than 1e-5 within a step.
  nlohmann::json one_process = training_config(dir, "alone", 1);
  nlohmann::json two_ranks = training_config(dir, "pair", 2);
  one_process["supernet"]["training"]["dtype"] = "float64";
  two_ranks["supernet"]["training"]["dtype"] = "float64";
  const std::string alone = write_config(dir, one_process);
  const std::string pair = write_config(dir, two_ranks);

  const test::ProcessResult one = test::run_process({test::nas_binary(), "train", alone, "-q"});
  INFO(one.err);
  REQUIRE(one.exit_code == 0);
  // nas run with two local ranks: training across both, then one search here.
  const test::ProcessResult two = test::run_process({test::nas_binary(), "run", pair, "-q"});
  INFO(two.err);
  REQUIRE(two.exit_code == 0);
  CHECK(two.err.find("training rank 1 of 2 started here") != std::string::npos);
  CHECK(two.err.find("on 2 ranks, all-reduce") != std::string::npos);
  CHECK(two.err.find("run 1 finished: 3 queries") != std::string::npos);

  const Checkpoint a = read_checkpoint(checkpoint_in(dir / "checkpoints-alone"));
  const Checkpoint b = read_checkpoint(checkpoint_in(dir / "checkpoints-pair"));
  CHECK(a.epochs_done == 1);
  CHECK(b.epochs_done == 1);
  REQUIRE(a.model.size() == b.model.size());
  REQUIRE(a.model.size() > 20);
  double worst = 0, difference = 0, size = 0;
  std::string worst_name;
  for (const auto& [name, tensor] : a.model) {
    REQUIRE(b.model.count(name) == 1);
    if (!tensor.is_floating_point()) {
      CHECK(torch::equal(tensor, b.model.at(name)));
      continue;
    }
    const double scale = tensor.norm().item<double>();
    const double apart = (tensor - b.model.at(name)).norm().item<double>();
    difference += apart * apart;
    size += scale * scale;
    // Tensors that training keeps near zero (some BN shifts) have no scale
    // to be relative to.
    if (scale < 1e-6) continue;
    const double relative = apart / scale;
    if (relative > 1e-5) MESSAGE(name << " " << relative << " norm " << scale);
    if (relative > worst) {
      worst = relative;
      worst_name = name;
    }
  }
  MESSAGE("relative difference, 1 process against 2 ranks: largest " << worst << " (" << worst_name
                                                                     << "), all weights "
                                                                     << std::sqrt(difference / size));
  CHECK(worst <= 1e-5);
  CHECK(std::sqrt(difference / size) <= 1e-5);
}

TEST_CASE("a rank killed mid-epoch ends the other with an error naming it; training then resumes") {
  TempDir dir;
  // Three epochs of 10 steps: long enough to kill a rank in the second.
  const std::string config = write_config(dir, training_config(dir, "kill", 1, 1280, 3));
  const std::string port = std::to_string(free_port());
  // torchrun's variables, as a rank on another machine would get them.
  auto rank = [&](int r) {
    return std::vector<std::string>{"/usr/bin/env", "RANK=" + std::to_string(r), "WORLD_SIZE=2",
                                    "MASTER_ADDR=127.0.0.1", "MASTER_PORT=" + port,
                                    test::nas_binary(), "train", config, "-q"};
  };
  const std::filesystem::path folder = dir / "checkpoints-kill";
  {
    Process rank0(rank(0), dir.path());
    Process rank1(rank(1), dir.path());
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (checkpoint_in(folder).empty() && std::chrono::steady_clock::now() < give_up &&
           rank0.running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE_MESSAGE(!checkpoint_in(folder).empty(), rank0.stderr_text());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // into epoch 2
    rank1.kill_hard();
    const auto killed = std::chrono::steady_clock::now();
    const test::ProcessResult survivor = rank0.wait();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
    INFO(survivor.err);
    CHECK(survivor.exit_code != 0);
    CHECK(seconds < 20 + 10);  // within the configured timeout, with slack
    CHECK(survivor.err.find("rank 1 lost") != std::string::npos);
    CHECK(survivor.err.find("checkpoint is kept; start every rank again to resume") !=
          std::string::npos);
  }
  const Checkpoint kept = read_checkpoint(checkpoint_in(folder));
  CHECK(kept.epochs_done == 1);

  Process rank0(rank(0), dir.path());
  Process rank1(rank(1), dir.path());
  const test::ProcessResult first = rank0.wait();
  const test::ProcessResult second = rank1.wait();
  INFO(first.err);
  INFO(second.err);
  CHECK(first.exit_code == 0);
  CHECK(second.exit_code == 0);
  CHECK(first.err.find("trained 2 epoch(s)") != std::string::npos);
  CHECK(read_checkpoint(checkpoint_in(folder)).epochs_done == 3);
}

TEST_CASE("a local rank that dies is named with how it ended, and a rank that never joins is named") {
  TempDir dir;
  SUBCASE("killed") {
    const std::string config = write_config(dir, training_config(dir, "local", 2, 1280, 3));
    Process parent({test::nas_binary(), "train", config, "-q"}, dir.path());
    const std::regex started("training rank 1 of 2 started here \\(pid ([0-9]+)\\)");
    std::smatch match;
    std::string err;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < give_up) {
      err = parent.stderr_text();
      if (std::regex_search(err, match, started) && !checkpoint_in(dir / "checkpoints-local").empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE_MESSAGE(!match.empty(), err);
    ::kill(std::stoi(match[1].str()), SIGKILL);
    const test::ProcessResult result = parent.wait();
    INFO(result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("training rank 1 (pid " + match[1].str() + ") was killed by signal 9") !=
          std::string::npos);
    CHECK(result.err.find("checkpoint is kept; start every rank again to resume") !=
          std::string::npos);
  }
  SUBCASE("never joins") {
    nlohmann::json c = training_config(dir, "alone", 1);
    c["supernet"]["training"]["timeout_seconds"] = 2;
    const std::string config = write_config(dir, c);
    const std::string master = "127.0.0.1:" + std::to_string(free_port());
    const auto start = std::chrono::steady_clock::now();
    const test::ProcessResult result = test::run_process(
        {test::nas_binary(), "train", config, "--rank", "0", "--world-size", "4", "--master", master});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    INFO(result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("ranks 1, 2, 3 did not join the rendezvous at " + master + " within 2 s") !=
          std::string::npos);
    CHECK(seconds < 30);
    CHECK(checkpoint_in(dir / "checkpoints-alone").empty());
  }
}

TEST_CASE("ranks are named on the command line or by torchrun's variables; mistakes are usage errors") {
  TempDir dir;
  const std::string config = write_config(dir, training_config(dir, "usage", 1));
  const auto error_of = [](const std::vector<std::string>& args) {
    const test::ProcessResult r = test::run_process(args);
    CHECK(r.exit_code == 2);
    return r.err;
  };
  CHECK(error_of({"/usr/bin/env", "RANK=1", "WORLD_SIZE=2", "MASTER_ADDR=127.0.0.1",
                  "MASTER_PORT=29999", test::nas_binary(), "run", config})
            .find("RANK=1: `nas run` is rank 0") != std::string::npos);
  CHECK(error_of({"/usr/bin/env", "RANK=0", "WORLD_SIZE=2", test::nas_binary(), "train", config})
            .find("WORLD_SIZE is set but MASTER_ADDR is not") != std::string::npos);
  CHECK(error_of({"/usr/bin/env", "RANK=2", "WORLD_SIZE=2", "MASTER_ADDR=h", "MASTER_PORT=1",
                  test::nas_binary(), "train", config})
            .find("RANK='2': expected an integer in [0, 1]") != std::string::npos);
  CHECK(error_of({test::nas_binary(), "train", config, "--rank", "1"})
            .find("--rank and --master need --world-size") != std::string::npos);
  CHECK(error_of({test::nas_binary(), "train", config, "--world-size", "2", "--rank", "1",
                  "--master", "nohost"})
            .find("--master 'nohost': expected HOST:PORT") != std::string::npos);
}

}  // namespace
}  // namespace nas
