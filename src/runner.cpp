#include "runner.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <string>

#include "decode.h"
#include "event_filter.h"
#include "json_writer.h"
#include "request.h"
#include "signals.h"
#include "sink.h"
#include "stats.h"
#include "tetrars_version.h"
#include "transport.h"

namespace tetrars {
namespace {

void Say(const std::string& line) {
  std::string text = line + "\n";
  // One write per line so lines from tetrars never interleave mid-line.
  [[maybe_unused]] ssize_t n = write(STDERR_FILENO, text.data(), text.size());
}

class Loop {
 public:
  explicit Loop(const Options& options)
      : options_(options),
        filter_(options.event_types, options.auid),
        sink_(STDOUT_FILENO),
        request_(BuildRequest(options).SerializeAsString()) {
    InstallSignalHandlers(&wait_mask_);
  }

  int Run() {
    Say(std::string("tetrars ") + TETRARS_VERSION + " started");
    const std::string where = options_.address.original;
    std::string last_state;
    bool connected_before = false;
    while (!Stopping()) {
      std::string error;
      auto call = GrpcCall::Connect(
          options_.address, request_, options_.max_message_size,
          [this](const uint8_t* data, size_t size) { return OnMessage(data, size); },
          std::string("tetrars/") + TETRARS_VERSION, &error);
      if (!call) {
        if (options_.once) {
          Say("tetrars: cannot connect to " + where + ": " + error +
              ": check that the Tetragon agent runs and --server-address is right");
          return Finish(1);
        }
        SayOnce(last_state, "tetrars: cannot connect to " + where + ": " + error +
                                ": retrying every " + Seconds() + " until the agent is back");
        Wait(-1, 0, options_.reconnect_delay_ms);
        continue;
      }
      if (connected_before) ++stats_.reconnects;
      connected_before = true;
      SayOnce(last_state, "tetrars: connected to " + where);

      Stream(*call);
      if (!sink_.Flush() || !sink_error_.empty()) return OutputFailed();
      if (Stopping()) break;

      const CallResult& result = call->result();
      if (options_.once) {
        if (result.ok()) return Finish(0);
        Say("tetrars: the event stream from " + where + " failed: " + result.Describe() + ": " +
            (result.remedy.empty() ? "check the agent's log" : result.remedy));
        return Finish(1);
      }
      SayOnce(last_state,
              result.ok()
                  ? "tetrars: the agent ended the event stream: reconnecting in " + Seconds()
                  : "tetrars: the event stream from " + where + " failed: " + result.Describe() +
                        ": reconnecting in " + Seconds());
      Wait(-1, 0, options_.reconnect_delay_ms);
    }
    return Finish(0);
  }

 private:
  bool Stopping() const { return g_stop_signal != 0; }

  std::string Seconds() const {
    const int ms = options_.reconnect_delay_ms;
    return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
  }

  // Prints a state line only when the state changed: a dead agent gives one
  // line, not one per attempt.
  static void SayOnce(std::string& last, const std::string& line) {
    if (line == last) return;
    last = line;
    Say(line);
  }

  // Waits for fd events (fd < 0: just sleeps) or a signal; returns revents.
  short Wait(int fd, short events, int timeout_ms) {
    pollfd p{fd, events, 0};
    timespec timeout{timeout_ms / 1000, long(timeout_ms % 1000) * 1000000L};
    const int rc = ppoll(&p, fd >= 0 ? 1 : 0, timeout_ms < 0 ? nullptr : &timeout, &wait_mask_);
    if (g_report_stats) {
      g_report_stats = 0;
      Say(stats_.Line());
    }
    return rc > 0 ? p.revents : 0;
  }

  void Stream(GrpcCall& call) {
    while (!call.done() && !Stopping() && sink_error_.empty()) {
      // Everything read so far is written out before we sleep.
      if (!sink_.Flush()) return;
      const short revents = Wait(call.fd(), call.PollEvents(), -1);
      if (revents & (POLLIN | POLLHUP | POLLERR)) call.OnReadable();
      if (revents & POLLOUT) call.OnWritable();
    }
  }

  // transport -> decode -> filter -> encode -> sink, for one gRPC message.
  bool OnMessage(const uint8_t* data, size_t size) {
    ++stats_.received;
    switch (decoder_.Decode(data, size)) {
      case Decoder::Result::kMalformed:
        ++stats_.decode_errors;
        Say("tetrars: skipped a message of " + std::to_string(size) +
            " bytes that is not a valid GetEventsResponse (bad protobuf, or a string that is not "
            "UTF-8): report it with the agent's version");
        return true;
      case Decoder::Result::kUnmodelled:
        if (stats_.skipped_types++ == 0) {
          Say("tetrars: skipped an event of a kind this version does not model: the counters "
              "(SIGUSR1) count such events");
        }
        return true;
      case Decoder::Result::kEvent:
        break;
    }
    if (filter_.Check(decoder_.event()) != Verdict::kPrint) {
      ++stats_.filtered_out;
      return true;
    }
    ++stats_.matched;
    std::string why;
    if (!AppendJson(decoder_.event(), sink_.buffer(), &why)) {
      ++stats_.encode_errors;
      Say("tetrars: cannot print an event as JSON: " + why +
          ": report it with the agent's version");
      return true;
    }
    if (!sink_.EndLine()) {
      sink_error_ = sink_.error();
      return false;
    }
    ++stats_.written;
    return true;
  }

  int OutputFailed() {
    Say("tetrars: cannot write to standard output: " +
        (sink_error_.empty() ? sink_.error() : sink_error_) +
        ": check the program or file that reads tetrars' output");
    return Finish(1);
  }

  int Finish(int code) {
    if (code == 0 && !sink_.Flush()) return OutputFailed();
    Say(stats_.Line());
    return code;
  }

  const Options& options_;
  sigset_t wait_mask_;
  Decoder decoder_;
  EventFilter filter_;
  Sink sink_;
  Stats stats_;
  std::string request_;
  std::string sink_error_;
};

}  // namespace

int Run(const Options& options) {
  Loop loop(options);
  return loop.Run();
}

}  // namespace tetrars
