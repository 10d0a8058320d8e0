// User names for --resolve-users, from the host's user database (NSS:
// /etc/passwd, LDAP, sssd, ...), without ever stalling the event stream.
//
// Contract: Name(uid) answers from a bounded cache (names kept 10 minutes,
// "no such user" 1 minute, at most `capacity` entries). A uid not in the cache
// is looked up by one worker thread, started on the first miss, and Name()
// waits for the answer at most `wait`, and only when the worker is free: a
// slower directory service makes this event go without the name (nullopt,
// and slow_lookups() counts it) while the lookup goes on, and later events get
// the name from the cache. While a lookup is stuck, no event waits at all (a
// hung LDAP costs one wait, not one per event); at most `capacity` uids wait
// in the queue. The worker blocks every signal, so signals reach the loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace tetrars {

class UserNames {
 public:
  // The name of a uid, nullopt when there is no such user (or the database
  // failed). Default: getpwuid_r().
  using Lookup = std::function<std::optional<std::string>(uint32_t uid)>;

  explicit UserNames(std::chrono::milliseconds wait = std::chrono::milliseconds(5),
                     size_t capacity = 4096, Lookup lookup = nullptr);
  ~UserNames();
  UserNames(const UserNames&) = delete;
  UserNames& operator=(const UserNames&) = delete;

  std::optional<std::string> Name(uint32_t uid);
  uint64_t slow_lookups() const { return slow_lookups_; }
  uint64_t waits() const { return waits_; }  // times Name() waited for the worker

  static std::optional<std::string> SystemLookup(uint32_t uid);

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;  // shared with the worker, which may outlive us
  std::chrono::milliseconds wait_;
  uint64_t slow_lookups_ = 0;
  uint64_t waits_ = 0;
};

}  // namespace tetrars
