// The store's record of the supernet's training (schema version 4).
#include <chrono>

#include "core/errors.h"
#include "results/sqlite.h"
#include "results/store.h"

namespace nas {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

void Store::record_training(std::int64_t run_id, std::int64_t session_id,
                            const TrainProgress& p) {
  require_writable("record training progress");
  sqlite::Transaction transaction(database());
  const double now = now_seconds();
  {
    auto& touch = statement("UPDATE sessions SET updated_at = ? WHERE id = ? AND run_id = ?");
    sqlite::ResetOnExit reset(touch);
    touch.bind(1, now).bind(2, session_id).bind(3, run_id);
    touch.run();
    if (database().changes() != 1) {
      throw UsageError("store " + path() + ": run " + std::to_string(run_id) +
                       " has no session " + std::to_string(session_id));
    }
  }
  auto& insert = statement(
      "INSERT INTO training (run_id, session_id, epoch, epochs, step, steps, images_done,"
      " images_total, images_resumed, loss, loss_largest, loss_smallest, learning_rate,"
      " images_per_second, epoch_end, val_acc_largest, val_acc_smallest, recorded_at)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  sqlite::ResetOnExit reset(insert);
  insert.bind(1, run_id).bind(2, session_id).bind(3, p.epoch).bind(4, p.epochs).bind(5, p.step)
      .bind(6, p.steps).bind(7, p.images_done).bind(8, p.images_total).bind(9, p.images_resumed)
      .bind(10, p.loss).bind(11, p.loss_largest).bind(12, p.loss_smallest)
      .bind(13, p.learning_rate).bind(14, p.images_per_second)
      .bind(15, static_cast<std::int64_t>(p.epoch_end ? 1 : 0)).bind(16, p.val_acc_largest)
      .bind(17, p.val_acc_smallest).bind(18, now);
  insert.run();
  transaction.commit();
}

std::vector<TrainProgress> Store::training(std::int64_t run_id) const {
  std::vector<TrainProgress> out;
  if (schema_version() < 4) return out;
  auto& query = statement(
      "SELECT epoch, epochs, step, steps, images_done, images_total, images_resumed, loss,"
      " loss_largest, loss_smallest, learning_rate, images_per_second, epoch_end,"
      " val_acc_largest, val_acc_smallest FROM training WHERE run_id = ? ORDER BY id");
  sqlite::ResetOnExit reset(query);
  query.bind(1, run_id);
  while (query.step()) {
    TrainProgress p;
    p.epoch = query.column_int64(0);
    p.epochs = query.column_int64(1);
    p.step = query.column_int64(2);
    p.steps = query.column_int64(3);
    p.images_done = query.column_int64(4);
    p.images_total = query.column_int64(5);
    p.images_resumed = query.column_int64(6);
    p.loss = query.column_double(7);
    p.loss_largest = query.column_double(8);
    p.loss_smallest = query.column_double(9);
    p.learning_rate = query.column_double(10);
    p.images_per_second = query.column_double(11);
    p.epoch_end = query.column_int64(12) != 0;
    p.val_acc_largest = query.column_optional_double(13);
    p.val_acc_smallest = query.column_optional_double(14);
    out.push_back(p);
  }
  return out;
}

}  // namespace nas
