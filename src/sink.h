// Stage 5 of the data path (sink): JSON lines to a file descriptor (stdout).
//
// Contract: the encoder writes each line straight into buffer(), then calls
// EndLine(). Lines are kept while more input is ready and written out by
// Flush(), which the event loop calls whenever it is about to wait, so no line
// ever sits in memory while tetrars sleeps; the buffer is also flushed when it
// passes 64 KiB. Writes block: a slow reader slows tetrars and, through the
// socket, the agent, instead of growing memory. While a write blocks, the
// loop's signals are let through (`interrupt_mask`) and `yield()` decides
// whether to give up for now (stop requested, counters asked for); the rest
// then stays in pending(). FlushWithin() is the bounded last flush at exit.
// A failed write (EPIPE when the reader went away, ENOSPC, ...) is kept in
// error() and nothing more is written.
#pragma once

#include <csignal>
#include <functional>
#include <string>

namespace tetrars {

class Sink {
 public:
  explicit Sink(int fd, const sigset_t* interrupt_mask = nullptr,
                std::function<bool()> yield = nullptr)
      : fd_(fd), interrupt_mask_(interrupt_mask), yield_(std::move(yield)) {}

  std::string& buffer() { return buffer_; }
  // Ends the line just encoded; flushes when the buffer is large.
  bool EndLine();
  // Writes what is buffered; false once a write failed. Returns true with
  // data still pending when yield() asked to stop waiting.
  bool Flush();
  // Tries to write the rest within `budget_ms` without ever blocking longer.
  bool FlushWithin(int budget_ms);
  size_t pending() const { return buffer_.size() - written_; }
  const std::string& error() const { return error_; }

 private:
  static constexpr size_t kFlushAt = 64 * 1024;
  bool Failed(int err);
  void Compact();

  int fd_;
  const sigset_t* interrupt_mask_;
  std::function<bool()> yield_;
  std::string buffer_;
  size_t written_ = 0;  // bytes of buffer_ already written
  std::string error_;
};

}  // namespace tetrars
