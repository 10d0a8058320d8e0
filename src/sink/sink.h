// Stage 5 of the data path (sink): where the lines go. LineSink is what the
// event loop sees; Sink writes lines to a file descriptor (stdout), and
// JournalSink (journal_sink.h) sends them to journald.
//
// Sink's contract: the encoder writes each line straight into buffer(), then
// calls EndLine(). Lines are kept while more input is ready and written out by
// Flush(), which the event loop calls whenever it is about to wait, so no line
// ever sits in memory while tetrars sleeps; the buffer is also flushed when it
// passes 64 KiB.
// Flush() never blocks: it writes what the output takes now and, when the
// output is full (a slow reader), says so with blocked(); the loop then waits
// for poll_fd() to take more in its own ppoll(), stops reading from the agent
// (so a slow reader slows tetrars and, through the socket, the agent, instead
// of growing memory), and still sees its signals at once. A pipe, FIFO or
// terminal is written through a private non-blocking open file description of
// /proc/self/fd/N, so the O_NONBLOCK flag is never set on a description other
// processes share; a socket (journald's stdout stream) takes MSG_DONTWAIT; a
// regular file never blocks for long. Where none of this is possible
// (/proc missing), writes block with the loop's signals let through
// (`interrupt_mask`) and `yield()` decides whether to give up for now.
// FlushWithin() is the bounded last flush at exit.
// A failed write (EPIPE when the reader went away, ENOSPC, ...) is kept in
// error() and nothing more is written; the lines it held count as lost.
// lines_written() counts the lines whose last byte, the newline, the output
// took: that is what the counters' written= reports.
#pragma once

#include <chrono>
#include <csignal>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "decode/event.h"
#include "decode/wire.h"

namespace tetrars {

class LineSink {
 public:
  virtual ~LineSink() = default;
  // Where the encoder appends the line (without its newline).
  virtual std::string& buffer() = 0;
  // Ends the line just encoded, for `event` (whose fields `walker` reads);
  // false once output failed for good.
  virtual bool EndLine(const Event& event, wire::Walker& walker) = 0;
  // Writes what is pending; false once output failed for good. Returns true
  // with lines still pending when yield() asked to stop waiting.
  virtual bool Flush() = 0;
  // Tries to write the rest within `budget_ms` without ever blocking longer.
  virtual bool FlushWithin(int budget_ms) = 0;
  // Whether anything waits to be written (cheap: the loop asks before each wait).
  virtual bool has_pending() const = 0;
  // The output is full: wait for poll_fd() to be writable (or, where there
  // is none, for retry_at()), then Flush(). The loop reads nothing from the
  // agent meanwhile, whatever else wakes it: that is what bounds memory.
  virtual bool blocked() const { return false; }
  virtual int poll_fd() const { return -1; }
  virtual std::chrono::steady_clock::time_point retry_at() const {
    return std::chrono::steady_clock::time_point::max();
  }
  // Lines not written yet (for messages).
  virtual size_t pending_lines() const = 0;
  // Lines the output took whole, and lines given up on after a failure.
  virtual uint64_t lines_written() const = 0;
  virtual uint64_t lines_lost() const = 0;
  // Why output failed for good ("" while it has not).
  virtual const std::string& error() const = 0;
  // What the output is, for messages: "standard output", "journald".
  virtual const char* name() const = 0;
};

class Sink : public LineSink {
 public:
  explicit Sink(int fd, const sigset_t* interrupt_mask = nullptr,
                std::function<bool()> yield = nullptr);
  ~Sink() override;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  std::string& buffer() override { return buffer_; }
  // Flushes when the buffer is large.
  bool EndLine(const Event&, wire::Walker&) override { return EndLine(); }
  bool EndLine();
  bool Flush() override;
  bool FlushWithin(int budget_ms) override;
  size_t pending() const { return buffer_.size() - written_; }
  bool has_pending() const override { return pending() > 0; }
  bool blocked() const override { return blocked_; }
  int poll_fd() const override { return fd_; }
  size_t pending_lines() const override;
  uint64_t lines_written() const override { return lines_written_; }
  uint64_t lines_lost() const override { return lines_lost_; }
  const std::string& error() const override { return error_; }
  const char* name() const override { return "standard output"; }

 private:
  enum class Mode {
    kNonBlocking,  // a private O_NONBLOCK description of a pipe, FIFO or terminal
    kSocket,       // send(MSG_DONTWAIT)
    kFile,         // a regular file (or unknown): plain writes, they do not wait
    kBlocking,     // a pipe or terminal that could not be reopened: signals let through
  };
  static constexpr size_t kFlushAt = 64 * 1024;
  // One write of what is pending: bytes taken, 0 when full (EAGAIN), -1 failed.
  ssize_t WriteSome(size_t at_most);
  bool Failed(int err);
  void Compact();
  void Advance(size_t bytes);  // `bytes` more of buffer_ were written

  int fd_;
  bool own_fd_ = false;  // fd_ is our private description, closed with us
  Mode mode_ = Mode::kFile;
  const sigset_t* interrupt_mask_;
  std::function<bool()> yield_;
  std::string buffer_;
  size_t written_ = 0;             // bytes of buffer_ already written
  std::vector<size_t> line_ends_;  // offset after each line's newline in buffer_
  size_t first_pending_line_ = 0;  // line_ends_[i] for i below it are written
  bool blocked_ = false;
  uint64_t lines_written_ = 0;
  uint64_t lines_lost_ = 0;
  std::string error_;
};

}  // namespace tetrars
