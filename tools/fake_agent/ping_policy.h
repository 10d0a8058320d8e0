// grpc-go's server-side keepalive enforcement (keepalive.EnforcementPolicy as
// internal/transport/http2_server.go handlePing applies it), so tests see what
// a real Tetragon agent does to a client that PINGs too often:
//   - a PING less than MinTime after the previous PING is a strike; with no
//     open stream (and PermitWithoutStream false, the default) the bound is
//     2 hours instead of MinTime;
//   - the first PING after the server sent DATA or HEADERS is no strike: it
//     resets the count to 0 (grpc-go's resetPingStrikes);
//   - every PING, strike or not, becomes "the previous PING";
//   - more than 2 strikes (maxPingStrikes): GOAWAY ENHANCE_YOUR_CALM with
//     debug data "too_many_pings", and the connection is closed.
// The clock is the caller's, so unit tests can drive it with simulated time.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace fake_agent {

class GrpcGoPingPolicy {
 public:
  static constexpr std::chrono::minutes kDefaultMinTime{5};  // grpc-go's default MinTime
  static constexpr int kMaxPingStrikes = 2;
  static constexpr std::chrono::hours kPingTimeoutWithoutStream{2};  // defaultPingTimeout

  explicit GrpcGoPingPolicy(std::chrono::nanoseconds min_time = kDefaultMinTime)
      : min_time_(min_time) {}

  // The server sent DATA or HEADERS (trailers too).
  void OnDataOrHeadersSent() { reset_pending_ = true; }
  // A PING (not an ACK) arrived at `now`; `stream_active`: the connection has
  // an open stream. True: answer with GOAWAY ENHANCE_YOUR_CALM and close.
  bool OnPing(std::chrono::steady_clock::time_point now, bool stream_active);

  int strikes() const { return strikes_; }

 private:
  std::chrono::nanoseconds min_time_;
  std::optional<std::chrono::steady_clock::time_point> last_ping_;
  bool reset_pending_ = false;
  int strikes_ = 0;
};

// "300ms", "2s", "5m", "1h" (also "ns", "us"): a positive whole number and a
// unit. Nothing for anything else.
std::optional<std::chrono::nanoseconds> ParseDuration(const std::string& text);

}  // namespace fake_agent
