#include "core/config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "core/errors.h"
#include "core/hash.h"
#include "core/json_reader.h"
#include "core/metric.h"
#include "core/pareto.h"
#include "core/supernet_options.h"

namespace nas {
namespace {

constexpr std::int64_t kIntMax = std::numeric_limits<std::int64_t>::max();

SpaceOptions parse_space(JsonReader r) {
  SpaceOptions out;
  out.type = r.choice("type", {"nb201", "mbv3"});
  if (out.type == "mbv3") out.mbv3 = parse_mbv3_options(r);
  r.finish();
  return out;
}

EvaluatorOptions parse_evaluator(JsonReader r) {
  EvaluatorOptions out;
  out.type = r.choice("type", {"tabular", "supernet"});
  if (out.type == "supernet") {
    out.supernet = parse_supernet_evaluator_options(r);
  } else {
    out.table = r.choice("table", {"nb201"}, std::string("nb201"));
    out.path = r.string("path", std::string());
  }
  r.finish();
  return out;
}

// JsonReader's ranges are closed; these check the open ends of rl's options.
double number_above(JsonReader& r, const std::string& key, double min, double max,
                    std::optional<double> fallback, const std::string& expected) {
  const double v = r.number(key, min, max, fallback);
  if (v <= min) throw ConfigError(r.path_of(key), expected + ", got " + describe_json_value(*r.get(key)));
  return v;
}

RewardOptions parse_reward(JsonReader r) {
  RewardOptions out;
  out.type = r.choice("type", {"mnasnet_soft", "mnasnet_hard", "tunas_abs"});
  out.metric = r.string("metric");
  if (out.metric.empty()) throw ConfigError(r.path_of("metric"), "must not be empty");
  constexpr double kMax = std::numeric_limits<double>::max();
  out.target = number_above(r, "target", 0, kMax, std::nullopt, "expected a number > 0");
  if (out.type == "tunas_abs") {
    out.beta = r.number("beta", -kMax, 0, out.beta);
    if (out.beta == 0) {
      throw ConfigError(r.path_of("beta"), "expected a number < 0, got " +
                                               describe_json_value(*r.get("beta")));
    }
  } else {
    out.exponent = r.number("exponent", -10, 0, out.type == "mnasnet_soft" ? -0.07 : -1.0);
  }
  r.finish();
  return out;
}

// `initial_archs`: a list of distinct corner names, at most one population.
std::vector<std::string> parse_initial_archs(JsonReader& r, std::size_t population) {
  const nlohmann::json* list = r.get("initial_archs");
  if (!list) return {};
  const std::string path = r.path_of("initial_archs");
  if (!list->is_array()) {
    throw ConfigError(path, "expected a list of \"largest\" and/or \"smallest\", got " +
                                describe_json_value(*list));
  }
  std::vector<std::string> names;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& item = (*list)[i];
    const std::string where = path + "/" + std::to_string(i);
    if (!item.is_string() || (item != "largest" && item != "smallest")) {
      throw ConfigError(where, "expected \"largest\" or \"smallest\", got " +
                                   describe_json_value(item));
    }
    if (std::find(names.begin(), names.end(), item.get<std::string>()) != names.end()) {
      throw ConfigError(where, "\"" + item.get<std::string>() + "\" is listed twice");
    }
    names.push_back(item.get<std::string>());
  }
  if (names.size() > population) {
    throw ConfigError(path, "more initial architectures than the population (" +
                                std::to_string(population) + ")");
  }
  return names;
}

SearchOptions parse_search(JsonReader r) {
  SearchOptions out;
  out.strategy = r.choice("strategy", {"random", "evolution", "nsga2", "rl", "surrogate"});
  out.budget = r.integer("budget", 1, 100000000);
  out.batch = r.integer("batch", 0, 1000000, 0);
  if (out.strategy == "surrogate") {
    SurrogateOptions& s = out.surrogate;
    s.initial = r.integer("initial", 2, kIntMax, s.initial);
    s.pool = r.integer("pool", 1, 10000000, s.pool);
    s.explore = r.number("explore", 0, 100, s.explore);
    s.random_share = r.number("random_share", 0, 1, s.random_share);
    out.mutation_prob = r.number("mutation_prob", 0, 1, out.mutation_prob);
    // In the metrics' units here; parse_config checks the length and turns
    // it into minimisation form once the objectives are known.
    if (const nlohmann::json* ref = r.get("reference")) {
      const bool numbers = ref->is_array() && !ref->empty() &&
                           std::all_of(ref->begin(), ref->end(),
                                       [](const nlohmann::json& v) { return v.is_number(); });
      if (!numbers) {
        throw ConfigError(r.path_of("reference"), "expected a list of numbers, one per objective, got " +
                                                      describe_json_value(*ref));
      }
      for (const auto& v : *ref) s.reference.push_back(v.get<double>());
    }
  }
  if (out.strategy == "evolution" || out.strategy == "nsga2") {
    out.population = r.integer("population", 2, kIntMax,
                               out.strategy == "nsga2" ? SearchOptions::kNsga2Population
                                                       : out.population);
    out.mutation_prob = r.number("mutation_prob", 0, 1, out.mutation_prob);
    out.initial_archs = parse_initial_archs(r, static_cast<std::size_t>(out.population));
  }
  if (out.strategy == "evolution") {
    out.sample_size = r.integer("sample_size", 1, out.population, std::min(out.sample_size,
                                                                            out.population));
  }
  if (out.strategy == "nsga2") {
    out.crossover_prob = r.number("crossover_prob", 0, 1, out.crossover_prob);
  }
  if (out.strategy == "rl") {
    out.reward = parse_reward(r.object("reward"));
    out.controller = r.choice("controller", {"factorized", "lstm"}, out.controller);
    if (out.controller == "lstm") out.lstm_hidden = r.integer("lstm_hidden", 1, 1024, out.lstm_hidden);
    out.learning_rate = number_above(r, "learning_rate", 0, 10, out.learning_rate,
                                     "expected a number in (0, 10]");
    out.entropy_weight = r.number("entropy_weight", 0, std::numeric_limits<double>::max(),
                                  out.entropy_weight);
    out.risk_epsilon = r.number("risk_epsilon", 0, 1, out.risk_epsilon);
    out.baseline_decay = r.number("baseline_decay", 0, 1, out.baseline_decay);
    if (out.baseline_decay == 1) {
      throw ConfigError(r.path_of("baseline_decay"), "expected a number in [0, 1), got " +
                                                         describe_json_value(*r.get("baseline_decay")));
    }
  }
  r.finish();
  return out;
}

std::vector<Objective> parse_objectives(JsonReader& root) {
  const std::string path = root.path_of("objectives");
  const nlohmann::json* list = root.get("objectives");
  if (!list) throw ConfigError(path, "missing (expected a list of objectives)");
  if (!list->is_array() || list->empty()) {
    throw ConfigError(path, "expected a non-empty list of objectives, got " +
                                describe_json_value(*list));
  }
  std::vector<Objective> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list->size(); ++i) {
    JsonReader r((*list)[i], path + "/" + std::to_string(i));
    Objective o;
    o.metric = r.string("metric");
    if (o.metric.empty()) throw ConfigError(r.path_of("metric"), "must not be empty");
    if (!seen.insert(o.metric).second) {
      throw ConfigError(r.path_of("metric"), "\"" + o.metric + "\" is already an objective");
    }
    o.goal = r.choice("goal", {"maximize", "minimize"}) == "maximize" ? Goal::kMaximize
                                                                     : Goal::kMinimize;
    r.finish();
    out.push_back(o);
  }
  return out;
}

std::vector<Constraint> parse_constraints(JsonReader& root) {
  const std::string path = root.path_of("constraints");
  const nlohmann::json* list = root.get("constraints");
  std::vector<Constraint> out;
  if (!list) return out;
  if (!list->is_array()) {
    throw ConfigError(path, "expected a list such as [\"raspi4_ms <= 20\"], got " +
                                describe_json_value(*list));
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string item_path = path + "/" + std::to_string(i);
    const auto& item = (*list)[i];
    if (!item.is_string()) {
      throw ConfigError(item_path, "expected a string such as \"raspi4_ms <= 20\", got " +
                                       describe_json_value(item));
    }
    try {
      out.push_back(parse_constraint(item.get<std::string>()));
    } catch (const ConfigError&) {
      throw;
    } catch (const Error& e) {
      throw ConfigError(item_path, e.what());
    }
  }
  return out;
}

std::vector<ScreeningConfig> parse_screening(JsonReader& root, const std::vector<Objective>& objectives) {
  const std::string path = root.path_of("screening");
  const nlohmann::json* list = root.get("screening");
  std::vector<ScreeningConfig> out;
  if (!list) return out;
  if (!list->is_array()) {
    throw ConfigError(path, "expected a list such as [{\"metric\": \"raspi4_ms\", \"budget\": 100}], got " +
                                describe_json_value(*list));
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list->size(); ++i) {
    JsonReader r((*list)[i], path + "/" + std::to_string(i));
    ScreeningConfig s;
    s.metric = r.string("metric");
    const bool objective = std::any_of(objectives.begin(), objectives.end(),
                                       [&](const Objective& o) { return o.metric == s.metric; });
    if (!objective) {
      throw ConfigError(r.path_of("metric"), "\"" + s.metric +
                                                 "\" is not an objective; only an objective's metric can be screened");
    }
    if (!seen.insert(s.metric).second) {
      throw ConfigError(r.path_of("metric"), "\"" + s.metric + "\" is already screened");
    }
    s.warmup = r.integer("warmup", 10, kIntMax, s.warmup);
    s.budget = r.integer("budget", s.warmup, kIntMax, std::max(s.budget, s.warmup));
    s.explore = r.number("explore", 0, 100, s.explore);
    r.finish();
    out.push_back(s);
  }
  return out;
}

// The reward reads values the loop evaluates, and MnasNet's rewards multiply
// the quality, which only makes sense for a maximised one.
void check_reward(const RunConfig& c) {
  const RewardOptions& reward = c.search.reward;
  bool evaluated = false;
  for (const auto& o : c.objectives) evaluated = evaluated || o.metric == reward.metric;
  for (const auto& k : c.constraints) evaluated = evaluated || k.metric == reward.metric;
  if (!evaluated) {
    throw ConfigError("/search/reward/metric",
                      "\"" + reward.metric +
                          "\" is neither an objective nor a constraint; the reward can use only "
                          "metrics the run evaluates");
  }
  if (reward.type != "tunas_abs" && c.objectives.front().goal != Goal::kMaximize) {
    throw ConfigError("/search/reward/type",
                      reward.type + " multiplies the first objective (\"" +
                          c.objectives.front().metric +
                          "\"), which must be maximised; use tunas_abs for a minimised one");
  }
}

// A metric at int8 or fp16 needs something that gives it: the supernet
// evaluator for accuracy, a runtime of that precision for a latency or
// energy. The local runner's torch backend runs fp32 only.
void check_precision(const RunConfig& c, const std::string& metric, const std::string& path) {
  const Metric m = parse_metric(metric);
  if (m.precision != Precision::kInt8 && m.precision != Precision::kFp16) return;
  const std::string p = to_string(m.precision);
  if (m.kind == MetricKind::kAccuracy && c.evaluator.type != "supernet") {
    throw ConfigError(path, "\"" + metric + "\" needs the supernet evaluator (mbv3 space), which "
                            "scores subnets quantized; the " + c.space.type + " space's " +
                            c.evaluator.type + " evaluator has fp32 accuracy only");
  }
  // This CPU in LibTorch: the local runner's torch backend, or without a
  // farm the in-process timing of "cpu_ms".
  const bool local_torch_runner = c.farm.enabled && c.farm.local_runner && !c.farm.bind.empty() &&
                                  c.farm.local_pipeline.empty() && !c.farm.devices.empty() &&
                                  m.device == c.farm.devices.front();
  const bool in_process = !c.farm.enabled && m.device == "cpu";
  if ((m.kind == MetricKind::kLatency || m.kind == MetricKind::kEnergy) &&
      (local_torch_runner || in_process)) {
    throw ConfigError(path, "\"" + metric + "\" needs a runtime that runs " + p + ", but this CPU "
                            "is timed by LibTorch at fp32 only; set /farm/local_pipeline to a "
                            "pipeline that runs " + p +
                            " (configs/runners/cpu-onnxruntime.json runs int8)");
  }
}

}  // namespace

FarmOptions parse_farm(JsonReader r) {
  FarmOptions out;
  out.enabled = true;
  out.connect = r.string("connect", std::string());
  out.bind = r.string("bind", out.connect.empty() ? std::string("tcp://127.0.0.1:0") : std::string());
  if (!out.connect.empty() && r.has("bind")) {
    throw ConfigError(r.path_of("bind"), "give \"bind\" (serve a broker) or \"connect\" (use one), not both");
  }
  out.local_runner = r.boolean("local_runner", out.connect.empty());
  if (out.local_runner && !out.connect.empty()) {
    throw ConfigError(r.path_of("local_runner"), "a local runner needs the embedded broker (\"bind\")");
  }
  out.local_pipeline = r.string("local_pipeline", std::string());
  if (!out.local_pipeline.empty()) {
    if (!out.local_runner) {
      throw ConfigError(r.path_of("local_pipeline"), "names the local runner's pipeline, but there "
                                                     "is no local runner");
    }
    std::error_code error;
    if (!std::filesystem::is_regular_file(out.local_pipeline, error)) {
      throw ConfigError(r.path_of("local_pipeline"),
                        "no pipeline file \"" + out.local_pipeline + "\" (paths are relative to "
                        "the directory nas runs in)");
    }
  }
  if (r.has("device") && r.has("devices")) {
    throw ConfigError(r.path_of("devices"), "give \"device\" (one key) or \"devices\" (several), not both");
  }
  if (r.has("devices")) {
    const nlohmann::json& list = *r.get("devices");
    const std::string path = r.path_of("devices");
    if (!list.is_array() || list.empty()) {
      throw ConfigError(path, "expected a non-empty array of device keys, got " +
                                  describe_json_value(list));
    }
    out.devices.clear();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string at = path + "/" + std::to_string(i);
      if (!list[i].is_string() || list[i].get<std::string>().empty()) {
        throw ConfigError(at, "expected a device key, got " + describe_json_value(list[i]));
      }
      const std::string key = list[i].get<std::string>();
      if (std::find(out.devices.begin(), out.devices.end(), key) != out.devices.end()) {
        throw ConfigError(at, "device key \"" + key + "\" is named twice");
      }
      out.devices.push_back(key);
    }
  } else {
    out.devices = {r.string("device", out.devices.front())};
    if (out.devices.front().empty()) throw ConfigError(r.path_of("device"), "must not be empty");
  }
  out.deadline_seconds = r.number("deadline_seconds", 0.001, 86400, out.deadline_seconds);
  out.wait_seconds = r.number("wait_seconds", 0.001, 604800, out.wait_seconds);
  out.broker_key = r.string("broker_key", std::string());
  out.keys = r.string("keys", std::string());
  r.finish();
  return out;
}

RunConfig parse_config(const nlohmann::json& document, const std::string& default_name) {
  JsonReader root(document, "");
  RunConfig c;
  c.document = document;
  c.hash = stable_hash_hex(document.dump());
  c.name = root.string("name", default_name);
  if (c.name.empty() || c.name.find('/') != std::string::npos) {
    throw ConfigError(root.path_of("name"), "expected a non-empty name without '/', got " +
                                                describe_json_value(c.name));
  }
  c.seed = static_cast<std::uint64_t>(root.integer("seed", 0, kIntMax, 0));
  c.store = root.string("store", "results/" + c.name + ".db");
  if (c.store.empty()) throw ConfigError(root.path_of("store"), "must not be empty");
  c.space = parse_space(root.object("space"));
  c.evaluator = parse_evaluator(root.object("evaluator"));
  c.objectives = parse_objectives(root);
  c.constraints = parse_constraints(root);
  c.search = parse_search(root.object("search"));
  if (root.has("farm")) c.farm = parse_farm(root.object("farm"));
  c.screening = parse_screening(root, c.objectives);
  // The supernet section belongs to supernet spaces (defaults when absent).
  if (root.has("supernet") && c.space.type != "mbv3") {
    throw ConfigError(root.path_of("supernet"), "only a supernet space (\"mbv3\") trains one");
  }
  if (c.space.type == "mbv3") {
    c.supernet = root.has("supernet") ? parse_supernet_options(root.object("supernet"))
                                      : parse_supernet_options(JsonReader(nlohmann::json::object(), "/supernet"));
  }
  if (c.evaluator.type == "supernet" && c.space.type != "mbv3") {
    throw ConfigError("/evaluator/type", "the supernet evaluator needs the mbv3 space");
  }
  for (std::size_t i = 0; i < c.objectives.size(); ++i) {
    check_precision(c, c.objectives[i].metric, "/objectives/" + std::to_string(i) + "/metric");
  }
  for (std::size_t i = 0; i < c.constraints.size(); ++i) {
    check_precision(c, c.constraints[i].metric, "/constraints/" + std::to_string(i));
  }
  if (c.search.strategy == "rl") check_reward(c);
  for (const Objective& o : c.objectives) c.search.surrogate.metrics.push_back(o.metric);
  if (!c.search.surrogate.reference.empty()) {
    std::vector<double>& ref = c.search.surrogate.reference;
    if (ref.size() != c.objectives.size()) {
      throw ConfigError("/search/reference", "expected " + std::to_string(c.objectives.size()) +
                                                 " numbers (one per objective), got " +
                                                 std::to_string(ref.size()));
    }
    for (std::size_t i = 0; i < ref.size(); ++i) {
      ref[i] = to_minimised(c.objectives[i].goal, ref[i]);
    }
  }
  root.finish();
  return c;
}

RunConfig load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, "cannot read the configuration file");
  std::ostringstream text;
  text << in.rdbuf();
  const nlohmann::json document = parse_json_text(text.str(), path);
  return parse_config(document, std::filesystem::path(path).stem().string());
}

}  // namespace nas
