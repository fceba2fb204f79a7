// A search through the farm at farm speed: `nas run` (its own code path, the
// real binary) searches 64 candidates with latency measured by N runner
// processes with the SYNTHETIC sleep backend (each job only sleeps a fixed
// time: no device is measured here), through a broker in this process.
// Prints the search's wall time, the speed-up against N = 1 and the boards'
// utilisation for each N, then the same for two device keys with objectives
// on both. Targets: speed-up >= 0.85 x N up to N = 16, utilisation >= 90 %.
//
// Usage: bench_search_farm [part=0] [sleep_ms=200] [candidates=64] [repeats=3]
//        [max_runners=16]
// part=1: one device key, N = 1, 2, 4, ... max_runners runners.
// part=2: two device keys, 1 and then 4 runners each, objectives on both.
// part=0: both. Needs Debian's dataset-fashion-mnist (the run's supernet is
// trained once, on 600 images, and its checkpoint reused).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "bench/bench_support.h"
#include "tests/cli/tiny_mbv3_config.h"
#include "device_runners/broker/broker.h"
#include "device_runners/client/farm_client.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The tests' small mbv3 space (400 subnets), a supernet trained for one epoch
// on 600 images (once: the checkpoint is shared), objectives MACs and each
// key's latency, random search whose batch the run sizes to its boards.
nlohmann::json run_config(const fs::path& dir, const std::string& store,
                          const std::string& endpoint, const std::vector<std::string>& keys,
                          int candidates) {
  nlohmann::json objectives = {{{"metric", "macs"}, {"goal", "minimize"}}};
  for (const auto& k : keys) objectives.push_back({{"metric", k + "_ms"}, {"goal", "minimize"}});
  nlohmann::json c = nas::test::tiny_mbv3_config(dir);
  c["name"] = "bench";
  c["seed"] = 7;
  c["store"] = store;
  // The evaluator's own defaults for BN recalibration and validation images.
  c["evaluator"] = {{"type", "supernet"}, {"latency", c["evaluator"]["latency"]}};
  c["farm"] = {{"connect", endpoint}, {"devices", keys}, {"deadline_seconds", 60},
               {"wait_seconds", 600}};
  c["objectives"] = objectives;
  c["search"] = {{"strategy", "random"}, {"budget", candidates}};
  return c;
}

double query_double(const std::string& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  double out = -1;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      out = sqlite3_column_double(statement, 0);
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(handle);
  return out;
}

struct Trial {
  double search_s = 0;  // the search's wall time, as `nas run` logs it
  double busy_s = 0;    // runner time inside jobs (the sleeps, as measured)
  int jobs = 0;
};

// One `nas run` against `runners_per_key` fresh sleep runners per key.
Trial run_once(const fs::path& dir, const std::vector<std::string>& keys, int runners_per_key,
               int sleep_ms, int candidates, int trial) {
  nas::BrokerOptions options;
  options.bind = "tcp://127.0.0.1:0";
  nas::Broker broker(options);
  std::atomic<bool> stop{false};
  std::thread serving([&] { broker.serve(stop); });
  std::vector<pid_t> runners;
  for (const auto& key : keys) {
    for (int i = 0; i < runners_per_key; ++i) {
      runners.push_back(nas::bench::spawn(
          {NAS_BINARY, "runner", "--connect", broker.endpoint(), "--device", key, "--backend",
           "sleep", "--sleep-ms", std::to_string(sleep_ms), "--id", key + "-" + std::to_string(i)},
          "/dev/null", "/dev/null"));
    }
  }
  const int total = runners_per_key * static_cast<int>(keys.size());
  {
    nas::FarmClientOptions client_options;
    client_options.connect = broker.endpoint();
    nas::FarmClient client(client_options);
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    for (;;) {
      int idle = 0;
      const nlohmann::json listing = client.list();
      for (const auto& r : listing["runners"]) idle += r["state"] == "idle";
      if (idle == total) break;
      if (Clock::now() > deadline) {
        std::fprintf(stderr, "only %d of %d runners registered\n", idle, total);
        std::exit(1);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  const std::string tag = std::to_string(keys.size()) + "k" + std::to_string(runners_per_key) +
                          "r" + std::to_string(trial);
  const std::string store = (dir / (tag + ".db")).string();
  const fs::path config = dir / (tag + ".json");
  std::ofstream(config) << run_config(dir, store, broker.endpoint(), keys, candidates).dump(2);
  const std::string log = (dir / (tag + ".log")).string();
  const pid_t run = nas::bench::spawn({NAS_BINARY, "run", config.string(), "-q"}, "/dev/null", log);
  int status = 0;
  waitpid(run, &status, 0);
  std::stringstream text;
  text << std::ifstream(log).rdbuf();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "nas run failed:\n%s\n", text.str().c_str());
    std::exit(1);
  }
  std::smatch m;
  const std::string all = text.str();
  Trial t;
  if (std::regex_search(all, m, std::regex("search ([0-9.]+)s"))) t.search_s = std::stod(m[1]);
  t.busy_s = query_double(store, "SELECT sum(median_ms) FROM measurements") / 1000.0;
  t.jobs = static_cast<int>(query_double(store, "SELECT count(*) FROM measurements"));
  for (pid_t pid : runners) kill(pid, SIGTERM);
  for (pid_t pid : runners) waitpid(pid, nullptr, 0);
  stop = true;
  serving.join();
  return t;
}

struct Row {
  int runners = 0;  // per key
  std::vector<double> search_s;
  std::vector<double> utilisation;
  int jobs = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

Row measure(const fs::path& dir, const std::vector<std::string>& keys, int runners_per_key,
            int sleep_ms, int candidates, int repeats) {
  Row row;
  row.runners = runners_per_key;
  for (int r = 0; r < repeats; ++r) {
    const Trial t = run_once(dir, keys, runners_per_key, sleep_ms, candidates, r);
    row.search_s.push_back(t.search_s);
    row.utilisation.push_back(t.busy_s / (t.search_s * runners_per_key * keys.size()));
    row.jobs = t.jobs;
  }
  return row;
}

void print(const std::vector<Row>& rows, std::size_t keys, int sleep_ms) {
  std::printf("| runners per key | boards | jobs | search wall (s), median [min, max] | ideal (s) "
              "| speed-up vs 1 runner [min, max] | speed-up / N | utilisation [min, max] |\n");
  std::printf("| --: | --: | --: | --: | --: | --: | --: | --: |\n");
  const double base = median(rows.front().search_s);
  for (const Row& r : rows) {
    const double wall = median(r.search_s);
    const auto [lo, hi] = std::minmax_element(r.search_s.begin(), r.search_s.end());
    const auto [ulo, uhi] = std::minmax_element(r.utilisation.begin(), r.utilisation.end());
    const double ideal = r.jobs * sleep_ms / 1000.0 / (r.runners * keys);
    std::printf("| %d | %zu | %d | %.2f [%.2f, %.2f] | %.2f | %.2fx [%.2f, %.2f] | %.2f | "
                "%.1f %% [%.1f, %.1f] |\n",
                r.runners, r.runners * keys, r.jobs, wall, *lo, *hi, ideal, base / wall,
                base / *hi, base / *lo, base / wall / r.runners, median(r.utilisation) * 100,
                *ulo * 100, *uhi * 100);
  }
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::err);  // the broker's joins and leaves are no figures
  const int part = nas::bench::int_arg(argc, argv, "part", 0);
  const int sleep_ms = nas::bench::int_arg(argc, argv, "sleep_ms", 200);
  const int candidates = nas::bench::int_arg(argc, argv, "candidates", 64);
  const int repeats = nas::bench::int_arg(argc, argv, "repeats", 3);
  const int max_runners = nas::bench::int_arg(argc, argv, "max_runners", 16);
  if (!fs::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
    std::fprintf(stderr, "needs Debian's dataset-fashion-mnist\n");
    return 1;
  }
  const fs::path dir = fs::temp_directory_path() / ("bench_search_farm." + std::to_string(getpid()));
  fs::create_directories(dir);
  std::printf("bench_search_farm: `nas run` searches %d candidates (random search, batch sized "
              "by the run to its boards), objectives MACs and latency; SYNTHETIC sleep runners "
              "(each job sleeps %d ms; nothing is measured); %d runs per row; search wall time "
              "as `nas run` logs it\n\n",
              candidates, sleep_ms, repeats);
  if (part == 0 || part == 1) {
    std::printf("One device key:\n\n");
    std::vector<Row> rows;
    for (int n = 1; n <= max_runners; n *= 2) {
      rows.push_back(measure(dir, {"synthetic"}, n, sleep_ms, candidates, repeats));
    }
    print(rows, 1, sleep_ms);
    std::printf("\n");
  }
  if (part == 0 || part == 2) {
    std::printf("Two device keys, objectives on both (each candidate is one job per key):\n\n");
    std::vector<Row> rows;
    for (int n : {1, 4}) rows.push_back(measure(dir, {"boardA", "boardB"}, n, sleep_ms, candidates, repeats));
    print(rows, 2, sleep_ms);
    std::printf("\n");
  }
  std::printf("Targets: speed-up >= 0.85 x N (speed-up / N >= 0.85), utilisation >= 90 %%\n");
  fs::remove_all(dir);
  return 0;
}
