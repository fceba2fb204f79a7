#include "core/supernet_options.h"

#include <algorithm>

#include "core/errors.h"
#include "core/json_reader.h"

namespace nas {
namespace {

// A list of integers in [min, max], strictly ascending (so each choice is
// listed once and "largest" is the last one).
std::vector<std::int64_t> int_list(JsonReader& r, const std::string& key, std::int64_t min,
                                   std::int64_t max, std::vector<std::int64_t> fallback,
                                   bool odd = false) {
  const nlohmann::json* v = r.get(key);
  if (!v) return fallback;
  const std::string path = r.path_of(key);
  const std::string expected = "expected a non-empty ascending list of " +
                               std::string(odd ? "odd " : "") + "integers in [" +
                               std::to_string(min) + ", " + std::to_string(max) + "]";
  if (!v->is_array() || v->empty()) {
    throw ConfigError(path, expected + ", got " + describe_json_value(*v));
  }
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    const auto& item = (*v)[i];
    if (!item.is_number_integer() || item.get<std::int64_t>() < min ||
        item.get<std::int64_t>() > max || (odd && item.get<std::int64_t>() % 2 == 0) ||
        (!out.empty() && item.get<std::int64_t>() <= out.back())) {
      throw ConfigError(path + "/" + std::to_string(i),
                        expected + ", got " + describe_json_value(item));
    }
    out.push_back(item.get<std::int64_t>());
  }
  return out;
}

// "relu", "hswish", or a list of both (a decision of the space), relu first.
std::vector<std::string> activation_choices(JsonReader& r, const std::string& key,
                                            const std::string& fallback) {
  const nlohmann::json* v = r.get(key);
  if (!v) return {fallback};
  const std::string expected =
      "expected \"relu\", \"hswish\", or a list of both (then each arch chooses)";
  const auto known = [](const nlohmann::json& x) {
    return x.is_string() && (x == "relu" || x == "hswish");
  };
  if (known(*v)) return {v->get<std::string>()};
  const std::string path = r.path_of(key);
  if (!v->is_array() || v->empty()) {
    throw ConfigError(path, expected + ", got " + describe_json_value(*v));
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    const auto& item = (*v)[i];
    if (!known(item) || std::find(out.begin(), out.end(), item.get<std::string>()) != out.end()) {
      throw ConfigError(path + "/" + std::to_string(i),
                        expected + ", each once, got " + describe_json_value(item));
    }
    out.push_back(item.get<std::string>());
  }
  if (out.front() == "hswish") std::reverse(out.begin(), out.end());  // relu, the smaller, first
  return out;
}

Mbv3StageOptions parse_stage(JsonReader r) {
  Mbv3StageOptions s;
  s.width = r.integer("width", 1, 4096);
  s.stride = r.integer("stride", 1, 2, 1);
  s.depths = int_list(r, "depths", 1, 8, s.depths);
  s.se = r.boolean("se", false);
  s.activations = activation_choices(r, "activation", "relu");
  r.finish();
  return s;
}

}  // namespace

DatasetShape dataset_shape(const std::string& dataset) {
  if (dataset == "fashion-mnist" || dataset == "mnist") return {1, 28, 28, 10};
  if (dataset == "cifar10") return {3, 32, 32, 10};
  if (dataset == "cifar100") return {3, 32, 32, 100};
  if (dataset == "folder") throw Error("dataset folder: its shape is read from its files");
  throw Error("unknown dataset '" + dataset + "' (known: fashion-mnist, mnist, cifar10, cifar100, folder)");
}

Mbv3Options parse_mbv3_options(JsonReader& r) {
  Mbv3Options o;
  o.stem_width = r.integer("stem_width", 1, 4096, o.stem_width);
  o.stem_stride = r.integer("stem_stride", 1, 2, o.stem_stride);
  const std::string stages_path = r.path_of("stages");
  const nlohmann::json* stages = r.get("stages");
  if (!stages) throw ConfigError(stages_path, "missing (expected a list of stages)");
  if (!stages->is_array() || stages->empty() || stages->size() > 8) {
    throw ConfigError(stages_path, "expected a list of 1 to 8 stages, got " +
                                       describe_json_value(*stages));
  }
  for (std::size_t i = 0; i < stages->size(); ++i) {
    o.stages.push_back(parse_stage(JsonReader((*stages)[i], stages_path + "/" +
                                                                std::to_string(i))));
  }
  o.kernels = int_list(r, "kernels", 1, 9, o.kernels, true);
  o.expand_ratios = int_list(r, "expand_ratios", 1, 8, o.expand_ratios);
  o.resolutions = int_list(r, "resolutions", 8, 1024, o.resolutions);
  o.width_mult = r.number("width_mult", 0.1, 4.0, o.width_mult);
  o.head_width = r.integer("head_width", 8, 8192, o.head_width);
  o.stem_activation = r.choice("stem_activation", {"relu", "hswish"}, o.stem_activation);
  o.head_activation = r.choice("head_activation", {"relu", "hswish"}, o.head_activation);
  return o;
}

SupernetOptions parse_supernet_options(JsonReader r) {
  SupernetOptions s;
  s.enabled = true;
  {
    const nlohmann::json* data = r.get("data");
    if (data) {
      JsonReader d(*data, r.path_of("data"));
      s.data.dataset = d.choice("dataset", {"fashion-mnist", "mnist", "cifar10", "cifar100", "folder"},
                                s.data.dataset);
      s.data.path = d.string("path", std::string());
      if (s.data.dataset == "folder" && s.data.path.empty()) {
        throw ConfigError(d.path_of("path"),
                          "a folder dataset needs the folder: one subfolder of images per class, "
                          "or train/ and test/ holding such subfolders");
      }
      s.data.validation = d.integer("validation", 1, 1000000, s.data.validation);
      s.data.train_limit = d.integer("train_limit", 0, 100000000, s.data.train_limit);
      if (s.data.train_limit > 0 && s.data.train_limit <= s.data.validation) {
        throw ConfigError(d.path_of("train_limit"),
                          "must exceed /supernet/data/validation (" +
                              std::to_string(s.data.validation) + ") or be 0");
      }
      d.finish();
    }
  }
  {
    const nlohmann::json* training = r.get("training");
    if (training) {
      JsonReader t(*training, r.path_of("training"));
      TrainingOptions& o = s.training;
      o.epochs = t.integer("epochs", 1, 10000, o.epochs);
      o.batch_size = t.integer("batch_size", 2, 65536, o.batch_size);
      o.lr = t.number("lr", 1e-6, 10, o.lr);
      o.warmup_epochs = t.integer("warmup_epochs", 0, o.epochs - 1, o.warmup_epochs);
      o.momentum = t.number("momentum", 0, 0.999, o.momentum);
      o.weight_decay = t.number("weight_decay", 0, 1, o.weight_decay);
      o.label_smoothing = t.number("label_smoothing", 0, 0.5, o.label_smoothing);
      o.random_subnets = t.integer("random_subnets", 0, 16, o.random_subnets);
      o.distill = t.boolean("distill", o.distill);
      o.augment = t.boolean("augment", o.augment);
      o.dtype = t.choice("dtype", {"float32", "float64"}, o.dtype);
      o.device = t.choice("device", {"cpu", "cuda", "auto"}, o.device);
      o.threads = t.integer("threads", 0, 1024, o.threads);
      o.processes = t.integer("processes", 1, 1024, o.processes);
      o.timeout_seconds = t.number("timeout_seconds", 1, 86400, o.timeout_seconds);
      if (o.batch_size % o.processes != 0) {
        throw ConfigError(t.path_of("batch_size"),
                          std::to_string(o.batch_size) + " does not split into " +
                              std::to_string(o.processes) +
                              " equal shares (/supernet/training/processes): it is the batch of "
                              "all processes together");
      }
      o.checkpoint_dir = t.string("checkpoint_dir", o.checkpoint_dir);
      if (o.checkpoint_dir.empty()) {
        throw ConfigError(t.path_of("checkpoint_dir"), "must not be empty");
      }
      t.finish();
    }
  }
  r.finish();
  return s;
}

SupernetEvaluatorOptions parse_supernet_evaluator_options(JsonReader& r) {
  SupernetEvaluatorOptions o;
  o.bn_batches = r.integer("bn_batches", 1, 100000, o.bn_batches);
  o.bn_batch_size = r.integer("bn_batch_size", 2, 65536, o.bn_batch_size);
  o.batch_size = r.integer("batch_size", 1, 65536, o.batch_size);
  o.val_images = r.integer("val_images", 0, 100000000, o.val_images);
  const nlohmann::json* latency = r.get("latency");
  if (latency) {
    JsonReader l(*latency, r.path_of("latency"));
    LatencyOptions& m = o.latency;
    m.batch = l.integer("batch", 1, 4096, m.batch);
    m.threads = l.integer("threads", 1, 1024, m.threads);
    m.warmup = l.integer("warmup", 0, 100000, m.warmup);
    m.warmup_ms = l.number("warmup_ms", 0, 600000, m.warmup_ms);
    m.repeats = l.integer("repeats", 1, 100000, m.repeats);
    l.finish();
  }
  if (const nlohmann::json* quantization = r.get("quantization")) {
    JsonReader q(*quantization, r.path_of("quantization"));
    QuantizationOptions& p = o.quantization;
    p.calibration_images = q.integer("calibration_images", 1, 1000000, p.calibration_images);
    const std::string rule = q.choice("rule", {"minmax", "percentile", "mse"}, to_string(p.rule));
    for (CalibrationRule c : {CalibrationRule::kMinMax, CalibrationRule::kPercentile,
                              CalibrationRule::kMse}) {
      if (rule == to_string(c)) p.rule = c;
    }
    p.percentile = q.number("percentile", 50, 100, p.percentile);
    q.finish();
  }
  return o;
}

const char* to_string(CalibrationRule rule) {
  switch (rule) {
    case CalibrationRule::kMinMax: return "minmax";
    case CalibrationRule::kPercentile: return "percentile";
    case CalibrationRule::kMse: return "mse";
  }
  return "unknown";
}

nlohmann::json training_identity(const Mbv3Options& space, const SupernetOptions& supernet,
                                 std::uint64_t seed) {
  nlohmann::json stages = nlohmann::json::array();
  for (const auto& s : space.stages) {
    // One activation as the string it always was, so checkpoint ids stay.
    const nlohmann::json activation = s.activations.size() == 1
                                          ? nlohmann::json(s.activations.front())
                                          : nlohmann::json(s.activations);
    stages.push_back({{"width", s.width}, {"stride", s.stride}, {"depths", s.depths},
                      {"se", s.se}, {"activation", activation}});
  }
  const TrainingOptions& t = supernet.training;
  nlohmann::json identity = {
      {"space",
       {{"stem_width", space.stem_width}, {"stem_stride", space.stem_stride},
        {"stages", stages}, {"kernels", space.kernels}, {"expand_ratios", space.expand_ratios},
        {"resolutions", space.resolutions}, {"width_mult", space.width_mult},
        {"head_width", space.head_width}}},
      {"data",
       {{"dataset", supernet.data.dataset}, {"validation", supernet.data.validation},
        {"train_limit", supernet.data.train_limit}}},
      {"training",
       {{"epochs", t.epochs}, {"batch_size", t.batch_size}, {"lr", t.lr},
        {"warmup_epochs", t.warmup_epochs}, {"momentum", t.momentum},
        {"weight_decay", t.weight_decay}, {"label_smoothing", t.label_smoothing},
        {"random_subnets", t.random_subnets}, {"distill", t.distill}, {"augment", t.augment}}},
      {"seed", seed},
      {"format", 1},
  };
  // Only when set, so that float32 checkpoints keep the ids they had.
  if (t.dtype != "float32") identity["training"]["dtype"] = t.dtype;
  if (space.stem_activation != "hswish") identity["space"]["stem_activation"] = space.stem_activation;
  if (space.head_activation != "hswish") identity["space"]["head_activation"] = space.head_activation;
  return identity;
}

}  // namespace nas
