#include "daemon/notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace tetrars {
namespace {

constexpr auto kStatusInterval = std::chrono::seconds(1);

// $NAME as an unsigned number, or 0 when unset or not a number.
unsigned long long NumberFromEnvironment(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text < '0' || *text > '9') return 0;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  return *end == '\0' ? value : 0;
}

}  // namespace

Notifier Notifier::FromEnvironment() {
  const char* socket_path = std::getenv("NOTIFY_SOCKET");
  std::chrono::microseconds watchdog{0};
  const unsigned long long watchdog_pid = NumberFromEnvironment("WATCHDOG_PID");
  if (watchdog_pid == 0 || watchdog_pid == static_cast<unsigned long long>(getpid())) {
    watchdog = std::chrono::microseconds(NumberFromEnvironment("WATCHDOG_USEC"));
  }
  Notifier notifier(socket_path ? socket_path : "", watchdog);
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
  return notifier;
}

Notifier::Notifier(const std::string& socket_path, std::chrono::microseconds watchdog) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  // A path ('/...') or an abstract name ('@...', a NUL byte on the wire).
  if (socket_path.size() < 2 || socket_path.size() >= sizeof(address.sun_path) ||
      (socket_path[0] != '/' && socket_path[0] != '@')) {
    return;
  }
  std::memcpy(address.sun_path, socket_path.data(), socket_path.size());
  if (socket_path[0] == '@') address.sun_path[0] = '\0';
  const socklen_t length = socklen_t(offsetof(sockaddr_un, sun_path) + socket_path.size() +
                                     (socket_path[0] == '/' ? 1 : 0));
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    close(fd);
    return;
  }
  fd_ = fd;
  watchdog_ = watchdog;
  if (watchdog_.count() > 0) next_ping_ = Clock::now() + watchdog_ / 2;
}

Notifier::~Notifier() {
  if (fd_ >= 0) close(fd_);
}

Notifier::Notifier(Notifier&& other) noexcept {
  *this = std::move(other);
}

Notifier& Notifier::operator=(Notifier&& other) noexcept {
  if (this == &other) return *this;
  if (fd_ >= 0) close(fd_);
  fd_ = std::exchange(other.fd_, -1);
  watchdog_ = other.watchdog_;
  next_ping_ = other.next_ping_;
  status_ = std::move(other.status_);
  status_sent_ = std::move(other.status_sent_);
  status_sent_at_ = other.status_sent_at_;
  return *this;
}

bool Notifier::Send(const std::string& message) {
  if (fd_ < 0) return false;
  return send(fd_, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT) ==
         ssize_t(message.size());
}

void Notifier::Ready(const std::string& status) {
  SendState("READY=1", status);
}

void Notifier::Reloading(const std::string& status) {
  SendState("RELOADING=1", status);
}

void Notifier::Stopping(const std::string& status) {
  SendState("STOPPING=1", status);
}

void Notifier::SendState(const char* state, const std::string& status) {
  status_ = status;
  if (Send(std::string(state) + "\nSTATUS=" + status)) {
    status_sent_ = status;
    status_sent_at_ = Clock::now();
  }
}

void Notifier::Status(const std::string& status) {
  if (fd_ < 0 || status == status_) return;
  status_ = status;
  const auto now = Clock::now();
  if (now - status_sent_at_ >= kStatusInterval) SendStatus(now);
}

void Notifier::SendStatus(Clock::time_point now) {
  // Sent or not, the next try is a second away: a full socket is not retried
  // in a loop, and a lost status is replaced by the next (advisory).
  status_sent_at_ = now;
  Send("STATUS=" + status_);
  status_sent_ = status_;
}

Notifier::Clock::time_point Notifier::Deadline() const {
  if (fd_ < 0) return Clock::time_point::max();
  Clock::time_point deadline = next_ping_;
  if (status_ != status_sent_) deadline = std::min(deadline, status_sent_at_ + kStatusInterval);
  return deadline;
}

void Notifier::Tick(Clock::time_point now) {
  if (fd_ < 0) return;
  if (now >= next_ping_) {
    Send("WATCHDOG=1");
    next_ping_ = now + watchdog_ / 2;
  }
  if (status_ != status_sent_ && now - status_sent_at_ >= kStatusInterval) SendStatus(now);
}

}  // namespace tetrars
