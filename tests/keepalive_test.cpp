// The keepalive schedule (keepalive.h) with a simulated clock.
#include "transport/keepalive.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "cli/cli.h"
#include "ping_policy.h"

namespace tetrars {
namespace {

using Clock = Keepalive::Clock;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(Keepalive, PingsAfterAQuietIntervalAndDeclaresAnUnansweredOneDead) {
  Keepalive keepalive(minutes(5));
  const Clock::time_point t0{};
  Clock::time_point next;
  EXPECT_EQ(keepalive.Due(t0 + minutes(4), t0, false, &next), Keepalive::Action::kWait);
  EXPECT_EQ(next, t0 + minutes(5));
  EXPECT_EQ(keepalive.Due(t0 + minutes(5), t0, false, &next), Keepalive::Action::kPing);
  EXPECT_EQ(next, t0 + minutes(5) + seconds(20));  // the answer's deadline
  EXPECT_EQ(keepalive.Due(t0 + minutes(5) + seconds(19), t0, true, &next),
            Keepalive::Action::kWait);
  EXPECT_EQ(keepalive.Due(t0 + minutes(5) + seconds(20), t0, true, &next),
            Keepalive::Action::kDead);
}

TEST(Keepalive, ShortIntervalsWaitForTheAnswerAsLongAsTheInterval) {
  Keepalive keepalive(seconds(1));
  EXPECT_EQ(keepalive.AnswerTimeout(), seconds(1));
  EXPECT_EQ(Keepalive(minutes(5)).AnswerTimeout(), seconds(20));
}

TEST(Keepalive, APausedReaderRestartsTheWaitForTheAnswer) {
  Keepalive keepalive(minutes(5));
  const Clock::time_point t0{};
  Clock::time_point next;
  ASSERT_EQ(keepalive.Due(t0 + minutes(5), t0, false, &next), Keepalive::Action::kPing);
  keepalive.Pause(t0 + minutes(10));  // the output was full until then
  EXPECT_EQ(keepalive.Due(t0 + minutes(10) + seconds(19), t0, true, &next),
            Keepalive::Action::kWait);
}

TEST(Keepalive, OffNeverWakes) {
  Keepalive keepalive(milliseconds(0));
  Clock::time_point next;
  EXPECT_EQ(keepalive.Due(Clock::time_point{} + minutes(600), {}, false, &next),
            Keepalive::Action::kWait);
  EXPECT_EQ(next, Clock::time_point::max());
}

TEST(Keepalive, LengthenDoublesUpToAnHour) {
  Keepalive keepalive(minutes(40));
  keepalive.Lengthen();
  EXPECT_EQ(keepalive.interval(), minutes(60));
}

// The keepalive against grpc-go's enforcement as the fake agent implements it
// (tools/fake_agent/ping_policy.h), on an idle stream, in simulated time:
// PINGs take 100 µs each way, the agent answers at once, and a GOAWAY makes
// tetrars reconnect (a new stream: the agent sends HEADERS) with the
// interval doubled, as the loop does.
struct Simulation {
  int goaways = 0;
  int pings = 0;
  std::chrono::milliseconds final_interval{};
};

Simulation IdleStream(std::chrono::milliseconds interval, std::chrono::minutes length) {
  const auto one_way = std::chrono::microseconds(100);
  Keepalive keepalive(interval);
  fake_agent::GrpcGoPingPolicy agent;
  agent.OnDataOrHeadersSent();  // the stream's HEADERS and its last events
  Simulation result;
  const Clock::time_point start{};
  Clock::time_point now = start;
  Clock::time_point last_receive = start;
  while (now < start + length) {
    Clock::time_point next;
    const Keepalive::Action action = keepalive.Due(now, last_receive, false, &next);
    EXPECT_NE(action, Keepalive::Action::kDead);
    if (action != Keepalive::Action::kPing) {
      now = next;
      continue;
    }
    ++result.pings;
    if (agent.OnPing(now + one_way, /*stream_active=*/true)) {
      ++result.goaways;
      keepalive.Lengthen();
      agent = fake_agent::GrpcGoPingPolicy();  // a new connection
      agent.OnDataOrHeadersSent();
      now += 2 * one_way;
      last_receive = now;
      continue;
    }
    now += 2 * one_way;  // the PING's ACK
    last_receive = now;
  }
  result.final_interval = keepalive.interval();
  return result;
}

TEST(KeepaliveAgainstGrpcGo, TheDefaultHoldsForHoursOfAnIdleStream) {
  for (const auto length : {std::chrono::minutes(35), std::chrono::minutes(600)}) {
    const Simulation s = IdleStream(std::chrono::milliseconds(kDefaultKeepaliveMs), length);
    EXPECT_EQ(s.goaways, 0);
    // One PING per 5 minutes and a round trip (200 µs) of quiet.
    EXPECT_EQ(s.pings, int(length / (std::chrono::minutes(5) + std::chrono::microseconds(200))));
  }
}

TEST(KeepaliveAgainstGrpcGo, ThirtySecondsIsClosedAfterTwoMinutesAndBacksOffToFive) {
  // The measured behaviour of a real agent: GOAWAY ENHANCE_YOUR_CALM after
  // about 2 minutes. Doubling after each: 30s, 1m, 2m, 4m -> 8m, which holds.
  const Simulation first = IdleStream(seconds(30), std::chrono::minutes(3));
  EXPECT_EQ(first.goaways, 1);
  EXPECT_EQ(first.pings, 4);
  const Simulation s = IdleStream(seconds(30), std::chrono::minutes(35));
  EXPECT_EQ(s.goaways, 4);
  EXPECT_EQ(s.final_interval, std::chrono::minutes(8));
}

TEST(KeepaliveAgainstGrpcGo, JustBelowFiveMinutesIsClosed) {
  EXPECT_EQ(IdleStream(std::chrono::minutes(5) - seconds(1), std::chrono::minutes(20)).goaways, 1);
}

// Issue 21.5: the answer timeout is min(interval, 20s); README and --help
// said 20s. Every place that tells the user the 20s says the shorter rule too.
TEST(Keepalive, TheDocsStateTheAnswerTimeoutTheCodeUses) {
  EXPECT_EQ(Keepalive(minutes(5)).AnswerTimeout(), seconds(20));
  EXPECT_EQ(Keepalive(seconds(2)).AnswerTimeout(), seconds(2));
  const auto read = [](const std::string& path) {
    std::ifstream in(std::string(TETRARS_TEST_DATA) + "/../../" + path);
    EXPECT_TRUE(in) << path;
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const std::pair<std::string, std::string> docs[] = {{"--help", HelpText()},
                                                      {"README.md", read("README.md")},
                                                      {"tetrars.1", read("docs/tetrars.1")}};
  for (const auto& [name, raw] : docs) {
    const std::string text = std::regex_replace(raw, std::regex(R"(\s+)"), " ");
    const std::regex twenty(R"((within|after) 20 ?s)");
    size_t mentions = 0;
    for (std::sregex_iterator it(text.begin(), text.end(), twenty), end; it != end; ++it) {
      ++mentions;
      const std::string after = text.substr(size_t(it->position() + it->length()), 60);
      EXPECT_NE(after.find("interval"), std::string::npos)
          << name << ": '" << it->str() << after << "' leaves out the shorter interval";
    }
    EXPECT_GE(mentions, 1u) << name;
  }
}

}  // namespace
}  // namespace tetrars
