// The HTTP/2 keepalive of a TCP connection to the agent: when to send a PING,
// and when an unanswered PING means the connection is dead.
//
// Contract: time is passed in (the loop passes the clock, tests a simulated
// one). A PING goes out only after `interval` with nothing received from the
// agent (its events, or the answer to the previous PING, count), so two PINGs
// are at least `interval` apart as the agent sees them: grpc-go agents close
// a connection that PINGs more often than their enforcement policy's
// MinTime (5 minutes by default) three times in a row while no data flows
// (GOAWAY ENHANCE_YOUR_CALM "too_many_pings"), hence kGrpcGoMinPingInterval
// as the default. An unanswered PING is given kPingAnswerTimeout (or the
// interval, when shorter) before the connection is declared dead.
#pragma once

#include <chrono>

namespace tetrars {

inline constexpr std::chrono::milliseconds kGrpcGoMinPingInterval = std::chrono::minutes(5);
inline constexpr std::chrono::milliseconds kPingAnswerTimeout = std::chrono::seconds(20);

class Keepalive {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Action { kWait, kPing, kDead };

  explicit Keepalive(std::chrono::milliseconds interval) : interval_(interval) {}

  bool enabled() const { return interval_.count() > 0; }
  std::chrono::milliseconds interval() const { return interval_; }
  // The agent asked for fewer PINGs: twice the interval, at most an hour.
  void Lengthen();

  // What to do at `now`; `next` is when to ask again (Clock::time_point::max()
  // when off). After kPing the caller sends the PING.
  Action Due(Clock::time_point now, Clock::time_point last_receive, bool ping_outstanding,
             Clock::time_point* next);
  // Nothing is read meanwhile (the output is full): a PING's answer could
  // not be seen, so the wait for it starts again when reading resumes.
  void Pause(Clock::time_point now) { answer_due_ = now + AnswerTimeout(); }

  std::chrono::milliseconds AnswerTimeout() const {
    return interval_ < kPingAnswerTimeout ? interval_ : kPingAnswerTimeout;
  }

 private:
  std::chrono::milliseconds interval_;
  Clock::time_point answer_due_{};
};

}  // namespace tetrars
