#include "daemon/runner.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "base/diagnostics.h"
#include "cli/request.h"
#include "daemon/notify.h"
#include "daemon/repeated_line.h"
#include "daemon/signals.h"
#include "daemon/stats.h"
#include "decode/decode.h"
#include "decode/event.h"
#include "decode/field_mask.h"
#include "decode/schema.h"
#include "encode/line_encoder.h"
#include "filter/event_filter.h"
#include "sink/journal_sink.h"
#include "sink/sink.h"
#include "tetrars_version.h"
#include "transport/keepalive.h"
#include "transport/transport.h"

namespace tetrars {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kStopFlushBudgetMs = 100;  // SIGTERM: flush and be gone within this
// SIGTERM/SIGHUP: read what the agent had sent, for at most this long.
constexpr auto kStopDrainBudget = std::chrono::milliseconds(250);
// The agent refused what the user asked of it (their --cel-expression):
// like a usage error, retrying cannot help, and systemd should not restart.
constexpr int kExitAgentRefusedOptions = 2;
constexpr auto kHealthyStream = std::chrono::seconds(10);
// Batching under load. It starts when reads deliver events less than the
// load gap apart: --max-delay, but at least kLoadGap and at most
// kTrickleGap. So a steady trickle (100 events/s, 10 ms apart, a busy
// host's exec rate) is gathered too, while events further apart than
// kTrickleGap (a quiet spell) are each written at once whatever --max-delay
// says. It gathers about kBatchBuffer of the agent's socket buffer
// per read: half of what a unix socket holds (208 KiB), where each of the
// agent's writes (one per event when events trickle in) costs its bytes plus
// about kWriteOverhead (measured: 278 writes of 130 bytes fit, 93 of 1000).
// A fuller socket would hold up the agent, which then queues events and,
// past its queue, drops them.
constexpr auto kLoadGap = std::chrono::milliseconds(5);
constexpr auto kTrickleGap = std::chrono::milliseconds(50);
constexpr double kBatchBuffer = 96 * 1024;
constexpr double kWriteOverhead = 768;
constexpr auto kMinBatchDelay = std::chrono::microseconds(200);

std::string Duration(int ms) {
  if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

// Statuses that say our request itself is wrong: retrying cannot help.
bool RetryCannotFix(const CallResult& result) {
  return result.has_status &&
         (result.status == 3 /* INVALID_ARGUMENT */ || result.status == 12 /* UNIMPLEMENTED */);
}

std::string Lines(size_t n) {
  return std::to_string(n) + (n == 1 ? " line" : " lines");
}

bool MentionsCel(const std::string& text) {
  return text.find("CEL") != std::string::npos || text.find("cel") != std::string::npos;
}

// How Tetragon ends GetEvents when it cannot compile a CEL filter (measured on
// v1.7.0: status UNKNOWN, "error compiling CEL expression: ..."). An
// INVALID_ARGUMENT that says so is taken as well.
bool CelRefused(const CallResult& result) {
  return result.has_status && (result.status == 2 || result.status == 3) &&
         (result.message.find("error compiling CEL expression") != std::string::npos ||
          result.message.find("failed to compile CEL expression") != std::string::npos);
}

class Loop {
 public:
  explicit Loop(const Options& options)
      : options_(options),
        filter_(options.event_types, options.auid, options.auid_of),
        encoder_(options.line_format()),
        pushdown_(options.pushdown && options.auid.enabled()),
        keepalive_(std::chrono::milliseconds(options.address.is_unix ? 0 : options.keepalive_ms)),
        backoff_ms_(options.reconnect_min_ms),
        random_(std::random_device{}()),
        diagnostics_(Diagnostics::FromEnvironment()) {
    InstallSignalHandlers(&wait_mask_);
  }

  // The loop's states: open the output, then connect, stream (which drains
  // what the agent sent on a stop or a reload), and decide what the end of
  // the stream means: connect again at once, wait before retrying, or exit.
  int Run() {
    if (!OpenOutput()) return 1;
    SayStarted();
    bool connected_before = false;
    while (!Stopping()) {
      if (g_reload) Reload();
      std::unique_ptr<GrpcCall> call = Connect();
      if (!call) {
        if (options_.once) return Finish(1);
        if (!WaitBeforeRetry()) return OutputFailed();
        continue;
      }
      if (connected_before) ++stats_.reconnects;
      connected_before = true;
      const auto started = Clock::now();
      Stream(*call);
      if (!sink_->error().empty()) return OutputFailed();
      if (Stopping()) break;
      if (!FlushOutput()) return OutputFailed();
      if (g_reload && !call->done()) continue;  // ended by us: Reload() connects again at once
      const Next next = AfterStream(*call, started);
      if (next.exit) return Finish(*next.exit);
      if (!next.at_once && !WaitBeforeRetry()) return OutputFailed();
    }
    return Finish(0);
  }

 private:
  // What follows the end of a stream.
  struct Next {
    std::optional<int> exit;  // end tetrars with this code
    bool at_once = false;     // else connect again after the backoff
  };

  // stdout, or journald for -o journal; false when it cannot be had (said).
  bool OpenOutput() {
    const auto yield = [] { return g_stop_signal != 0 || g_reload != 0 || g_report_stats != 0; };
    if (options_.output != OutputFormat::kJournal) {
      sink_ = std::make_unique<Sink>(STDOUT_FILENO, &wait_mask_, yield);
      return true;
    }
    std::string error;
    sink_ = JournalSink::Open(
        &wait_mask_, yield,
        [this](Priority priority, const std::string& line) { Say(priority, line); },
        /*wait_for_journald=*/!options_.once, &error);
    if (!sink_) {
      Say(Priority::kError,
          "tetrars: " + error + ": install the libsystemd0 package, or use -o json");
    }
    return sink_ != nullptr;
  }

  // The start-up line, then ready for systemd before the agent is reached:
  // a host whose agent is down still starts the unit, and the status says
  // what tetrars waits for.
  void SayStarted() {
    Say(Priority::kNotice, std::string("tetrars ") + TETRARS_VERSION + " started");
    WarnIfKeepaliveProvokesTheAgent();
    agent_state_ = "connecting to " + options_.address.original;
    notifier_.Ready(StatusText());
  }

  // A connection and its GetVersion call; nothing when the agent cannot be
  // reached (said: with --once as the error it is, else once per state).
  std::unique_ptr<GrpcCall> Connect() {
    const std::string& where = options_.address.original;
    ConnectError error;
    auto call = GrpcCall::Connect(
        options_.address, [this](const AgentVersion& agent) { return OnAgentVersion(agent); },
        options_.max_message_size,
        [this](const uint8_t* data, size_t size) { return OnMessage(data, size); },
        std::string("tetrars/") + TETRARS_VERSION, &error);
    if (call) {
      // "connected" is said once the agent's version is known (OnAgentVersion).
      where_ = where;
      connected_line_.clear();
      abort_reason_.clear();
      return call;
    }
    ended_empty_ = false;
    if (options_.once) {
      Say(Priority::kError,
          "tetrars: cannot connect to " + where + ": " + error.what + ": " + error.remedy);
      return nullptr;
    }
    SayOnState(Priority::kWarning, "tetrars: cannot connect to " + where + ": " + error.what +
                                       ": " + error.remedy + " (retrying meanwhile, every " +
                                       Duration(options_.reconnect_max_ms) + " at most)");
    SetWaiting(where, error.what);
    return nullptr;
  }

  // The backoff; false when the output failed meanwhile.
  bool WaitBeforeRetry() {
    Backoff();
    return sink_->error().empty();
  }

  // How the stream ended, as the agent said or as we ended it.
  CallResult Ending(const GrpcCall& call) const {
    if (abort_reason_.empty()) return call.result();
    CallResult result;
    result.transport_error = abort_reason_;
    return result;
  }

  // A stream the agent ended (or that broke): what it means for the loop.
  Next AfterStream(const GrpcCall& call, Clock::time_point started) {
    if (call.messages() > 0 || Clock::now() - started >= kHealthyStream) {
      backoff_ms_ = options_.reconnect_min_ms;
    }
    const CallResult result = Ending(call);
    if (DropPushdownIfRefused(call, result)) return {std::nullopt, true};
    if (std::optional<int> code = ExitIfRefused(call, result)) return {code};
    if (options_.once) return {EndOfOnce(call, result)};
    if (call.told_to_calm_down() && keepalive_.enabled()) {
      keepalive_.Lengthen();
      Say(Priority::kWarning,
          "tetrars: the agent asked for fewer keepalive PINGs: sending them every " +
              Duration(int(keepalive_.interval().count())) + " from now on");
    }
    SayStreamEnded(call, result);
    return {};
  }

  // An agent that cannot take our CEL says so before any event: drop the
  // pushdown once and ask again at once (tetrars filters anyway). Whether the
  // CEL was the reason shows in the answer to the request without it: the
  // same refusal again means it was not (a bad field path, the user's own
  // --cel-expression), and nothing is blamed on the --auid rule.
  bool DropPushdownIfRefused(const GrpcCall& call, const CallResult& result) {
    if (pushdown_ && result.has_status && !result.ok() && call.messages() == 0) {
      pushdown_ = false;
      pushdown_refusal_ = result;
      pushdown_note_ = "tetrars: the agent refused the --auid rule as a CEL expression (" +
                       result.Describe() +
                       "): filtering in tetrars only; --no-pushdown skips this attempt";
      return true;
    }
    if (!pushdown_note_.empty()) {
      const bool same_refusal =
          call.messages() == 0 && result.has_status && result.status == pushdown_refusal_.status;
      if (same_refusal) pushdown_note_.clear();
      SayPushdownNote();
    }
    return false;
  }

  // The agent refused the request for good: the exit code, said why.
  std::optional<int> ExitIfRefused(const GrpcCall& call, const CallResult& result) {
    const std::string& where = options_.address.original;
    if (!options_.cel_expressions.empty() && CelRefused(result) && call.messages() == 0) {
      Say(Priority::kError, "tetrars: the agent at " + where +
                                " cannot compile --cel-expression: it says '" +
                                Quoted(result.message) +
                                "': correct the expression (CEL over the event, as tetra's "
                                "--cel-expression takes it)");
      return kExitAgentRefusedOptions;
    }
    if (RetryCannotFix(result)) {
      Say(Priority::kError, "tetrars: the agent at " + where + " refused the request: " +
                                result.Describe() + ": " + RefusalRemedy(result));
      return 1;
    }
    return std::nullopt;
  }

  // --once: the end of the stream is the end of tetrars.
  int EndOfOnce(const GrpcCall& call, const CallResult& result) {
    if (result.ok()) return 0;
    if (call.answered()) SayConnected();
    Say(Priority::kError, "tetrars: the event stream from " + options_.address.original +
                              " failed: " + result.Describe() + ": " +
                              (result.remedy.empty() ? "check the agent's log" : result.remedy));
    return 1;
  }

  // A stream that ends before its first event is a failed attempt like any
  // other: the backoff grows (AfterStream did not reset it) and the line is
  // said once for the whole series.
  void SayStreamEnded(const GrpcCall& call, const CallResult& result) {
    const std::string& where = options_.address.original;
    ended_empty_ = call.messages() == 0;
    if (!ended_empty_) SayConnected();
    const std::string retry =
        ": reconnecting (with backoff up to " + Duration(options_.reconnect_max_ms) + ")";
    if (result.ok()) {
      SayOnState(Priority::kWarning,
                 ended_empty_
                     ? "tetrars: the agent ended the event stream without sending an event" + retry
                     : "tetrars: the agent ended the event stream" + retry);
    } else {
      SayOnState(Priority::kWarning, "tetrars: the event stream from " + where +
                                         " failed: " + result.Describe() + retry);
    }
    SetWaiting(where, result.ok() ? std::string("it ended the event stream") : result.Describe());
  }

  // A hangup stops tetrars on a terminal (the terminal is gone); elsewhere
  // (systemd, a pipe) it is a reload.
  bool Stopping() const { return g_stop_signal != 0 || (g_reload != 0 && hangup_is_stop_); }

  // SIGHUP: the stream (if any) was ended like a stop, with what the agent
  // had sent read and written; connect again at once, the agent's info file
  // read anew.
  void Reload() {
    g_reload = 0;
    Say(Priority::kNotice, "tetrars: reloading: connecting to the agent again");
    notifier_.Reloading("reloading: connecting to the agent again");
    backoff_ms_ = options_.reconnect_min_ms;
    last_state_.clear();  // say the state after the reload again
    notifier_.Ready(StatusText());
  }

  void SetWaiting(const std::string& where, const std::string& why) {
    agent_state_ = "waiting for the agent at " + where + ": " + why;
    connected_ = false;
  }

  // What systemd's status shows: what tetrars does, in a sysadmin's words.
  std::string StatusText() const {
    const uint64_t written = sink_ ? sink_->lines_written() : 0;
    std::string text = agent_state_;
    if (connected_) text += "; " + std::to_string(written) + " events written";
    if (sink_ && sink_->blocked()) {
      text = std::string(options_.output == OutputFormat::kJournal
                             ? "journald does not take entries"
                             : "standard output does not take lines") +
             ": holding " + Lines(sink_->pending_lines()) + "; " + text;
    }
    return text;
  }

  void Say(Priority priority, const std::string& line) const { diagnostics_.Say(priority, line); }

  // Prints a line only when the state changed: a dead agent gives one line,
  // not one per attempt.
  void SayOnState(Priority priority, const std::string& line) {
    if (line == last_state_) return;
    last_state_ = line;
    Say(priority, line);
  }

  // The "connected" line of this connection, unless said already.
  // Then what the user should know about this agent's version, once per
  // version.
  void SayConnected() {
    if (connected_line_.empty()) return;
    SayOnState(Priority::kNotice, connected_line_);
    agent_state_ = connected_line_.substr(sizeof("tetrars: ") - 1);
    connected_ = true;
    connected_line_.clear();
    ended_empty_ = false;
    if (!notes_pending_for_) return;
    for (const auto& [priority, line] : agent_notes_) Say(priority, line);
    notes_said_for_ = std::move(notes_pending_for_);
    notes_pending_for_.reset();
  }

  // The agent said its version (or did not): the GetEvents request for it,
  // and what the user should know about that version, said once per version.
  std::string OnAgentVersion(const AgentVersion& agent) {
    encoder_.ForAgent(agent);
    pod_labels_ = agent.PodFieldThreeIsLabels();
    const bool has_masks = !options_.all_fields || !options_.exclude_fields.empty();
    const bool shared_events_damaged = agent.FiltersFieldsInPlace() && has_masks;
    masks_here_ = has_masks && (options_.fields_by == FieldsBy::kTetrars ||
                                (options_.fields_by == FieldsBy::kAuto && shared_events_damaged));
    const std::string name = AgentName(agent);
    // "connected" (and the notes after it) is said once the agent takes the
    // GetEvents call (its response headers), or at the first event after
    // streams that ended without one: an agent that keeps ending streams at
    // once gives one line, not two per attempt.
    connected_line_ = "tetrars: connected to " + where_ + " (" + name + ")";
    notes_pending_for_.reset();
    if (notes_said_for_ != agent.text()) {
      notes_pending_for_ = agent.text();
      agent_notes_ = AgentNotes(agent, name, shared_events_damaged);
    }
    return BuildRequest(options_, pushdown_, !masks_here_);
  }

  static std::string AgentName(const AgentVersion& agent) {
    if (agent.known()) return "Tetragon " + agent.text();
    if (agent.text().empty()) return "version unknown";
    return "version unknown: it says '" + agent.text() + "'";
  }

  std::vector<std::pair<Priority, std::string>> AgentNotes(const AgentVersion& agent,
                                                           const std::string& name, bool damaged) {
    std::vector<std::pair<Priority, std::string>> notes;
    if (damaged && masks_here_ && options_.fields_by == FieldsBy::kAuto) {
      notes.emplace_back(
          Priority::kNotice,
          "tetrars: " + name +
              " would apply the field filter (-f/-F) to the events it shares with its other "
              "clients (fixed in v1.0.1): tetrars removes those fields itself; the agent sends "
              "every field (--fields-by agent to change)");
    } else if (damaged && !masks_here_) {
      notes.emplace_back(
          Priority::kWarning,
          "tetrars: " + name +
              " applies the field filter (-f/-F) to the events it shares with its other clients, "
              "which then lose those fields: use --fields-by auto, or upgrade the agent to "
              "v1.0.1 or later");
    }
    std::vector<std::string_view> used;
    if (!options_.policy_names.empty()) used.push_back("--policy-names");
    if (!options_.cel_expressions.empty()) used.push_back("--cel-expression");
    if (!options_.container_regex.empty()) used.push_back("--containers");
    if (!options_.namespace_regex.empty()) used.push_back("--namespace-regex");
    for (const FilterFeature& ignored : FiltersTheAgentIgnores(agent, used)) {
      notes.emplace_back(
          Priority::kWarning,
          "tetrars: " + name + " ignores " + std::string(ignored.flag) +
              " (the agent supports it from v" + std::to_string(ignored.since.major) + "." +
              std::to_string(ignored.since.minor) + "." + std::to_string(ignored.since.patch) +
              "): events are not filtered by it: upgrade the agent, or use --match in tetrars");
    }
    return notes;
  }

  // Over TCP, PINGs more often than grpc-go's enforcement minimum make the
  // agent close the connection (and events are lost while reconnecting).
  void WarnIfKeepaliveProvokesTheAgent() const {
    if (!keepalive_.enabled() || keepalive_.interval() >= kGrpcGoMinPingInterval) return;
    Say(Priority::kWarning,
        "tetrars: --keepalive " + Duration(options_.keepalive_ms) +
            " is shorter than the 5m that Tetragon (grpc-go) accepts between PINGs by default: "
            "the agent may close the connection with ENHANCE_YOUR_CALM, and events are lost "
            "while tetrars reconnects: use 5m or more unless the agent permits shorter ones");
  }

  // Said once it is known that the agent refused only the --auid rule's CEL.
  void SayPushdownNote() {
    if (pushdown_note_.empty()) return;
    Say(Priority::kWarning, pushdown_note_);
    pushdown_note_.clear();
  }

  // What to change when the agent refuses the request for good.
  std::string RefusalRemedy(const CallResult& result) const {
    if (result.status == 12 /* UNIMPLEMENTED */) {
      return "check that --server-address is Tetragon's gRPC socket and that the agent supports "
             "the requested event types";
    }
    if (!options_.cel_expressions.empty() && MentionsCel(result.message)) {
      return "check --cel-expression: the agent could not use it";
    }
    return "check --event-types, the field paths, the regular expressions" +
           std::string(options_.cel_expressions.empty() ? "" : " and --cel-expression");
  }

  void ReportIfAsked() {
    if (g_report_stats) {
      g_report_stats = 0;
      Say(Priority::kNotice, StatsLine());
    }
  }

  // The counters, with what the output really took.
  std::string StatsLine() {
    stats_.written = sink_->lines_written();
    stats_.unwritten = sink_->pending_lines() + sink_->lines_lost();
    return stats_.Line();
  }

  // Exponential backoff with jitter: a wait in [delay/2, delay], then the
  // delay doubles up to --reconnect-max. Output still pending goes out meanwhile.
  void Backoff() {
    const int half = backoff_ms_ / 2;
    const int wait = half + int(random_() % unsigned(backoff_ms_ - half + 1));
    backoff_ms_ = std::min(backoff_ms_ * 2, options_.reconnect_max_ms);
    const auto until = Clock::now() + std::chrono::milliseconds(wait);
    while (!Stopping() && !g_reload && Clock::now() < until) {
      if (!FlushOutput()) return;
      pollfd output{sink_->poll_fd(), POLLOUT, 0};
      const bool output_full = sink_->blocked();
      Wait(&output, output_full ? 1 : 0, std::min(until, sink_->retry_at()));
      // Without this, a writable output would wake every ppoll at once and
      // never be written: a busy loop until the backoff ends.
      if (output_full) output_ready_ = OutputReady(output);
    }
  }

  // Waits until one of `fds` is ready, a signal, or `deadline` (none: the
  // time_point's maximum). A stop that arrived while signals were let through
  // (a blocking write) was taken already and would not wake ppoll: look first.
  void Wait(pollfd* fds, nfds_t count, Clock::time_point deadline) {
    ReportIfAsked();
    if (Stopping()) {
      for (nfds_t i = 0; i < count; ++i) fds[i].revents = 0;
      return;
    }
    if (notifier_.enabled()) {
      notifier_.Status(StatusText());
      deadline = std::min(deadline, notifier_.Deadline());
    }
    const bool forever = deadline == Clock::time_point::max();
    const timespec timeout = TimeoutUntil(deadline);
    if (ppoll(fds, count, forever ? nullptr : &timeout, &wait_mask_) <= 0) {
      for (nfds_t i = 0; i < count; ++i) fds[i].revents = 0;
    } else {
      DeliverPendingSignals();
    }
    // The watchdog is fed here, where the loop turns: a loop stuck anywhere
    // else starves it, and systemd restarts tetrars.
    if (notifier_.enabled()) notifier_.Tick(Clock::now());
    ReportIfAsked();
  }

  // ppoll()'s timeout for `deadline`: from now, 0 when past, at most an hour.
  static timespec TimeoutUntil(Clock::time_point deadline) {
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - Clock::now()).count();
    const long long clamped = std::clamp<long long>(ns, 0, 3600LL * 1000000000LL);
    return {time_t(clamped / 1000000000), long(clamped % 1000000000)};
  }

  // ppoll() that finds an fd ready returns without delivering the signals
  // that are pending: a loop whose fd is always ready would never see a stop.
  // One sigpending() per such wake-up; a zero-timeout ppoll() takes them.
  void DeliverPendingSignals() {
    if (!HandledSignalPending()) return;
    const timespec now{0, 0};
    ppoll(nullptr, 0, &now, &wait_mask_);
  }

  // After a wait for a full output: it takes more (its fd is writable, or
  // the sink's time to retry has come).
  bool OutputReady(const pollfd& output) const {
    return output.revents != 0 || Clock::now() >= sink_->retry_at();
  }

  // Writes what the output takes now; false once output failed for good.
  // Neither sink waits inside (journald away: retry_at()).
  bool FlushOutput() {
    if (!sink_->has_pending() || (sink_->blocked() && !output_ready_)) return true;
    output_ready_ = false;
    return sink_->Flush();
  }

  // The keepalive's deadline: when to PING, or when the unanswered PING means
  // a dead connection (Abort). max(): no keepalive (unix sockets).
  Clock::time_point KeepaliveDeadline(GrpcCall& call) {
    Clock::time_point next;
    switch (keepalive_.Due(Clock::now(), call.last_receive(), call.ping_outstanding(), &next)) {
      case Keepalive::Action::kPing:
        call.Ping();
        break;
      case Keepalive::Action::kDead:
        call.Abort("the agent did not answer an HTTP/2 PING within " +
                   Duration(int(keepalive_.AnswerTimeout().count())) +
                   " (--keepalive): the connection is dead");
        break;
      case Keepalive::Action::kWait:
        break;
    }
    return next;
  }

  // One stream, as events come. Each turn: write what is pending, then wait
  // for the agent's data, for room in a full output, or for the batch timer.
  //   - A quiet stream waits for the agent's data with no timeout: a lone
  //     event is read, printed and written at once, and idle costs nothing.
  //   - Under load (the last events came less than the load gap apart), the
  //     loop does not wait for data but sleeps, then reads everything that
  //     gathered in the socket at once: one wake-up, one read, one write for
  //     many events. A read that finds nothing ends the batching. The sleep
  //     is --max-delay, or shorter when the agent sends faster than
  //     kBatchBuffer per --max-delay: the socket must never fill
  //     while we sleep (a full socket would hold up the agent, which would
  //     queue and, past its queue, drop events). An event waits at most
  //     --max-delay.
  //   - A full output (slow reader) stops the reading (backpressure: the
  //     agent's queue, not our memory, holds the rest) until it takes more.
  void Stream(GrpcCall& call) {
    Batch batch;
    while (!call.done() && !Stopping() && !g_reload) {
      if (!FlushOutput()) return;
      if (Stopping() || g_reload) break;
      if (!WaitForTurn(call, batch)) continue;
      ReadWhatCame(call, batch);
    }
    if (!call.done() && (Stopping() || g_reload)) Drain(call);
  }

  // Batching state of one stream.
  struct Batch {
    Clock::time_point last_events{};  // when a read last delivered events
    Clock::time_point due{};          // batching: read again then
    bool on = false;
  };

  // One wait of the stream: for the agent's data, room in a full output, the
  // batch timer, the keepalive or GetVersion's deadline. True when it is time
  // to read the agent (data came, the batch is due, or the connection broke).
  bool WaitForTurn(GrpcCall& call, const Batch& batch) {
    const bool output_full = sink_->blocked();
    // While the output is full we do not read, so no PING answer could be
    // seen: the keepalive waits too, and gives the agent a whole period
    // once reading resumes (else a slow reader would drop a healthy TCP
    // connection, and the agent's unsent events with it).
    if (output_full) keepalive_.Pause(Clock::now());
    Clock::time_point deadline = output_full ? sink_->retry_at() : KeepaliveDeadline(call);
    // GetVersion unanswered: go on without the version when its time is up.
    if (!call.done()) call.OnDeadline();
    if (call.done()) return false;
    deadline = std::min(deadline, call.deadline());
    // Until GetEvents is sent the agent can send no event, only the
    // version: read it even while the output is full, or an old agent
    // would be taken for one of unknown version (and sent the field filter).
    const bool awaiting_version = call.deadline() != Clock::time_point::max();
    pollfd fds[2] = {{call.fd(), 0, 0}, {sink_->poll_fd(), POLLOUT, 0}};
    if (call.WantsToWrite()) fds[0].events |= POLLOUT;
    if ((!output_full || awaiting_version) && !batch.on) fds[0].events |= POLLIN;
    if (batch.on && !output_full) deadline = std::min(deadline, batch.due);
    // Not reading: a hung-up agent must not wake us until the output drains.
    if (output_full && fds[0].events == 0) fds[0].fd = -1;
    Wait(fds, output_full ? 2 : 1, deadline);
    if (fds[0].revents & POLLOUT) call.OnWritable();
    if (output_full) {
      output_ready_ = OutputReady(fds[1]);
      if (awaiting_version && fds[0].revents != 0) call.OnReadable();
      return false;
    }
    // A hung-up or failed connection is read at once, batching or not.
    const bool broken = fds[0].revents & (POLLHUP | POLLERR);
    const bool due = batch.on ? Clock::now() >= batch.due : (fds[0].revents & POLLIN) != 0;
    return due || broken;
  }

  // Reads all the socket holds (until the output is full), then decides
  // whether to gather: events that came less than the load gap apart start
  // or continue a batch; a read that found nothing ends it.
  void ReadWhatCame(GrpcCall& call, Batch& batch) {
    const uint64_t before = call.messages();
    const uint64_t bytes_before = call.bytes_received();
    while (call.OnReadable() && !sink_->blocked() && !Stopping()) {
    }
    if (call.answered() && !ended_empty_) SayConnected();
    const auto now = Clock::now();
    if (call.messages() == before) {
      batch.on = false;  // the load is over: wait for data again
      return;
    }
    const auto max_delay = std::chrono::milliseconds(options_.max_delay_ms);
    const auto load_gap = std::clamp<Clock::duration>(max_delay, kLoadGap, kTrickleGap);
    const auto since_last = now - batch.last_events;
    batch.on = max_delay.count() > 0 && (batch.on || since_last < load_gap);
    batch.last_events = now;
    if (!batch.on) return;
    // What came in `since_last` sets the pace: sleep until about
    // kBatchBuffer more have gathered, never longer than --max-delay.
    const double used = double(call.bytes_received() - bytes_before) +
                        kWriteOverhead * double(call.messages() - before);
    const auto fill = since_last * (kBatchBuffer / used);
    batch.due = now + std::clamp<Clock::duration>(
                          std::chrono::duration_cast<Clock::duration>(fill), kMinBatchDelay,
                          std::chrono::duration_cast<Clock::duration>(max_delay));
  }

  // A stop or a reload ends the stream without losing what the agent sent:
  // it is asked to send no more (GrpcCall::HoldCredit), and everything it
  // wrote before that is read and printed (Finish() or the next turn writes
  // it out). An agent that does not acknowledge gets kStopDrainBudget.
  // Its own ppoll(), not Wait(): Wait() returns at once while stopping.
  void Drain(GrpcCall& call) {
    call.HoldCredit();
    const auto until = Clock::now() + kStopDrainBudget;
    while (!call.done() && !call.credit_held() && sink_->error().empty()) {
      if (Clock::now() >= until) break;
      pollfd fd{call.fd(), POLLIN, 0};
      if (call.WantsToWrite()) fd.events |= POLLOUT;
      const timespec timeout = TimeoutUntil(until);
      if (ppoll(&fd, 1, &timeout, &wait_mask_) <= 0) continue;
      if (fd.revents & POLLOUT) call.OnWritable();
      if (fd.revents & (POLLIN | POLLHUP | POLLERR)) {
        while (call.OnReadable()) {
        }
      }
    }
  }

  // transport -> decode -> filter -> encode -> sink, for one gRPC message.
  // A stop does not cut this short: what the agent sent is printed (Drain).
  bool OnMessage(const uint8_t* data, size_t size) {
    // The first event shows the agent took the call: say so before the
    // event's line, which may wait for the output (journald away).
    SayConnected();
    if (!pushdown_note_.empty()) SayPushdownNote();
    ++stats_.received;
    // Most events are not a human's: those the filter drops on their kind
    // and process.auid alone are dropped on a skim of those two fields,
    // never validated whole (docs/performance.md: why that is safe). An
    // event to print is validated whole below, as before.
    if (skim_first_ && decoder_.Skim(data, size) &&
        filter_.Check(decoder_.event(), decoder_.walker()) != Verdict::kPrint) {
      ++stats_.filtered_out;
      return true;
    }
    switch (decoder_.Decode(data, size)) {
      case Decoder::Result::kMalformed:
        ++stats_.decode_errors;
        // A broken event means a broken agent or connection: nothing after it
        // can be trusted, so drop the connection and start over.
        abort_reason_ = "a message of " + std::to_string(size) +
                        " bytes is not a valid GetEventsResponse (" + decoder_.problem() + ")";
        return false;
      case Decoder::Result::kUnmodelled:
        if (stats_.skipped_types++ == 0) {
          Say(Priority::kWarning,
              "tetrars: skipped an event of a kind this version does not model: the counters "
              "(SIGUSR1) count such events");
        }
        return true;
      case Decoder::Result::kEvent:
        break;
    }
    const Event& event = decoder_.event();
    if (filter_.Check(event, decoder_.walker()) != Verdict::kPrint || !MatchesAll(event)) {
      ++stats_.filtered_out;
      return true;
    }
    ++stats_.matched;
    return Print(event);
  }

  // encode -> sink, for an event that passed the filter; false once the
  // output failed for good.
  bool Print(const Event& event) {
    wire::Walker& walker = decoder_.walker();
    const Event* printed = &event;
    if (masks_here_) {
      // The agent's field filter, applied here (see OnAgentVersion): the
      // result is a subset of a valid event, so it decodes.
      Masks().Apply(event.data, event.size, walker, masked_);
      if (decoder_.Decode(reinterpret_cast<const uint8_t*>(masked_.data()), masked_.size()) !=
          Decoder::Result::kEvent) {
        ++stats_.encode_errors;
        SayRepeated(mask_errors_,
                    "tetrars: removing the fields -f/-F leave out broke an event: report it with "
                    "the agent's version; --fields-by agent avoids it");
        return true;
      }
      printed = &decoder_.event();
    }
    std::string why;
    switch (encoder_.Encode(*printed, walker, sink_->buffer(), &why)) {
      case LineEncoder::Result::kFailed:
        ++stats_.encode_errors;
        SayRepeated(encode_errors_, "tetrars: cannot print an event as JSON: " + why +
                                        ": report it with the agent's version");
        return true;
      case LineEncoder::Result::kTruncated:
        ++stats_.truncated;
        break;
      case LineEncoder::Result::kWritten:
        break;
    }
    if (const UserNames* names = encoder_.user_names()) stats_.names_late = names->slow_lookups();
    return sink_->EndLine(*printed, walker);
  }

  void SayRepeated(RepeatedLine& repeated, const std::string& line) {
    if (auto text = repeated.Next(line, Clock::now())) Say(Priority::kError, *text);
  }

  FieldMasks& Masks() {
    std::optional<FieldMasks>& masks = pod_labels_ ? masks_with_labels_ : masks_;
    if (!masks) {
      if (pod_labels_) {
        masks.emplace(schema::FindMessage("tetragon.Pod"),
                      schema::FindMessage("tetragon.history.PodWithLabels"));
      } else {
        masks.emplace();
      }
      if (!options_.all_fields) masks->Add(options_.include_fields, /*exclude=*/false);
      if (!options_.exclude_fields.empty()) masks->Add(options_.exclude_fields, /*exclude=*/true);
    }
    return *masks;
  }

  // Every --match holds.
  bool MatchesAll(const Event& event) {
    for (const Predicate& predicate : options_.matches) {
      if (!predicate.Matches(event, decoder_.walker())) return false;
    }
    return true;
  }

  int OutputFailed() {
    const size_t lost = sink_->pending_lines() + sink_->lines_lost();
    Say(Priority::kError, std::string("tetrars: cannot write to ") + sink_->name() + ": " +
                              sink_->error() +
                              (lost > 0 ? " (" + Lines(lost) + " not written)" : "") +
                              (options_.output == OutputFormat::kJournal
                                   ? ": check systemd-journald.service, or use -o json"
                                   : ": check the program or file that reads tetrars' output"));
    Say(Priority::kNotice, StatsLine());
    return 1;
  }

  // Everything pending, however long the reader takes (a stop signal cuts
  // this short: then FlushWithin's budget applies).
  bool FlushAll() {
    while (sink_->has_pending() && !Stopping()) {
      ReportIfAsked();  // the journal sink returns at once while SIGUSR1 waits
      if (!FlushOutput()) return false;
      pollfd output{sink_->poll_fd(), POLLOUT, 0};
      if (sink_->blocked()) {
        Wait(&output, 1, sink_->retry_at());
        output_ready_ = OutputReady(output);
      }
    }
    return sink_->error().empty();
  }

  int Finish(int code) {
    notifier_.Stopping(Stopping() ? "stopping: writing out what the agent sent" : "exiting");
    // After a stop signal, flush within the budget; otherwise write it all.
    if (!Stopping()) FlushAll();
    const bool flushed =
        sink_->error().empty() && (!sink_->has_pending() || sink_->FlushWithin(kStopFlushBudgetMs));
    if (!sink_->error().empty()) return OutputFailed();
    if (!flushed) {
      Say(Priority::kError, "tetrars: " + Lines(sink_->pending_lines()) +
                                " could not be written to " + sink_->name() + " within " +
                                Duration(kStopFlushBudgetMs) + " of the stop signal: " +
                                (options_.output == OutputFormat::kJournal
                                     ? "check systemd-journald.service"
                                     : "the program reading tetrars' output is not reading"));
      code = 1;
    }
    Say(Priority::kNotice, StatsLine());
    return code;
  }

  const Options& options_;
  sigset_t wait_mask_;
  Decoder decoder_;
  EventFilter filter_;
  LineEncoder encoder_;
  std::unique_ptr<LineSink> sink_;
  Stats stats_;
  bool pushdown_;
  Keepalive keepalive_;
  // -f/-F as the agent would apply them, compiled when first needed (most
  // agents apply them themselves): over our schema, and over the Pod of
  // agents whose Pod field 3 is its labels list (agent_version.h).
  std::optional<FieldMasks> masks_;
  std::optional<FieldMasks> masks_with_labels_;
  bool pod_labels_ = false;  // this connection's agent is one of those
  bool masks_here_ = false;  // this connection: tetrars applies them, not the agent
  std::string masked_;       // the event with masks_ applied
  std::string where_;        // the agent's address as given
  // The notes about an agent's version: said after the "connected" line of
  // the first connection that reports that version.
  std::vector<std::pair<Priority, std::string>> agent_notes_;
  std::optional<std::string> notes_pending_for_;  // the version agent_notes_ are for
  std::optional<std::string> notes_said_for_;     // the version last noted
  std::string abort_reason_;
  CallResult pushdown_refusal_;  // the agent's answer to the request with the --auid rule's CEL
  std::string pushdown_note_;    // said once the request without that CEL got another answer
  std::string last_state_;
  std::string connected_line_;  // said at the first event after streams that ended empty
  bool ended_empty_ = false;    // the last stream ended before its first event
  bool output_ready_ = false;   // ppoll said the full output takes more now
  Notifier notifier_ = Notifier::FromEnvironment();
  const bool hangup_is_stop_ = isatty(STDOUT_FILENO) || isatty(STDERR_FILENO);
  std::string agent_state_;  // for systemd's status: connecting, connected, waiting
  bool connected_ = false;   // agent_state_ is a connection: the status counts events
  // The filter reads the process's auid (or none): its facts are what a
  // skim reads (with --auid-of parent/either it reads more).
  const bool skim_first_ = options_.auid_of == AuidOf::kProcess;
  RepeatedLine encode_errors_;  // events that could not be printed
  RepeatedLine mask_errors_;    // events that -f/-F applied here broke
  int backoff_ms_;
  std::minstd_rand random_;
  Diagnostics diagnostics_;
};

}  // namespace

int Run(const Options& options) {
  Loop loop(options);
  return loop.Run();
}

}  // namespace tetrars
