// The store's façade: each call forwards to the connection opened by
// store_opening.cpp, the reads of store_reader.cpp or the writes of
// store_writer.cpp.
#include "results/store.h"

#include <chrono>

#include "results/sqlite.h"
#include "results/store_connection.h"
#include "results/store_opening.h"
#include "results/store_reader.h"
#include "results/store_writer.h"

namespace nas {

double unix_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

struct Store::Impl {
  explicit Impl(std::unique_ptr<StoreConnection> c)
      : connection(std::move(c)), reader(*connection), writer(*connection, reader) {}

  std::unique_ptr<StoreConnection> connection;
  StoreReader reader;
  StoreWriter writer;
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Store Store::open(const std::string& path, StoreMode mode) {
  return Store(std::make_unique<Impl>(open_store_file(path, mode)));
}

std::unique_ptr<sqlite::Database> Store::connect(const std::string& path, StoreMode mode) {
  return connect_store_file(path, mode);
}

const std::string& Store::path() const { return impl_->connection->path(); }
StoreMode Store::mode() const { return impl_->connection->mode(); }
int Store::schema_version() const { return impl_->connection->schema_version(); }

void Store::require_writable(const char* what) const {
  impl_->connection->require_writable(what);
}

// ------------------------------------------------------------ the run side

std::int64_t Store::begin_run(const RunInfo& info) { return impl_->writer.begin_run(info); }

std::optional<ResumableRun> Store::find_resumable_run(const std::string& name) const {
  return impl_->reader.find_resumable_run(name);
}

std::int64_t Store::begin_session(std::int64_t run_id) {
  return impl_->writer.begin_session(run_id);
}

void Store::finish_run(std::int64_t run_id) { impl_->writer.finish_run(run_id); }

void Store::record_supernet(std::int64_t run_id, double seconds, const std::string& device) {
  impl_->writer.record_supernet(run_id, seconds, device);
}

std::int64_t Store::record_finetuned(std::int64_t run_id, const std::string& arch_id,
                                    const std::vector<Evaluation>& values) {
  return impl_->writer.record_finetuned(run_id, arch_id, values);
}

void Store::record_training(std::int64_t run_id, std::int64_t session_id,
                            const TrainProgress& progress) {
  impl_->writer.record_training(run_id, session_id, progress);
}

void Store::write_front(std::int64_t run_id, const std::vector<std::string>& arch_ids) {
  impl_->writer.write_front(run_id, arch_ids);
}

// ------------------------------------------------------------ the journal's side

std::optional<std::int64_t> Store::session_run(std::int64_t session_id) const {
  return impl_->reader.session_run(session_id);
}

void Store::record_evaluations(std::int64_t run_id, std::int64_t session_id,
                               const SearchSpace& space, const Arch& arch,
                               const std::vector<Evaluation>& fresh) {
  impl_->writer.record_evaluations(run_id, session_id, space, arch, fresh);
}

void Store::write_step(std::int64_t run_id, std::int64_t session_id, const StepRecord& step) {
  impl_->writer.write_step(run_id, session_id, step);
}

std::optional<StepRecord> Store::last_step(std::int64_t run_id) const {
  return impl_->reader.last_step(run_id);
}

// ------------------------------------------------------------ the read side

std::vector<RunSummary> Store::list_runs() const { return impl_->reader.list_runs(); }

std::optional<RunSummary> Store::run(std::int64_t run_id) const {
  return impl_->reader.run(run_id);
}

std::string Store::run_config(std::int64_t run_id) const {
  return impl_->reader.run_config(run_id);
}

std::vector<std::string> Store::front(std::int64_t run_id) const {
  return impl_->reader.front(run_id);
}

std::vector<std::string> Store::queried_archs(std::int64_t run_id) const {
  return impl_->reader.queried_archs(run_id);
}

std::vector<Evaluation> Store::evaluations(const std::string& arch_id) const {
  return impl_->reader.evaluations(arch_id);
}

std::optional<StoredArch> Store::arch(const std::string& arch_id) const {
  return impl_->reader.arch(arch_id);
}

std::vector<DeviceMeasurements> Store::measurement_counts(std::int64_t run_id) const {
  return impl_->reader.measurement_counts(run_id);
}

std::vector<DeviceSpend> Store::measurement_spend(std::int64_t run_id) const {
  return impl_->reader.measurement_spend(run_id);
}

std::optional<std::string> Store::arch_json(const std::string& arch_id) const {
  return impl_->reader.arch_json(arch_id);
}

std::vector<TrainProgress> Store::training(std::int64_t run_id) const {
  return impl_->reader.training(run_id);
}

std::int64_t Store::count_excluded(std::int64_t run_id,
                                   const std::vector<std::string>& metrics) const {
  return impl_->reader.count_excluded(run_id, metrics);
}

}  // namespace nas
