// A diagnostic that could repeat with every event (an event that cannot be
// printed): said the first time, then at most once per interval, each time
// with how many like it were not said since. The counters (SIGUSR1, the stop
// line) count every one; this keeps stderr and the journal readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace tetrars {

class RepeatedLine {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RepeatedLine(Clock::duration interval = std::chrono::minutes(1)) : interval_(interval) {}

  // What to say for `line` at `now`: the line itself, the line with the
  // count of those left unsaid, or nothing.
  std::optional<std::string> Next(const std::string& line, Clock::time_point now) {
    if (said_ && now - said_at_ < interval_) {
      ++unsaid_;
      return std::nullopt;
    }
    std::string text = line;
    if (unsaid_ > 0) {
      text += " (" + std::to_string(unsaid_) + " more like it since the last such line, not shown)";
    }
    said_ = true;
    said_at_ = now;
    unsaid_ = 0;
    return text;
  }

 private:
  Clock::duration interval_;
  bool said_ = false;
  Clock::time_point said_at_{};
  uint64_t unsaid_ = 0;
};

}  // namespace tetrars
