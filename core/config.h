// A run's configuration: loading, defaults and validation.
//
// The file is JSON. Every value is checked as it is read; a problem raises
// ConfigError with the JSON path, e.g. `/search/budget: expected an integer
// >= 1, got 0`, and keys that nothing reads are errors too. Which metrics
// exist depends on the evaluator, so metric names are checked when the run is
// wired up (cli), with the same kind of error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/objectives.h"
#include "core/supernet_options.h"

namespace nas {

struct SpaceOptions {
  std::string type = "nb201";  // nb201 | mbv3
  Mbv3Options mbv3;            // type "mbv3": the supernet's layout
};

struct EvaluatorOptions {
  std::string type = "tabular";
  std::string table = "nb201";  // a table shipped with nas
  std::string path;             // a copy elsewhere; empty = the shipped file
  SupernetEvaluatorOptions supernet;  // type "supernet"
};

// rl: how a candidate's quality and cost become one reward. The quality Q is
// the first objective's raw value (maximised); the cost is any metric the run
// evaluates (latency, energy, params), named by `metric`, against target T.
struct RewardOptions {
  // mnasnet_soft: Q * (cost/T)^w everywhere (MnasNet's soft constraint).
  // mnasnet_hard: Q under T, Q * (cost/T)^w past it (MnasNet's hard variant).
  // tunas_abs:    Q + beta * |cost/T - 1| (TuNAS's absolute reward).
  std::string type = "mnasnet_hard";
  std::string metric;  // the cost metric; must be an objective's or a constraint's
  double target = 0;   // T > 0, in the metric's unit
  // w; default -0.07 for mnasnet_soft, -1 for mnasnet_hard (MnasNet's values).
  double exponent = -1;
  double beta = -1;  // tunas_abs only; < 0, in the quality's unit per unit of |cost/T - 1|
};

// surrogate (search/surrogate_search.h): predictors of every objective screen
// a pool of children and only the most promising are asked.
struct SurrogateOptions {
  // Defaults tuned on the NB201 cifar10 x raspi4 table (bench/surrogate_quality.cpp).
  std::int64_t initial = 40;  // uniform samples before the predictors guide
  std::int64_t pool = 2000;   // unseen children scored per ask
  double explore = 1.0;       // optimism: predicted standard deviations subtracted
  double random_share = 0.5;  // share of the pool drawn uniformly, not mutated
  // The hypervolume reference point, one value per objective in minimisation
  // form (a maximised objective's value negated); the config gives it in the
  // metrics' own units ("reference": [90, 25]). Empty: the worst told value
  // of each objective plus 10 % of its range.
  std::vector<double> reference;
  // The objectives' metrics, in order (parse_config fills them from the
  // objectives): an accuracy (core/objectives.h) gets the error-rate model,
  // make_accuracy_predictor, any other make_search_predictor. Empty: every
  // objective gets make_search_predictor.
  std::vector<std::string> metrics;
};

// Options of the search strategies. Each strategy reads the fields it uses;
// the config accepts only those of the chosen strategy.
struct SearchOptions {
  std::string strategy = "nsga2";  // random | evolution | nsga2 | rl | surrogate
  // Distinct architectures the run evaluates (queries). Repeats of an
  // architecture already evaluated in the run are free.
  std::int64_t budget = 300;
  // Candidates per ask; 0 = the strategy's own choice (its population for
  // nsga2, 1 for evolution and random).
  std::int64_t batch = 0;
  // evolution: population size (ageing queue). nsga2: population size; a
  // config that names nsga2 without a population gets kNsga2Population
  // (tuned, see search/nsga2.h).
  std::int64_t population = 30;
  static constexpr std::int64_t kNsga2Population = 10;
  // evolution: tournament size (Real et al. use 25 of 100 on NB201-size spaces).
  std::int64_t sample_size = 10;
  // Probability of changing each decision when mutating; <= 0 = the
  // strategy's default (evolution: 1/decisions; nsga2: one decision per
  // child, chosen adaptively, see search/nsga2.h).
  double mutation_prob = 0;
  // nsga2: probability that a child is made by uniform crossover (0: tuned,
  // crossover hurts on NB201, see search/nsga2.h).
  double crossover_prob = 0.0;
  // nsga2, evolution: corners of the space the initial population starts
  // with, before uniform samples: "largest" (every decision at its last
  // choice) and/or "smallest" (at its first). On a supernet these are the
  // sandwich rule's best-trained subnets (search/operators.h).
  std::vector<std::string> initial_archs;
  // rl (REINFORCE, search/rl/reinforce.h): reward, policy and its training.
  RewardOptions reward;
  std::string controller = "factorized";  // factorized | lstm
  std::int64_t lstm_hidden = 32;          // lstm: hidden and embedding size
  double learning_rate = 0.5;             // Adam's step size
  double entropy_weight = 0.0;            // bonus on the policy's entropy (in reward units)
  double baseline_decay = 0.9;            // moving-average baseline: b = d*b + (1-d)*mean reward
  // Risk-seeking policy gradient: reinforce only each batch's best fraction
  // epsilon, against its (1 - epsilon)-quantile; 0 = plain REINFORCE.
  double risk_epsilon = 0.1;
  SurrogateOptions surrogate;             // surrogate
};

// `"farm": {...}`: latency measured by runner processes through a broker.
// With "bind", `nas run` serves its own broker and (local_runner) starts a
// runner on this machine's CPU; with "connect", it uses a `nas broker` that
// boards have joined.
struct FarmOptions {
  bool enabled = false;             // the section is present
  std::string bind;                 // embedded broker's address; port 0 = any free port
  std::string connect;              // an external broker instead
  bool local_runner = true;         // with bind: start `nas runner --device <devices[0]>`
  // With local_runner: the command backend with this pipeline file (e.g.
  // configs/runners/cpu-onnxruntime.json, which runs int8 too) instead of
  // the torch backend. "" = torch.
  std::string local_pipeline;
  // Device keys ("device": one, or "devices": several); each gives metrics
  // "<key>_ms" and "<key>_mj".
  std::vector<std::string> devices = {"cpu"};
  double deadline_seconds = 300;    // per measurement, from dispatch
  double wait_seconds = 3600;       // per measurement, queueing included
  std::string broker_key;           // CURVE: the broker's public key file
  std::string keys;                 // CURVE: this search's .key_secret file
};

// `"screening": [{"metric": "raspi4_ms", "budget": 100}]`: predictor-screened
// measuring (estimators/screened_evaluator.h) of an expensive objective, one
// entry per device metric. A candidate's value of the metric is measured
// only while the budget lasts and only when its prediction could enter the
// front of measured candidates; otherwise it is predicted and stored as such.
// Front members with predicted values are measured before the run ends.
struct ScreeningConfig {
  std::string metric;        // an objective's metric
  std::int64_t budget = 100; // measurements of the metric during the search
  std::int64_t warmup = 20;  // the first requests are always measured (>= 10)
  double explore = 1.0;      // optimism, in predicted standard deviations
};

struct RunConfig {
  std::string name;        // run name; default: the config file's stem
  std::uint64_t seed = 0;  // seeds every generator of the run
  std::string store;       // SQLite file; default: results/<name>.db
  SpaceOptions space;
  EvaluatorOptions evaluator;
  std::vector<Objective> objectives;  // 1 or more, distinct metrics
  std::vector<Constraint> constraints;
  SearchOptions search;
  SupernetOptions supernet;  // enabled for the mbv3 space
  FarmOptions farm;
  std::vector<ScreeningConfig> screening;

  nlohmann::json document;  // the file as parsed, stored with the run
  std::string hash;         // stable hash of `document` (keys sorted, compact)
};

// Reads and validates a configuration file. Throws ConfigError; a file that
// cannot be read is a ConfigError at "<path>".
RunConfig load_config(const std::string& path);

// Validates an already parsed document. `default_name` is used when the
// document has no "name".
RunConfig parse_config(const nlohmann::json& document, const std::string& default_name);

}  // namespace nas
