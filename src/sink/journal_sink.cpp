#include "sink/journal_sink.h"

#include <dlfcn.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "decode/event_fields.h"

namespace tetrars {
namespace {

constexpr int kRetryMs = 1000;

void IgnoreAlarm(int) {}  // only there to interrupt a blocked send

}  // namespace

std::unique_ptr<JournalSink> JournalSink::Open(const sigset_t* interrupt_mask,
                                               std::function<bool()> yield, Say say,
                                               bool wait_for_journald, std::string* error) {
  // Deliberately never closed: the library stays for the life of the process.
  void* library = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    *error = std::string("cannot load libsystemd for -o journal (") + dlerror() + ")";
    return nullptr;
  }
  // The symbol itself, not the header's macro that adds CODE_FILE= and friends.
  auto send = reinterpret_cast<SendFunction>(dlsym(library, "sd_journal_sendv"));
  if (send == nullptr) {
    *error = "libsystemd.so.0 has no sd_journal_sendv";
    return nullptr;
  }
  return std::unique_ptr<JournalSink>(
      new JournalSink(send, interrupt_mask, std::move(yield), std::move(say), wait_for_journald));
}

std::vector<std::string> JournalSink::Fields(std::string message, const Event& event,
                                             wire::Walker& walker) {
  const EventFields& paths = EventFields::Get();
  std::vector<std::string> fields;
  fields.push_back("MESSAGE=" + message);
  fields.push_back("PRIORITY=6");
  fields.push_back("SYSLOG_IDENTIFIER=tetrars");
  if (event.kind != 0) fields.push_back("TETRAGON_EVENT=" + EventTypeName(event.kind));
  const auto number = [&](const char* name, const wire::EventPath& path) {
    const wire::Scalar value = Read(walker, event, path);
    if (value.present) fields.push_back(std::string(name) + "=" + std::to_string(U32(value)));
  };
  const auto text = [&](const char* name, const wire::Scalar& value) {
    if (value.present) fields.push_back(std::string(name) + "=" + std::string(value.text));
  };
  number("TETRAGON_AUID", paths.process_auid);
  number("TETRAGON_UID", paths.process_uid);
  number("TETRAGON_PID", paths.process_pid);
  text("TETRAGON_BINARY", Read(walker, event, paths.process_binary));
  text("TETRAGON_PARENT_BINARY", Read(walker, event, paths.parent_binary));
  text("TETRAGON_NODE", Read(walker, event, paths.node_name));
  return fields;
}

bool JournalSink::EndLine(const Event& event, wire::Walker& walker) {
  if (!error_.empty()) {
    ++lines_lost_;
    message_.clear();
    return false;
  }
  queue_.push_back(Fields(std::move(message_), event, walker));
  message_.clear();
  // Send now unless older entries wait for journald (order is kept).
  if (queue_.size() == 1 && !unavailable_) {
    const int err = TrySend();
    if (err != 0) Unavailable(err);
  }
  return error_.empty();
}

int JournalSink::SendFront() {
  // libsystemd calls a missing socket success: look first.
  struct stat st;
  if (stat(kJournalSocket, &st) != 0) return errno;
  if (!S_ISSOCK(st.st_mode)) return ENOTSOCK;
  const std::vector<std::string>& fields = queue_.front();
  std::vector<iovec> iov(fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    iov[i] = {const_cast<char*>(fields[i].data()), fields[i].size()};
  }
  // A busy journald blocks the send: let the loop's signals interrupt it.
  sigset_t previous;
  if (interrupt_mask_) sigprocmask(SIG_SETMASK, interrupt_mask_, &previous);
  const int rc = send_(iov.data(), int(iov.size()));
  if (interrupt_mask_) sigprocmask(SIG_SETMASK, &previous, nullptr);
  if (rc < 0) return -rc;
  queue_.pop_front();
  ++lines_written_;
  if (unavailable_) {
    unavailable_ = false;
    say_(Priority::kNotice, "tetrars: journald takes entries again");
  }
  return 0;
}

int JournalSink::TrySend() {
  const int err = SendFront();
  if (err != 0 && !Retryable(err)) GiveUp(std::strerror(err));
  return err;
}

void JournalSink::GiveUp(const std::string& why) {
  error_ = why;
  lines_lost_ += queue_.size();
  queue_.clear();
}

// journald away (no socket, nobody listening, restarting) or busy, or we
// were interrupted: worth another try. Anything else is a bug to report.
bool JournalSink::Retryable(int err) const {
  switch (err) {
    case ENOENT:
    case ENOTSOCK:
    case ECONNREFUSED:
    case ECONNRESET:
    case ENOTCONN:
    case EAGAIN:
    case ENOBUFS:
    case ENOMEM:
    case EINTR:
      return true;
    default:
      return false;
  }
}

void JournalSink::Unavailable(int err) {
  if (err == EINTR) return;  // a signal for the loop: it calls Flush() again
  retry_at_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(kRetryMs);
  if (unavailable_) return;
  const std::string why = std::string("journald does not take entries (") + kJournalSocket + ": " +
                          std::strerror(err) + ")";
  if (!wait_for_journald_) return GiveUp(why);
  unavailable_ = true;
  say_(Priority::kWarning, "tetrars: " + why +
                               ": keeping them and retrying every second, without reading more "
                               "events meanwhile: check systemd-journald.service");
}

void JournalSink::WaitBeforeRetry(int ms) {
  timespec timeout{ms / 1000, long(ms % 1000) * 1000000L};
  if (interrupt_mask_) {
    ppoll(nullptr, 0, &timeout, interrupt_mask_);
  } else {
    nanosleep(&timeout, nullptr);
  }
}

bool JournalSink::Flush() {
  if (!error_.empty()) return false;
  if (unavailable_ && std::chrono::steady_clock::now() < retry_at_) return true;
  while (!queue_.empty()) {
    if (yield_ && yield_()) return true;
    const int err = TrySend();
    if (err == 0) continue;
    Unavailable(err);
    return error_.empty();  // away: the loop comes back at retry_at()
  }
  return true;
}

bool JournalSink::FlushWithin(int budget_ms) {
  if (!error_.empty()) return false;
  // A journald that does not read blocks the send inside libsystemd, whose
  // socket we cannot poll: a repeating SIGALRM (no SA_RESTART) interrupts it.
  struct sigaction alarm_action {};
  struct sigaction previous_action {};
  alarm_action.sa_handler = IgnoreAlarm;
  sigemptyset(&alarm_action.sa_mask);
  sigaction(SIGALRM, &alarm_action, &previous_action);
  itimerval ticks{{0, 10000}, {0, 10000}};
  itimerval previous_timer{};
  setitimer(ITIMER_REAL, &ticks, &previous_timer);
  sigset_t alarm_only;
  sigemptyset(&alarm_only);
  sigaddset(&alarm_only, SIGALRM);
  sigset_t previous_mask;
  sigprocmask(SIG_UNBLOCK, &alarm_only, &previous_mask);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(budget_ms);
  while (!queue_.empty() && std::chrono::steady_clock::now() < deadline) {
    const int err = TrySend();
    if (err == 0) continue;
    if (!error_.empty()) break;
    if (err != EINTR) WaitBeforeRetry(10);
  }

  setitimer(ITIMER_REAL, &previous_timer, nullptr);
  sigprocmask(SIG_SETMASK, &previous_mask, nullptr);
  sigaction(SIGALRM, &previous_action, nullptr);
  return error_.empty() && queue_.empty();
}

}  // namespace tetrars
