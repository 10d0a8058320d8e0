// tetrars as a service (issue 20), end to end over real sockets: what systemd
// sees through the notify protocol (READY, STATUS, WATCHDOG, STOPPING), a
// reload that leaves no gap, a hangup on a terminal, and a --cel-expression
// the agent cannot compile. (make test-systemd checks the same under a real
// systemd; these run anywhere.)
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "daemon/notify.h"
#include "daemon/repeated_line.h"
#include "e2e_support.h"

namespace {

using namespace e2e;
using Clock = std::chrono::steady_clock;

// A datagram socket standing in for systemd's $NOTIFY_SOCKET: it keeps every
// message it receives.
class NotifyListener {
 public:
  explicit NotifyListener(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~NotifyListener() { close(fd_); }
  bool bound() const { return bound_; }
  const std::string& path() const { return path_; }

  // Every message so far, in order.
  const std::vector<std::string>& Messages() {
    char buffer[4096];
    ssize_t n;
    while ((n = recv(fd_, buffer, sizeof buffer, 0)) > 0) messages_.emplace_back(buffer, size_t(n));
    return messages_;
  }
  // How many messages contain `text`.
  size_t Count(const std::string& text) {
    size_t n = 0;
    for (const std::string& message : Messages()) n += message.find(text) != std::string::npos;
    return n;
  }
  bool WaitFor(const std::string& text, int timeout_ms) {
    return test_util::WaitUntil([&] { return Count(text) > 0; }, timeout_ms);
  }
  std::string All() {
    std::string all;
    for (const std::string& message : Messages()) all += "[" + message + "]\n";
    return all;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
  std::vector<std::string> messages_;
};

class Service : public EndToEnd {
 protected:
  // tetrars with its output in out.jsonl and err.txt (or `stderr_fd`), and
  // `environment` added.
  void StartWithEnvironment(std::vector<std::string> args, std::vector<std::string> environment,
                            int stderr_fd = -1) {
    args.push_back(Address());
    StartWith(args, Descriptors(OpenFile(dir_ + "/out.jsonl"),
                                stderr_fd >= 0 ? stderr_fd : OpenFile(dir_ + "/err.txt"),
                                std::move(environment)));
  }
  size_t Occurrences(const std::string& text) {
    const std::string err = Err();
    size_t n = 0;
    for (size_t at = err.find(text); at != std::string::npos; at = err.find(text, at + 1)) ++n;
    return n;
  }
};

// --- the Notifier on its own

TEST(Notifier, OutsideSystemdItDoesNothingAndNeverWakes) {
  tetrars::Notifier notifier("", std::chrono::seconds(10));
  EXPECT_FALSE(notifier.enabled());
  EXPECT_EQ(notifier.Deadline(), Clock::time_point::max());
  notifier.Ready("x");  // no socket: nothing to crash on
  notifier.Tick(Clock::now());
}

TEST(Notifier, StatusChangesAreSentAtMostOnceASecond) {
  const std::string dir = test_util::MakeTempDir();
  NotifyListener systemd(dir + "/notify");
  ASSERT_TRUE(systemd.bound());
  tetrars::Notifier notifier(systemd.path(), std::chrono::microseconds(0));
  ASSERT_TRUE(notifier.enabled());
  notifier.Ready("starting");
  notifier.Status("one");  // within the second: held
  notifier.Status("two");  // replaces it
  ASSERT_EQ(systemd.Messages().size(), 1u);
  EXPECT_EQ(systemd.Messages()[0], "READY=1\nSTATUS=starting");
  const Clock::time_point due = notifier.Deadline();
  EXPECT_GT(due, Clock::now());
  EXPECT_LE(due, Clock::now() + std::chrono::seconds(1));
  notifier.Tick(due - std::chrono::milliseconds(1));
  EXPECT_EQ(systemd.Messages().size(), 1u);
  notifier.Tick(due);
  ASSERT_EQ(systemd.Messages().size(), 2u);
  EXPECT_EQ(systemd.Messages()[1], "STATUS=two");
  EXPECT_EQ(notifier.Deadline(), Clock::time_point::max());  // nothing held, no watchdog
  notifier.Status("two");                                    // unchanged: nothing to send
  notifier.Stopping("bye");
  ASSERT_EQ(systemd.Messages().size(), 3u);
  EXPECT_EQ(systemd.Messages()[2], "STOPPING=1\nSTATUS=bye");
  std::filesystem::remove_all(dir);
}

TEST(Notifier, WatchdogPingsAtHalfThePeriod) {
  const std::string dir = test_util::MakeTempDir();
  NotifyListener systemd(dir + "/notify");
  const auto start = Clock::now();
  tetrars::Notifier notifier(systemd.path(), std::chrono::seconds(30));
  const Clock::time_point first = notifier.Deadline();
  EXPECT_GE(first, start + std::chrono::seconds(15));
  EXPECT_LE(first, Clock::now() + std::chrono::seconds(15));
  notifier.Tick(first - std::chrono::seconds(1));
  EXPECT_EQ(systemd.Count("WATCHDOG=1"), 0u);
  notifier.Tick(first);
  EXPECT_EQ(systemd.Count("WATCHDOG=1"), 1u);
  EXPECT_EQ(notifier.Deadline(), first + std::chrono::seconds(15));
  std::filesystem::remove_all(dir);
}

TEST(Notifier, AbstractSocketNamesWork) {
  const std::string name = "@tetrars-test-" + std::to_string(getpid());
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path + 1, name.data() + 1, name.size() - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address),
                 socklen_t(offsetof(sockaddr_un, sun_path) + name.size())),
            0);
  tetrars::Notifier notifier(name, std::chrono::microseconds(0));
  ASSERT_TRUE(notifier.enabled());
  notifier.Ready("up");
  char buffer[64];
  const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
  EXPECT_EQ(std::string(buffer, size_t(std::max<ssize_t>(n, 0))), "READY=1\nSTATUS=up");
  close(fd);
}

// Issue 21.5: an error that can come with every event is said once a minute
// at most, with how many were not said.
TEST(RepeatedLine, SaysTheFirstThenOncePerIntervalWithTheCount) {
  tetrars::RepeatedLine repeated(std::chrono::seconds(60));
  const Clock::time_point start{};
  EXPECT_EQ(repeated.Next("broken", start + std::chrono::seconds(1)), "broken");
  EXPECT_FALSE(repeated.Next("broken", start + std::chrono::seconds(2)));
  EXPECT_FALSE(repeated.Next("broken", start + std::chrono::seconds(60)));
  EXPECT_EQ(repeated.Next("broken", start + std::chrono::seconds(61)),
            "broken (2 more like it since the last such line, not shown)");
  EXPECT_FALSE(repeated.Next("broken", start + std::chrono::seconds(62)));
  EXPECT_EQ(repeated.Next("broken", start + std::chrono::minutes(10)),
            "broken (1 more like it since the last such line, not shown)");
  EXPECT_EQ(repeated.Next("broken", start + std::chrono::minutes(20)), "broken");
}

// --- tetrars under a stand-in systemd

// READY before the agent is reached, the state in STATUS (waiting, then
// connected with the count of events written), WATCHDOG from the loop,
// STOPPING at the end.
TEST_F(Service, SystemdSeesReadyStatusWatchdogAndStopping) {
  NotifyListener systemd(dir_ + "/notify");
  ASSERT_TRUE(systemd.bound());
  StartWithEnvironment({"--reconnect-max", "200ms"},
                       {"NOTIFY_SOCKET=" + systemd.path(), "WATCHDOG_USEC=400000"});
  // No agent yet: ready all the same, and the status says what it waits for.
  ASSERT_TRUE(systemd.WaitFor("READY=1", 5000)) << systemd.All() << Err();
  EXPECT_EQ(systemd.Messages()[0].rfind("READY=1\nSTATUS=connecting to unix://", 0), 0u)
      << systemd.All();
  ASSERT_TRUE(systemd.WaitFor("STATUS=waiting for the agent at unix://" + socket_, 5000))
      << systemd.All() << Err();

  StartFake({"--replay", test_util::CorpusPath("seed.wire.b64"), "--idle"});
  const std::string connected = "STATUS=connected to unix://" + socket_ + " (";
  ASSERT_TRUE(systemd.WaitFor(connected, 10000)) << systemd.All() << Err();
  ASSERT_TRUE(test_util::WaitUntil([&] { return OutLines() > 0; }, 10000)) << Err();
  const std::string written = "; " + std::to_string(OutLines()) + " events written";
  ASSERT_TRUE(systemd.WaitFor(written, 5000)) << systemd.All() << Err();

  // Idle now: the watchdog goes on at half the period (200 ms), from the loop.
  const size_t pings = systemd.Count("WATCHDOG=1");
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const size_t more = systemd.Count("WATCHDOG=1") - pings;
  EXPECT_GE(more, 4u) << systemd.All();
  EXPECT_LE(more, 6u) << systemd.All();

  tetrars_->Signal(SIGTERM);
  ASSERT_EQ(tetrars_->Wait(2000), 0) << Err();
  EXPECT_EQ(systemd.Count("STOPPING=1"), 1u) << systemd.All();
  EXPECT_NE(systemd.Messages().back().find("STOPPING=1"), std::string::npos) << systemd.All();
}

// A watchdog meant for another process (WATCHDOG_PID) is not fed by tetrars.
TEST_F(Service, AWatchdogForAnotherProcessIsNotFed) {
  NotifyListener systemd(dir_ + "/notify");
  StartFake({"--replay", test_util::CorpusPath("seed.wire.b64"), "--idle"});
  StartWithEnvironment({}, {"NOTIFY_SOCKET=" + systemd.path(), "WATCHDOG_USEC=100000",
                            "WATCHDOG_PID=" + std::to_string(getpid())});
  ASSERT_TRUE(systemd.WaitFor("READY=1", 5000)) << Err();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(systemd.Count("WATCHDOG=1"), 0u) << systemd.All();
  tetrars_->Signal(SIGTERM);
  ASSERT_EQ(tetrars_->Wait(2000), 0) << Err();
}

// SIGHUP (systemctl reload) off a terminal: the stream ends without a loss,
// tetrars connects again at once and goes on: no exit, no gap.
TEST_F(Service, HangupReloadsWithoutAGap) {
  NotifyListener systemd(dir_ + "/notify");
  StartFake({"--replay", test_util::CorpusPath("seed.wire.b64"), "--idle"});
  StartWithEnvironment({}, {"NOTIFY_SOCKET=" + systemd.path()});
  ASSERT_TRUE(test_util::WaitUntil([&] { return OutLines() > 0; }, 10000)) << Err();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the whole replay
  const size_t first = OutLines();
  tetrars_->Signal(SIGHUP);
  // The fake replays its events to every new stream: twice as many lines.
  ASSERT_TRUE(test_util::WaitUntil([&] { return OutLines() == 2 * first; }, 5000))
      << OutLines() << " lines\n"
      << Err();
  EXPECT_TRUE(tetrars_->Running()) << Err();
  EXPECT_EQ(Occurrences("tetrars: reloading: connecting to the agent again"), 1u) << Err();
  EXPECT_EQ(Occurrences("tetrars: connected to"), 2u) << Err();
  EXPECT_NE(systemd.All().find("RELOADING=1"), std::string::npos) << systemd.All();
  EXPECT_EQ(systemd.Count("READY=1"), 2u) << systemd.All();
  tetrars_->Signal(SIGTERM);
  ASSERT_EQ(tetrars_->Wait(2000), 0) << Err();
  EXPECT_EQ(StatsCounter(Err(), "reconnects"), 1) << Err();
}

// On a terminal a hangup means the terminal is gone: tetrars stops.
TEST_F(Service, HangupOnATerminalStops) {
  StartFake({"--replay", test_util::CorpusPath("seed.wire.b64"), "--idle"});
  const int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(master, 0);
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  const int terminal = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(terminal, 0);
  StartWithEnvironment({}, {}, terminal);
  ASSERT_TRUE(test_util::WaitUntil([&] { return OutLines() > 0; }, 10000));
  tetrars_->Signal(SIGHUP);
  EXPECT_EQ(tetrars_->Wait(2000), 0);
  // What tetrars said on the terminal ends with its counters.
  std::string said;
  char buffer[4096];
  pollfd fd{master, POLLIN, 0};
  while (poll(&fd, 1, 100) > 0) {
    const ssize_t n = read(master, buffer, sizeof buffer);
    if (n <= 0) break;
    said.append(buffer, size_t(n));
  }
  EXPECT_NE(said.find("tetrars: stats: received="), std::string::npos) << said;
  EXPECT_EQ(said.find("reloading"), std::string::npos) << said;
  close(master);
}

// The user's --cel-expression refused by the agent (as v1.7.0 refuses one it
// cannot compile: UNKNOWN, "error compiling CEL expression: ..."): exit 2
// within 5 s with one line naming the flag and quoting the agent, not an
// endless reconnect.
TEST_F(Service, AUserCelTheAgentCannotCompileEndsTetrarsWithExit2) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64"), "--cel", "reject"});
  const auto start = Clock::now();
  StartTetrars({"--cel-expression", "process_exec.process.pid >"});
  const int code = tetrars_->Wait(5000);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  ASSERT_EQ(code, 2) << Err();
  EXPECT_EQ(Occurrences("cannot compile --cel-expression: it says 'error compiling CEL "
                        "expression: ERROR: <input>:1:1: cannot compile "),
            1u)
      << Err();
  EXPECT_EQ(Occurrences("tetrars: the agent refused the --auid rule"), 0u) << Err();
  EXPECT_EQ(OutLines(), 0u);
}

// Same refusal, but for tetrars' own --auid pushdown only: go on without it,
// say so once, and print the events.
TEST_F(Service, TheAuidPushdownRefusedAsCelIsDroppedOnce) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64"), "--cel", "reject", "--idle"});
  StartTetrars({});
  ASSERT_TRUE(test_util::WaitUntil([&] { return OutLines() == 97; }, 10000)) << OutLines() << "\n"
                                                                             << Err();
  tetrars_->Signal(SIGTERM);
  ASSERT_EQ(tetrars_->Wait(2000), 0) << Err();
  EXPECT_EQ(Occurrences("tetrars: the agent refused the --auid rule as a CEL expression (status "
                        "UNKNOWN (2): error compiling CEL expression"),
            1u)
      << Err();
}

// Issue 21.1: a stop reads what the agent already sent and prints it. The
// fake logs each event as it frames it for the socket (--send-log); stops at
// random moments of a 5,000 events/s stream, at the default --max-delay,
// lose none (before: 7 to 44 per stop).
TEST_F(Service, AStopPrintsEveryEventTheAgentSent) {
  std::mt19937 random(20261206);
  for (int stop = 0; stop < 4; ++stop) {
    const std::string send_log = dir_ + "/sent." + std::to_string(stop);
    StartFake({"--raw", "--rate", "5000", "--send-log", send_log, "--replay",
               test_util::CorpusPath("all.wire.b64"), "--loop", "1000"});
    StartTetrars({"--auid", "any"});
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + random() % 700));
    tetrars_->Signal(SIGTERM);
    ASSERT_EQ(tetrars_->Wait(2000), 0) << Err();
    fake_.reset();  // it has logged all it framed
    const size_t sent = test_util::ReadLines(send_log).size();
    EXPECT_GT(sent, 1000u);
    EXPECT_EQ(OutLines(), sent) << "stop " << stop + 1 << ": " << sent - OutLines() << " lost";
    EXPECT_EQ(StatsCounter(Err(), "written"), static_cast<long long>(sent)) << Err();
  }
}

// An agent that stops answering cannot hold up the stop: the drain has its
// budget.
TEST_F(Service, AStopDoesNotWaitForAHungAgent) {
  StartFake({"--replay", test_util::CorpusPath("seed.wire.b64"), "--fault", "hang", "--fault-after",
             "3"});
  StartTetrars({"--auid", "any"});
  ASSERT_TRUE(test_util::WaitUntil([&] { return OutLines() == 3; }, 10000)) << Err();
  const auto start = Clock::now();
  tetrars_->Signal(SIGTERM);
  ASSERT_EQ(tetrars_->Wait(1000), 0) << Err();
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(600));
}

}  // namespace
