// The fake agent's copy of grpc-go's keepalive enforcement, driven with
// simulated time: tetrars' keepalive is tested against it, so it must be
// grpc-go's policy exactly (internal/transport/http2_server.go handlePing).
#include "ping_policy.h"

#include <gtest/gtest.h>

namespace {

using fake_agent::GrpcGoPingPolicy;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const Clock::time_point kStart{1000h};

// The number of the PING (1-based) that gets GOAWAY, or 0 if none does.
int GoawayAt(GrpcGoPingPolicy& policy, std::chrono::nanoseconds every, Clock::duration span,
             bool stream_active = true) {
  int n = 0;
  for (auto t = kStart + every; t <= kStart + span; t += every) {
    ++n;
    if (policy.OnPing(t, stream_active)) return n;
  }
  return 0;
}

TEST(PingPolicy, EveryThirtySecondsOnAnIdleStreamIsSentAwayAtTheFourthPing) {
  GrpcGoPingPolicy policy;  // grpc-go's defaults: MinTime 5 minutes
  // The first PING has no previous one; the 2nd, 3rd and 4th are strikes,
  // and the third strike is more than maxPingStrikes (2): two minutes in.
  EXPECT_EQ(GoawayAt(policy, 30s, 10min), 4);
  EXPECT_EQ(policy.strikes(), 3);
}

TEST(PingPolicy, EveryFiveMinutesExactlyIsNeverAStrike) {
  GrpcGoPingPolicy policy;
  EXPECT_EQ(GoawayAt(policy, 5min, 35min), 0);
  EXPECT_EQ(policy.strikes(), 0);
}

TEST(PingPolicy, JustUnderMinTimeIsAStrike) {
  GrpcGoPingPolicy policy;
  EXPECT_EQ(GoawayAt(policy, 5min - 1ns, 35min), 4);
}

TEST(PingPolicy, DataOrHeadersBetweenPingsResetTheStrikes) {
  GrpcGoPingPolicy policy;
  auto t = kStart;
  EXPECT_FALSE(policy.OnPing(t += 30s, true));
  EXPECT_FALSE(policy.OnPing(t += 30s, true));
  EXPECT_FALSE(policy.OnPing(t += 30s, true));
  EXPECT_EQ(policy.strikes(), 2);
  // An event went out: the next PING is forgiven and sets the count to 0,
  // however soon it comes.
  policy.OnDataOrHeadersSent();
  EXPECT_FALSE(policy.OnPing(t += 1ms, true));
  EXPECT_EQ(policy.strikes(), 0);
  // Only once: the following ones strike again, from 0.
  EXPECT_FALSE(policy.OnPing(t += 30s, true));
  EXPECT_FALSE(policy.OnPing(t += 30s, true));
  EXPECT_TRUE(policy.OnPing(t += 30s, true));
}

TEST(PingPolicy, AStreamThatKeepsSendingIsNeverSentAway) {
  GrpcGoPingPolicy policy;
  auto t = kStart;
  for (int i = 0; i < 1000; ++i) {
    policy.OnDataOrHeadersSent();
    EXPECT_FALSE(policy.OnPing(t += 1s, true)) << i;
  }
}

TEST(PingPolicy, TheForgivenPingStillCountsAsThePreviousOne) {
  GrpcGoPingPolicy policy;
  auto t = kStart;
  policy.OnDataOrHeadersSent();
  EXPECT_FALSE(policy.OnPing(t += 10min, true));  // forgiven, and "lastPingAt" now
  EXPECT_FALSE(policy.OnPing(t += 1min, true));   // 1 min after it: a strike
  EXPECT_EQ(policy.strikes(), 1);
}

TEST(PingPolicy, WithoutAStreamTheBoundIsTwoHours) {
  // PermitWithoutStream false: keepalive PINGs should not come at all, so
  // only the very first is free unless two hours pass between them.
  GrpcGoPingPolicy every_hour;
  EXPECT_EQ(GoawayAt(every_hour, 1h, 10h, false), 4);
  GrpcGoPingPolicy every_two_hours;
  EXPECT_EQ(GoawayAt(every_two_hours, 2h, 20h, false), 0);
}

TEST(PingPolicy, ScaledDownMinTimeForEndToEndTests) {
  GrpcGoPingPolicy policy(300ms);
  EXPECT_EQ(GoawayAt(policy, 100ms, 10s), 4);
  GrpcGoPingPolicy slow(300ms);
  EXPECT_EQ(GoawayAt(slow, 300ms, 10s), 0);
}

TEST(PingPolicy, ParseDuration) {
  using fake_agent::ParseDuration;
  EXPECT_EQ(ParseDuration("300ms"), std::chrono::nanoseconds(300ms));
  EXPECT_EQ(ParseDuration("2s"), std::chrono::nanoseconds(2s));
  EXPECT_EQ(ParseDuration("5m"), std::chrono::nanoseconds(5min));
  EXPECT_EQ(ParseDuration("1h"), std::chrono::nanoseconds(1h));
  EXPECT_EQ(ParseDuration("250us"), std::chrono::nanoseconds(250us));
  for (const char* bad : {"", "5", "m", "0s", "-1s", "1.5s", "5 m", "5min", "99999999999h"})
    EXPECT_FALSE(ParseDuration(bad)) << bad;
}

}  // namespace
