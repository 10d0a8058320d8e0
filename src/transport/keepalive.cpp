#include "transport/keepalive.h"

#include <algorithm>

namespace tetrars {

void Keepalive::Lengthen() {
  interval_ = std::min<std::chrono::milliseconds>(interval_ * 2, std::chrono::hours(1));
}

Keepalive::Action Keepalive::Due(Clock::time_point now, Clock::time_point last_receive,
                                 bool ping_outstanding, Clock::time_point* next) {
  if (!enabled()) {
    *next = Clock::time_point::max();
    return Action::kWait;
  }
  if (ping_outstanding) {
    *next = answer_due_;
    return now >= answer_due_ ? Action::kDead : Action::kWait;
  }
  const Clock::time_point due = last_receive + interval_;
  if (now < due) {
    *next = due;
    return Action::kWait;
  }
  answer_due_ = now + AnswerTimeout();
  *next = answer_due_;
  return Action::kPing;
}

}  // namespace tetrars
