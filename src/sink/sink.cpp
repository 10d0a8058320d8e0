#include "sink/sink.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace tetrars {

Sink::Sink(int fd, const sigset_t* interrupt_mask, std::function<bool()> yield)
    : fd_(fd), interrupt_mask_(interrupt_mask), yield_(std::move(yield)) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return;  // the first write reports what is wrong
  if (S_ISSOCK(st.st_mode)) {
    mode_ = Mode::kSocket;
    return;
  }
  if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
    mode_ = Mode::kFile;  // a regular file: writes do not wait, no signals to let through
    return;
  }
  mode_ = Mode::kBlocking;  // unless the pipe, FIFO or terminal can be reopened below
  const int flags = fcntl(fd, F_GETFL);
  if (flags >= 0 && (flags & O_NONBLOCK)) {  // made non-blocking by whoever started us
    mode_ = Mode::kNonBlocking;
    return;
  }
  // Opening the magic link opens the pipe or device anew: a description of
  // our own, whose O_NONBLOCK no other process sees.
  const std::string self = "/proc/self/fd/" + std::to_string(fd);
  const int own = open(self.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY |
                                         (flags >= 0 ? (flags & O_APPEND) : 0));
  if (own < 0) return;  // no /proc: blocking writes with signals let through
  fd_ = own;
  own_fd_ = true;
  mode_ = Mode::kNonBlocking;
}

Sink::~Sink() {
  if (own_fd_) close(fd_);
}

bool Sink::EndLine() {
  if (!error_.empty()) {  // output is gone: this line is lost too
    ++lines_lost_;
    buffer_.clear();
    return false;
  }
  buffer_ += '\n';
  line_ends_.push_back(buffer_.size());
  // A full output is the loop's to wait for (POLLOUT): no write per line.
  return blocked_ || buffer_.size() < kFlushAt || Flush();
}

size_t Sink::pending_lines() const {
  return line_ends_.size() - first_pending_line_;
}

// The lines whose newline is now written count as written: a look at the
// recorded line ends, not at the bytes (counting newlines byte by byte cost
// a fifth of all the instructions per event).
void Sink::Advance(size_t bytes) {
  written_ += bytes;
  while (first_pending_line_ < line_ends_.size() && line_ends_[first_pending_line_] <= written_) {
    ++first_pending_line_;
    ++lines_written_;
  }
}

bool Sink::Failed(int err) {
  error_ = std::strerror(err);
  lines_lost_ += pending_lines();
  buffer_.clear();
  line_ends_.clear();
  first_pending_line_ = 0;
  written_ = 0;
  return false;
}

void Sink::Compact() {
  if (written_ == buffer_.size()) {
    buffer_.clear();
    line_ends_.clear();
    first_pending_line_ = 0;
    written_ = 0;
    if (buffer_.capacity() > 4 * kFlushAt) buffer_.shrink_to_fit();  // after one huge event
  }
}

ssize_t Sink::WriteSome(size_t at_most) {
  const char* from = buffer_.data() + written_;
  while (true) {
    ssize_t n;
    int err;
    if (mode_ == Mode::kSocket) {
      n = send(fd_, from, at_most, MSG_DONTWAIT | MSG_NOSIGNAL);
      err = errno;
    } else if (mode_ == Mode::kBlocking && interrupt_mask_ != nullptr) {
      // The one way left to stay responsive: signals through during the write.
      sigset_t previous;
      sigprocmask(SIG_SETMASK, interrupt_mask_, &previous);
      n = write(fd_, from, at_most);
      err = errno;
      sigprocmask(SIG_SETMASK, &previous, nullptr);
    } else {
      n = write(fd_, from, at_most);
      err = errno;
    }
    if (n > 0) return n;
    if (n == 0) err = EIO;
    if (err == EAGAIN || err == EWOULDBLOCK) return 0;
    if (err == EINTR) {
      if (yield_ && yield_()) return 0;  // a stop or SIGUSR1 to see to first
      continue;
    }
    Failed(err);
    return -1;
  }
}

bool Sink::Flush() {
  if (!error_.empty()) return false;
  blocked_ = false;
  while (pending() > 0) {
    const ssize_t n = WriteSome(pending());
    if (n < 0) return false;
    if (n == 0) {
      // Full (or interrupted in a blocking write): the loop waits for room,
      // or sees to the signal, and calls again.
      blocked_ = true;
      return true;
    }
    Advance(size_t(n));
  }
  Compact();
  return true;
}

bool Sink::FlushWithin(int budget_ms) {
  if (!error_.empty()) return false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(budget_ms);
  while (pending() > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLOUT, 0};
    if (poll(&p, 1, int(left.count())) <= 0) continue;
    if (p.revents & (POLLERR | POLLHUP)) return Failed(EPIPE);
    // Writable means room for at least one page: a blocking write of no more
    // than that cannot block; a non-blocking one may take it all.
    const size_t chunk = mode_ == Mode::kBlocking ? std::min<size_t>(pending(), 4096) : pending();
    const sigset_t* mask = interrupt_mask_;
    interrupt_mask_ = nullptr;  // no signals now: the budget bounds the wait
    const ssize_t n = WriteSome(chunk);
    interrupt_mask_ = mask;
    if (n < 0) return false;
    Advance(size_t(n));
  }
  Compact();
  return true;
}

}  // namespace tetrars
