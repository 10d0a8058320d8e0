#include "ping_policy.h"

#include <cctype>
#include <cstdint>

namespace fake_agent {

bool GrpcGoPingPolicy::OnPing(std::chrono::steady_clock::time_point now, bool stream_active) {
  const auto previous = last_ping_;
  last_ping_ = now;
  if (reset_pending_) {  // the server has been sending: this PING is no strike
    reset_pending_ = false;
    strikes_ = 0;
    return false;
  }
  // grpc-go's very first PING compares with the zero time: never a strike.
  if (previous.has_value()) {
    const std::chrono::nanoseconds bound =
        stream_active ? min_time_ : std::chrono::nanoseconds(kPingTimeoutWithoutStream);
    if (now < *previous + bound) ++strikes_;  // "lastPingAt.Add(bound).After(now)"
  }
  return strikes_ > kMaxPingStrikes;
}

std::optional<std::chrono::nanoseconds> ParseDuration(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 18) return std::nullopt;  // stoll cannot overflow
  const int64_t n = std::stoll(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  int64_t scale;
  if (unit == "ns") {
    scale = 1;
  } else if (unit == "us") {
    scale = 1000;
  } else if (unit == "ms") {
    scale = 1000000;
  } else if (unit == "s") {
    scale = 1000000000;
  } else if (unit == "m") {
    scale = 60LL * 1000000000;
  } else if (unit == "h") {
    scale = 3600LL * 1000000000;
  } else {
    return std::nullopt;
  }
  if (n <= 0 || n > INT64_MAX / scale) return std::nullopt;
  return std::chrono::nanoseconds(n * scale);
}

}  // namespace fake_agent
