#include "results/measured_values.h"

#include "results/sqlite.h"
#include "results/store.h"

namespace nas {

std::vector<MeasuredValue> measured_values(const std::string& store_path,
                                           const std::string& metric, const std::string& device) {
  const std::unique_ptr<sqlite::Database> db = Store::connect(store_path, StoreMode::kReadOnly);
  sqlite::Statement query(
      *db,
      "SELECT e.arch_id, a.space, a.canonical_json, e.fidelity, e.value, e.run_id"
      " FROM evaluations e JOIN archs a ON a.id = e.arch_id"
      " WHERE e.metric = ? AND e.device = ? AND e.source = 'measured' AND e.value IS NOT NULL"
      " ORDER BY e.id");
  query.bind(1, metric).bind(2, device);
  std::vector<MeasuredValue> out;
  while (query.step()) {
    MeasuredValue v;
    v.arch_id = query.column_text(0);
    v.space = query.column_text(1);
    v.canonical_json = query.column_text(2);
    v.fidelity = query.column_text(3);
    v.value = query.column_double(4);
    v.run_id = query.column_optional_int64(5);
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace nas
