// The machine-readable reports: CSV (one line per front member) and JSON.
#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/metric.h"
#include "results/report_renderers.h"
#include "results/run_summary_json.h"

namespace nas::report {
namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string csv_number(double value) { return nlohmann::json(value).dump(); }

std::string csv_measurements(const RunReport& r) {
  std::string out;
  for (const DeviceMeasurements& m : r.measurements) {
    out += (out.empty() ? "" : ";") + m.device + ":" + std::to_string(m.count);
  }
  return out;
}

// "raspi4:40/33/0;pixel3(table):..." : measured during the search / to
// confirm the front / wasted on failures, per device.
std::string csv_spend(const RunReport& r) {
  std::string out;
  for (const DeviceSpend& d : r.spend) {
    out += (out.empty() ? "" : ";") + d.device + (d.from_table ? "(table)" : "") + ":" +
           std::to_string(d.search) + "/" + std::to_string(d.confirmations) + "/" +
           std::to_string(d.failed);
  }
  return out;
}

nlohmann::json json_evaluation(const Cell& cell) {
  if (!cell) return nullptr;
  const Evaluation& e = *cell;
  nlohmann::json j = {{"value", e.value ? nlohmann::json(*e.value) : nlohmann::json(nullptr)},
                      {"source", to_string(e.key.source)},
                      {"device", e.key.device},
                      {"fidelity", e.key.fidelity}};
  if (!e.note.empty()) j["note"] = e.note;
  if (const auto& m = e.measurement) {
    j["measurement"] = {{"device", m->device},       {"backend", m->backend},
                        {"protocol", m->protocol},   {"runner", m->runner},
                        {"batch", m->batch},         {"threads", m->threads},
                        {"median_ms", m->median_ms}, {"p90_ms", m->p90_ms},
                        {"mean_ms", m->mean_ms},     {"std_ms", m->std_ms},
                        {"min_ms", m->min_ms},       {"measured_at", m->measured_at},
                        {"environment", m->environment}};
    // What the tool did not report is absent, as energy is.
    for (const char* field : {"p90_ms", "mean_ms", "std_ms", "min_ms"}) {
      if (!m->reported(field)) j["measurement"].erase(field);
    }
    // Energy only where a meter measured it: absent, never zero.
    if (m->energy_mj) j["measurement"]["energy_mj"] = *m->energy_mj;
    if (m->idle_watts) j["measurement"]["idle_watts"] = *m->idle_watts;
    if (m->active_watts) j["measurement"]["active_watts"] = *m->active_watts;
  }
  return j;
}

}  // namespace

std::string render_csv(const std::vector<RunReport>& runs) {
  const std::vector<std::string> metrics = all_metrics(runs);
  std::vector<std::string> header = {"store", "run_id", "run_name", "position", "arch_id", "arch",
                                     "macs", "params"};
  for (const std::string& m : metrics) {
    header.push_back(m);
    header.push_back(m + "_source");
    if (parse_metric(m).kind == MetricKind::kLatency) {
      header.push_back(m + "_std");
      header.push_back(m + "_p90");
    }
  }
  for (const char* column :
       {"status", "strategy", "seed", "queries", "evaluator_calls", "cache_hits", "excluded",
        "steps", "wall_seconds", "supernet_seconds", "supernet_device", "measurements",
        "device_values_search_confirm_wasted", "code_version"}) {
    header.push_back(column);
  }

  std::ostringstream out;
  auto line = [&out](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << csv_field(cells[i]);
    out << "\r\n";  // RFC 4180
  };
  line(header);
  for (const RunReport& r : runs) {
    const RunSummary& s = r.summary;
    const std::vector<std::string> tail = {
        s.status, s.strategy, std::to_string(s.seed), std::to_string(s.queries),
        std::to_string(s.evaluator_calls), std::to_string(s.cache_hits),
        std::to_string(r.excluded), std::to_string(s.steps), csv_number(s.wall_seconds),
        s.supernet_seconds ? csv_number(*s.supernet_seconds) : "", s.supernet_device,
        csv_measurements(r), csv_spend(r), s.code_version};
    auto emit = [&](const FrontRow* row) {
      std::vector<std::string> cells = {r.store, std::to_string(s.id), s.name};
      cells.push_back(row ? std::to_string(row->position) : "");
      cells.push_back(row ? row->arch_id : "");
      cells.push_back(row ? row->full_label : "");
      cells.push_back(row && row->macs ? csv_number(*row->macs) : "");
      cells.push_back(row && row->params ? csv_number(*row->params) : "");
      for (const std::string& m : metrics) {
        std::string value, source, spread, p90;
        for (std::size_t i = 0; row && i < r.columns.size(); ++i) {
          if (r.columns[i].key() != m || !row->cells[i]) continue;
          const Evaluation& e = *row->cells[i];
          if (e.value) value = csv_number(*e.value);
          source = to_string(e.key.source);
          if (e.measurement && e.value && e.measurement->median_ms == *e.value) {
            if (e.measurement->reported("std_ms")) spread = csv_number(e.measurement->std_ms);
            if (e.measurement->reported("p90_ms")) p90 = csv_number(e.measurement->p90_ms);
          }
        }
        cells.push_back(value);
        cells.push_back(source);
        if (parse_metric(m).kind == MetricKind::kLatency) {
          cells.push_back(spread);
          cells.push_back(p90);
        }
      }
      cells.insert(cells.end(), tail.begin(), tail.end());
      line(cells);
    };
    if (r.front.empty()) emit(nullptr);
    for (const FrontRow& row : r.front) emit(&row);
  }
  return out.str();
}

std::string render_json(const std::vector<RunReport>& runs) {
  nlohmann::json out = {{"runs", nlohmann::json::array()}};
  for (const RunReport& r : runs) {
    const RunSummary& s = r.summary;
    nlohmann::json run = run_identity_json(s);
    run["store"] = r.store;
    run["queries"] = s.queries;
    run["evaluator_calls"] = s.evaluator_calls;
    run["cache_hits"] = s.cache_hits;
    run["excluded"] = r.excluded;
    run["steps"] = s.steps;
    run["sessions"] = s.sessions;
    nlohmann::json cost = {{"wall_seconds", s.wall_seconds},
                           {"measurements", nlohmann::json::object()}};
    if (s.supernet_seconds) {
      cost["supernet_seconds"] = *s.supernet_seconds;
      cost["supernet_device"] = s.supernet_device;
    }
    for (const DeviceMeasurements& m : r.measurements) {
      cost["measurements"][m.device] = {{"count", m.count}, {"with_energy", m.with_energy}};
    }
    // What each device's measured values went to (the summary's "device values").
    cost["device_values"] = nlohmann::json::object();
    for (const DeviceSpend& d : r.spend) {
      cost["device_values"][d.device] = {
          {"search", d.search}, {"confirmations", d.confirmations}, {"wasted", d.failed},
          {"source", d.from_table ? "tabular" : "measured"}};
    }
    run["cost"] = cost;
    run["training_epochs"] = r.training_epochs;  // each epoch's closing report
    if (!r.problem.empty()) {
      run["problem"] = r.problem;
      out["runs"].push_back(run);
      continue;
    }
    run["objectives"] = nlohmann::json::array();
    for (const Column& c : r.columns) {
      nlohmann::json column = {{"metric", c.metric}, {"goal", goal_name(c.goal)},
                               {"device", c.device}};
      if (c.fine_tuned) column["fine_tuned"] = true;
      run["objectives"].push_back(std::move(column));
    }
    run["front"] = nlohmann::json::array();
    for (const FrontRow& row : r.front) {
      nlohmann::json member = {{"position", row.position}, {"arch_id", row.arch_id},
                               {"arch", row.full_label}, {"label", row.label},
                               {"values", nlohmann::json::object()}};
      if (row.macs) member["macs"] = *row.macs;
      if (row.params) member["params"] = *row.params;
      for (std::size_t c = 0; c < r.columns.size(); ++c) {
        member["values"][r.columns[c].key()] = json_evaluation(row.cells[c]);
      }
      for (std::size_t m = 0; m < r.device_metrics.size(); ++m) {
        member["devices"][r.device_metrics[m]] = json_evaluation(row.device_cells[m]);
      }
      run["front"].push_back(std::move(member));
    }
    run["device_fronts"] = nlohmann::json::object();
    for (const DeviceFront& d : r.device_fronts) {
      nlohmann::json ids = nlohmann::json::array();
      for (std::size_t i : d.rows) ids.push_back(r.front[i].arch_id);
      run["device_fronts"][d.device] = ids;
    }
    out["runs"].push_back(std::move(run));
  }
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace nas::report
