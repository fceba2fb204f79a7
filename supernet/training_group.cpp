#include "supernet/training_group.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "core/errors.h"
#include "supernet/library_errors.h"

namespace nas {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds milliseconds(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

std::vector<std::uint8_t> bytes_of(const std::string& text) {
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

std::string list_ranks(const std::vector<int>& ranks) {
  std::string out;
  for (int r : ranks) out += (out.empty() ? "" : ", ") + std::to_string(r);
  return (ranks.size() == 1 ? "rank " : "ranks ") + out;
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// The network device Gloo binds: GLOO_SOCKET_IFNAME as in PyTorch, loopback
// for local ranks, else the address this host's name resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const std::string& master) {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  }
  if (is_loopback(master)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// The sum over ranks as an autograd function: each rank's loss depends on
// every rank's statistics, so the gradient of the sum is summed too.
class AllReduceSum : public torch::autograd::Function<AllReduceSum> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& x,
                               TrainingGroup* group) {
    context->saved_data["group"] = reinterpret_cast<std::int64_t>(group);
    torch::Tensor sum = x.clone().contiguous();
    group->all_reduce_sum(sum);
    return sum;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                 torch::autograd::variable_list grads) {
    auto* group = reinterpret_cast<TrainingGroup*>(context->saved_data["group"].toInt());
    torch::Tensor sum = grads[0].clone().contiguous();
    group->all_reduce_sum(sum);
    return {sum, torch::Tensor()};
  }
};

}  // namespace

struct TrainingGroup::Impl {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  std::string rendezvous;  // "host:port", for messages
  std::string who;         // "training rank R", for messages
  bool failed = false;     // a collective failed: leave without goodbyes

  // After a failed collective: which ranks answer a roll call through the
  // rendezvous within a few seconds. Rank 0 hosts it, so an unreachable
  // rendezvous means rank 0 is lost.
  std::string lost_ranks(int rank, int size) {
    try {
      store->set("nas/roll-call/" + std::to_string(rank), bytes_of("here"));
      std::vector<int> silent;
      const auto deadline = Clock::now() + std::chrono::seconds(3);
      do {
        silent.clear();
        for (int r = 0; r < size; ++r) {
          if (!store->check({"nas/roll-call/" + std::to_string(r)})) silent.push_back(r);
        }
        if (silent.empty()) return "";
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      } while (Clock::now() < deadline);
      return list_ranks(silent) + " lost (no answer to a roll call)";
    } catch (const std::exception&) {
      return "rank 0 lost (the rendezvous it hosts at " + rendezvous + " does not answer)";
    }
  }
};

TrainingGroup::TrainingGroup(const TrainingRank& rank, const std::function<void(int)>& listening)
    : rank_(rank), impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.who = "training rank " + std::to_string(rank.rank) + " of " + std::to_string(rank.world_size);
  const auto timeout = milliseconds(rank.timeout_seconds);
  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(rank.master_port);
  options.isServer = rank.rank == 0;
  options.numWorkers = static_cast<std::size_t>(rank.world_size);
  options.waitWorkers = false;  // the roll below names who is missing
  options.timeout = timeout;
  s.rendezvous = rank.master_addr + ":" + std::to_string(rank.master_port);
  try {
    s.store = c10::make_intrusive<c10d::TCPStore>(rank.master_addr, options);
  } catch (const std::exception& e) {
    throw Error(s.who + ": cannot " + (options.isServer ? "host" : "reach") + " the rendezvous at " +
                s.rendezvous + ": " + first_line(e.what()));
  }
  s.rendezvous = rank.master_addr + ":" + std::to_string(s.store->getPort());
  if (options.isServer && listening) listening(s.store->getPort());

  // Everyone announces itself, then waits for the others: a rank that never
  // comes is named, not waited for forever.
  try {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    s.store->set("nas/joined/" + std::to_string(rank.rank),
                 bytes_of(std::string(host) + " pid " + std::to_string(::getpid())));
    std::vector<int> missing;
    const auto deadline = Clock::now() + timeout;
    while (true) {
      missing.clear();
      for (int r = 0; r < rank.world_size; ++r) {
        if (!s.store->check({"nas/joined/" + std::to_string(r)})) missing.push_back(r);
      }
      if (missing.empty()) break;
      if (Clock::now() >= deadline) {
        throw Error(s.who + ": " + list_ranks(missing) + " did not join the rendezvous at " +
                    s.rendezvous + " within " + std::to_string(static_cast<int>(rank.timeout_seconds)) +
                    " s (/supernet/training/timeout_seconds)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    auto gloo = c10d::ProcessGroupGloo::Options::create(timeout);
    gloo->devices.push_back(gloo_device(rank.master_addr));
    gloo->threads = 2;
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>("gloo", s.store);
    s.group = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, rank.rank, rank.world_size, gloo);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(s.who + ": cannot join the others through " + s.rendezvous + ": " +
                first_line(e.what()));
  }
}

TrainingGroup::~TrainingGroup() {
  if (!impl_ || impl_->failed) return;
  // Rank 0 hosts the rendezvous: it waits (briefly) until the others have
  // left, so that none loses the store mid-goodbye.
  try {
    impl_->group.reset();
    impl_->store->set("nas/left/" + std::to_string(rank_.rank), bytes_of("1"));
    if (rank_.rank == 0) {
      const auto deadline = Clock::now() + std::chrono::seconds(10);
      for (int r = 1; r < rank_.world_size && Clock::now() < deadline; ++r) {
        while (!impl_->store->check({"nas/left/" + std::to_string(r)}) && Clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
    }
  } catch (const std::exception&) {
    // A rank that failed leaves without goodbyes.
  }
}

void TrainingGroup::all_reduce_sum(torch::Tensor& t) {
  const auto start = Clock::now();
  try {
    std::vector<torch::Tensor> tensors{t};
    impl_->group->allreduce(tensors)->wait();
  } catch (const std::exception& e) {
    impl_->failed = true;
    const std::string lost = impl_->lost_ranks(rank_.rank, rank_.world_size);
    throw Error(impl_->who + ": an all-reduce failed" + (lost.empty() ? "" : ": " + lost) + " (" +
                first_line(e.what()) + "); the last epoch's checkpoint is kept");
  }
  communication_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
}

torch::Tensor TrainingGroup::all_reduce_sum_differentiable(const torch::Tensor& t) {
  return AllReduceSum::apply(t, this);
}

void TrainingGroup::average_gradients(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> grads;
  for (const torch::Tensor& p : params) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  std::size_t first = 0;
  while (first < grads.size()) {
    std::size_t end = first, bytes = 0;
    std::vector<torch::Tensor> flat;
    while (end < grads.size() && grads[end].scalar_type() == grads[first].scalar_type() &&
           (end == first || bytes + grads[end].nbytes() <= kBucketBytes)) {
      bytes += grads[end].nbytes();
      flat.push_back(grads[end].reshape({-1}));
      ++end;
    }
    torch::Tensor bucket = torch::cat(flat);
    all_reduce_sum(bucket);
    bucket.div_(rank_.world_size);
    std::int64_t offset = 0;
    for (std::size_t i = first; i < end; ++i) {
      torch::Tensor& g = grads[i];
      g.copy_(bucket.narrow(0, offset, g.numel()).view(g.sizes()));
      offset += g.numel();
    }
    first = end;
  }
}

std::string TrainingGroup::share_from_rank0(const std::string& key, const std::string& bytes) {
  const std::string name = "nas/share/" + key;
  try {
    if (rank_.rank == 0) {
      impl_->store->set(name, bytes_of(bytes));
      return bytes;
    }
    const std::vector<std::uint8_t> value = impl_->store->get(name);
    return std::string(value.begin(), value.end());
  } catch (const std::exception& e) {
    throw Error(impl_->who + ": cannot share " + key + " through " + impl_->rendezvous + ": " +
                first_line(e.what()));
  }
}

}  // namespace nas
