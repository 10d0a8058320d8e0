// What systemd sees of tetrars: its notify protocol (sd_notify(3)), spoken
// directly as datagrams on $NOTIFY_SOCKET, so the default job neither links
// nor loads libsystemd.
//
// Contract:
//   - Outside systemd (no $NOTIFY_SOCKET) every call is a no-op and
//     Deadline() is never: no socket, no timer, no wake-up.
//   - Ready(): READY=1, once the options are read and the output is open
//     (before the agent is reached: a host whose agent is down still starts
//     the unit). Reloading() / Stopping(): RELOADING=1 / STOPPING=1.
//   - Status(): the state in a sysadmin's words. Sent when it changes, at most
//     once a second (a changed status waits for Deadline(), then Tick()).
//   - The watchdog: with $WATCHDOG_USEC (for this process, $WATCHDOG_PID),
//     WATCHDOG=1 at half the period, sent by Tick() from the event loop
//     itself, so a loop that stops turning stops the pings and systemd
//     restarts tetrars.
//   - The variables are taken out of the environment, so that nothing
//     tetrars starts (the --resolve-users helper thread starts nothing, but
//     NSS modules might) talks to systemd in its name.
// A send that fails (systemd gone, socket full) is dropped: the protocol is
// advisory, and tetrars' job does not depend on it.
#pragma once

#include <chrono>
#include <string>

namespace tetrars {

class Notifier {
 public:
  using Clock = std::chrono::steady_clock;

  // From $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID (then unset).
  static Notifier FromEnvironment();
  // A notifier that sends to `socket_path` ('@' first: abstract), with a
  // watchdog period of `watchdog` (0: none). For tests.
  Notifier(const std::string& socket_path, std::chrono::microseconds watchdog);
  Notifier() = default;
  ~Notifier();
  Notifier(Notifier&& other) noexcept;
  Notifier& operator=(Notifier&& other) noexcept;
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  bool enabled() const { return fd_ >= 0; }
  bool watchdog_enabled() const { return enabled() && watchdog_.count() > 0; }

  void Ready(const std::string& status);
  void Reloading(const std::string& status);
  void Stopping(const std::string& status);
  // The status to show; sent now when the last one is a second old, else at
  // Deadline().
  void Status(const std::string& status);
  // When Tick() has something to send: a ping or a held status (max: never).
  Clock::time_point Deadline() const;
  // Sends what is due at `now`.
  void Tick(Clock::time_point now);

 private:
  // One datagram; false when it could not be sent.
  bool Send(const std::string& message);
  // READY=1, RELOADING=1 or STOPPING=1 with the status, at once.
  void SendState(const char* state, const std::string& status);
  void SendStatus(Clock::time_point now);

  int fd_ = -1;
  std::chrono::microseconds watchdog_{0};
  Clock::time_point next_ping_ = Clock::time_point::max();
  std::string status_;       // the newest status
  std::string status_sent_;  // the last one sent
  Clock::time_point status_sent_at_{};
};

}  // namespace tetrars
