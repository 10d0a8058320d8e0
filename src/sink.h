// Stage 5 of the data path (sink): JSON lines to a file descriptor (stdout).
//
// Contract: the encoder writes each line straight into buffer(), then calls
// EndLine(). Lines are kept while more input is ready and written out by
// Flush(), which the event loop calls whenever it is about to wait, so no line
// ever sits in memory while tetrars sleeps; the buffer is also flushed when it
// passes 64 KiB. Writes block: a slow reader slows tetrars and, through the
// socket, the agent, instead of growing memory. A failed write (EPIPE when the
// reader went away, ENOSPC, ...) is kept in error() and nothing more is written.
#pragma once

#include <string>

namespace tetrars {

class Sink {
 public:
  explicit Sink(int fd) : fd_(fd) {}

  std::string& buffer() { return buffer_; }
  // Ends the line just encoded; flushes when the buffer is large.
  bool EndLine();
  // Writes everything buffered; false once a write failed.
  bool Flush();
  const std::string& error() const { return error_; }

 private:
  static constexpr size_t kFlushAt = 64 * 1024;
  int fd_;
  std::string buffer_;
  std::string error_;
};

}  // namespace tetrars
