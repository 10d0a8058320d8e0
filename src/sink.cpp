#include "sink.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tetrars {

bool Sink::EndLine() {
  buffer_ += '\n';
  return buffer_.size() < kFlushAt || Flush();
}

bool Sink::Flush() {
  if (!error_.empty()) return false;
  size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n > 0) {
      done += size_t(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Someone made our stdout non-blocking: wait until it drains.
      pollfd p{fd_, POLLOUT, 0};
      poll(&p, 1, -1);
    } else {
      error_ = n < 0 ? std::strerror(errno) : "write returned 0";
      buffer_.clear();
      return false;
    }
  }
  buffer_.clear();
  if (buffer_.capacity() > 4 * kFlushAt) buffer_.shrink_to_fit();  // after one huge event
  return true;
}

}  // namespace tetrars
