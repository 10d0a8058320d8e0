#include "encode/user_names.h"

#include <pthread.h>
#include <pwd.h>

#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace tetrars {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kKeepName = std::chrono::minutes(10);
constexpr auto kKeepNoSuchUser = std::chrono::minutes(1);

struct Entry {
  std::optional<std::string> name;
  Clock::time_point expires;
};

}  // namespace

struct UserNames::Shared {
  std::mutex mutex;
  std::condition_variable answered;  // the worker stored an answer
  std::condition_variable asked;     // a uid was queued, or stop
  std::unordered_map<uint32_t, Entry> cache;
  std::deque<uint32_t> queue;
  std::unordered_set<uint32_t> queued;  // queued or being looked up
  size_t capacity;
  Lookup lookup;
  bool worker_started = false;
  bool busy = false;  // the worker is inside a lookup
  bool stop = false;

  void Store(uint32_t uid, std::optional<std::string> name) {
    const auto now = Clock::now();
    if (cache.size() >= capacity) {
      // Bounded: drop what expired; if that is not enough, start over.
      std::erase_if(cache, [now](const auto& item) { return item.second.expires <= now; });
      if (cache.size() >= capacity) cache.clear();
    }
    const auto keep = name ? Clock::duration(kKeepName) : Clock::duration(kKeepNoSuchUser);
    cache[uid] = Entry{std::move(name), now + keep};
  }

  static void Work(std::shared_ptr<Shared> shared) {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);  // signals are the event loop's
    std::unique_lock lock(shared->mutex);
    while (true) {
      shared->asked.wait(lock, [&] { return shared->stop || !shared->queue.empty(); });
      if (shared->stop) return;
      const uint32_t uid = shared->queue.front();
      shared->queue.pop_front();
      shared->busy = true;
      lock.unlock();
      std::optional<std::string> name = shared->lookup(uid);  // may take long: unlocked
      lock.lock();
      shared->busy = false;
      shared->Store(uid, std::move(name));
      shared->queued.erase(uid);
      shared->answered.notify_all();
    }
  }
};

UserNames::UserNames(std::chrono::milliseconds wait, size_t capacity, Lookup lookup)
    : shared_(std::make_shared<Shared>()), wait_(wait) {
  shared_->capacity = capacity;
  shared_->lookup = lookup ? std::move(lookup) : Lookup(SystemLookup);
}

UserNames::~UserNames() {
  std::lock_guard lock(shared_->mutex);
  shared_->stop = true;
  shared_->asked.notify_all();
  // The worker is detached: a lookup stuck in a dead directory service must
  // not keep tetrars from exiting. It holds its own reference to the state.
}

std::optional<std::string> UserNames::Name(uint32_t uid) {
  Shared& shared = *shared_;
  std::unique_lock lock(shared.mutex);
  const auto cached = [&]() -> const Entry* {
    const auto it = shared.cache.find(uid);
    return it != shared.cache.end() && it->second.expires > Clock::now() ? &it->second : nullptr;
  };
  if (const Entry* entry = cached()) return entry->name;
  // Wait only for a fresh lookup that the worker can start now: a uid already
  // asked for, or a worker still stuck on an earlier lookup, means the
  // directory is slow, and waiting on every event would stall the stream.
  const bool fresh = shared.queued.count(uid) == 0;
  const bool worker_free = shared.queue.empty() && !shared.busy;
  if (fresh && shared.queue.size() < shared.capacity) {
    shared.queued.insert(uid);
    shared.queue.push_back(uid);
    if (!shared.worker_started) {
      shared.worker_started = true;
      std::thread(Shared::Work, shared_).detach();
    }
    shared.asked.notify_one();
  }
  if (fresh && worker_free) {
    ++waits_;
    if (shared.answered.wait_for(lock, wait_, [&] { return cached() != nullptr; })) {
      return cached()->name;
    }
  }
  ++slow_lookups_;
  return std::nullopt;
}

std::optional<std::string> UserNames::SystemLookup(uint32_t uid) {
  std::vector<char> buffer(1024);
  while (true) {
    passwd entry;
    passwd* found = nullptr;
    const int rc = getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0 || found == nullptr) return std::nullopt;
    return std::string(found->pw_name);
  }
}

}  // namespace tetrars
