#include "sink.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace tetrars {

bool Sink::EndLine() {
  if (!error_.empty()) {  // output is gone: this line is lost too
    ++lines_lost_;
    buffer_.clear();
    return false;
  }
  buffer_ += '\n';
  return buffer_.size() < kFlushAt || Flush();
}

size_t Sink::pending_lines() const {
  return size_t(std::count(buffer_.begin() + ptrdiff_t(written_), buffer_.end(), '\n'));
}

void Sink::Advance(size_t bytes) {
  const char* from = buffer_.data() + written_;
  lines_written_ += uint64_t(std::count(from, from + bytes, '\n'));
  written_ += bytes;
}

bool Sink::Failed(int err) {
  error_ = std::strerror(err);
  lines_lost_ += pending_lines();
  buffer_.clear();
  written_ = 0;
  return false;
}

void Sink::Compact() {
  if (written_ == buffer_.size()) {
    buffer_.clear();
    written_ = 0;
    if (buffer_.capacity() > 4 * kFlushAt) buffer_.shrink_to_fit();  // after one huge event
  }
}

bool Sink::Flush() {
  if (!error_.empty()) return false;
  while (pending() > 0) {
    if (yield_ && yield_()) return true;
    sigset_t previous;
    if (interrupt_mask_) sigprocmask(SIG_SETMASK, interrupt_mask_, &previous);
    const ssize_t n = write(fd_, buffer_.data() + written_, pending());
    const int err = errno;
    if (interrupt_mask_) sigprocmask(SIG_SETMASK, &previous, nullptr);
    if (n > 0) {
      Advance(size_t(n));
    } else if (n < 0 && err == EINTR) {
      continue;  // yield() decides whether to go on
    } else if (n < 0 && (err == EAGAIN || err == EWOULDBLOCK)) {
      // Someone made our stdout non-blocking: wait until it drains. A signal
      // taken during the write must not be slept through.
      if (yield_ && yield_()) return true;
      pollfd p{fd_, POLLOUT, 0};
      if (interrupt_mask_) {
        ppoll(&p, 1, nullptr, interrupt_mask_);
      } else {
        poll(&p, 1, -1);
      }
    } else {
      return Failed(n < 0 ? err : EIO);
    }
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
    // Writable means room for at least one page: write no more, so we never block.
    const size_t chunk = std::min<size_t>(pending(), 4096);
    ssize_t n = send(fd_, buffer_.data() + written_, chunk, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = write(fd_, buffer_.data() + written_, chunk);
    if (n > 0) {
      Advance(size_t(n));
    } else if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
      return Failed(errno);
    }
  }
  Compact();
  return true;
}

}  // namespace tetrars
