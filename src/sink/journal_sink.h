// Stage 5 of the data path (sink), -o journal: each line becomes one journald
// entry through libsystemd's sd_journal_sendv(), which has no line length
// limit (a large entry travels in a sealed memfd).
//
// Contract: an entry holds
//   MESSAGE=<the line>  PRIORITY=6  SYSLOG_IDENTIFIER=tetrars
// and, for `journalctl TETRAGON_AUID=1000` and the like, the fields of the
// event that are present: TETRAGON_EVENT (PROCESS_EXEC, ...), TETRAGON_AUID,
// TETRAGON_UID, TETRAGON_PID, TETRAGON_BINARY (of the event's process),
// TETRAGON_PARENT_BINARY, TETRAGON_NODE.
// libsystemd is loaded with dlopen() when this output is chosen, so the
// default JSON job does not carry it. sd_journal_sendv() reports success when
// the journal socket does not exist, so the socket is checked before each
// send. While journald cannot take entries (no socket, refused, busy), they
// are kept in order, tetrars says so once and retries every second
// (retry_at()), and blocked() stops the loop from reading the agent
// meanwhile, whatever wakes it (signals, keepalive, status): the queue grows
// by at most the one read that found journald gone. Nothing is dropped, and
// Flush() never waits, so the loop goes on turning (systemd's watchdog).
// With --once there is
// no later to wait for: journald away is then an error like any other. An
// error retrying cannot fix ends the output (error()); the entries still
// queued then count as lost.
#pragma once

#include <sys/uio.h>

#include <chrono>
#include <csignal>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/diagnostics.h"
#include "sink/sink.h"

namespace tetrars {

inline constexpr const char* kJournalSocket = "/run/systemd/journal/socket";

class JournalSink : public LineSink {
 public:
  using Say = std::function<void(Priority, const std::string&)>;
  static constexpr size_t kQueueLimit = 4096;
  // nullptr with `error` when libsystemd cannot be loaded. `wait_for_journald`
  // false (--once): journald away ends the output instead of being waited for.
  static std::unique_ptr<JournalSink> Open(const sigset_t* interrupt_mask,
                                           std::function<bool()> yield, Say say,
                                           bool wait_for_journald, std::string* error);

  std::string& buffer() override { return message_; }
  bool EndLine(const Event& event, wire::Walker& walker) override;
  bool Flush() override;
  bool FlushWithin(int budget_ms) override;
  bool has_pending() const override { return !queue_.empty(); }
  // Away, or a busy journald has let kQueueLimit entries gather (a blocking
  // send interrupted by signals): read no more until they are sent.
  bool blocked() const override {
    return !queue_.empty() && (unavailable_ || queue_.size() >= kQueueLimit);
  }
  std::chrono::steady_clock::time_point retry_at() const override {
    if (!blocked()) return std::chrono::steady_clock::time_point::max();
    return unavailable_ ? retry_at_ : std::chrono::steady_clock::time_point::min();
  }
  // journald does not take entries now (said once; the queue waits).
  bool unavailable() const { return unavailable_; }
  size_t pending_lines() const override { return queue_.size(); }
  uint64_t lines_written() const override { return lines_written_; }
  uint64_t lines_lost() const override { return lines_lost_; }
  const std::string& error() const override { return error_; }
  const char* name() const override { return "journald"; }

  // The fields of an entry for `message` and `event`, as "NAME=value".
  static std::vector<std::string> Fields(std::string message, const Event& event,
                                         wire::Walker& walker);

 private:
  using SendFunction = int (*)(const iovec*, int);  // sd_journal_sendv
  JournalSink(SendFunction send, const sigset_t* interrupt_mask, std::function<bool()> yield,
              Say say, bool wait_for_journald)
      : send_(send),
        interrupt_mask_(interrupt_mask),
        yield_(std::move(yield)),
        say_(std::move(say)),
        wait_for_journald_(wait_for_journald) {}

  // Sends the oldest entry: 0 sent, else the errno that kept it.
  int SendFront();
  // SendFront(), keeping in error() an error that retrying cannot fix.
  int TrySend();
  void GiveUp(const std::string& why);
  bool Retryable(int err) const;
  void Unavailable(int err);
  void WaitBeforeRetry(int ms);
  std::chrono::steady_clock::time_point retry_at_{};

  SendFunction send_;
  const sigset_t* interrupt_mask_;
  std::function<bool()> yield_;
  Say say_;
  std::string message_;
  std::deque<std::vector<std::string>> queue_;
  bool wait_for_journald_;
  bool unavailable_ = false;  // said so; say when it takes entries again
  uint64_t lines_written_ = 0;
  uint64_t lines_lost_ = 0;
  std::string error_;
};

}  // namespace tetrars
