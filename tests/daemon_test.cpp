// The daemon in its worst states, end to end: stopped while its output is
// stuck and the agent quiet, started with closed standard descriptors,
// counters after failed writes, every signal, a bad agent info file, a socket
// path that is no socket, a permission problem, an agent that ends every
// stream at once, and its diagnostics under systemd's journal stream.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>

#include "e2e_support.h"

namespace {

using namespace e2e;
using test_util::ChildProcess;

constexpr const char* kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// A unix socket that accepts connections and records every byte sent to it,
// without answering: what a client writes to "the agent", nothing more.
class RecordingListener {
 public:
  explicit RecordingListener(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 && listen(fd_, 8) == 0;
    thread_ = std::thread([this] { Run(); });
  }
  ~RecordingListener() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  bool bound() const { return bound_; }
  std::string bytes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return bytes_;
  }
  int connections() const { return connections_; }

 private:
  void Run() {
    std::vector<int> clients;
    while (!stop_) {
      std::vector<pollfd> fds{{fd_, POLLIN, 0}};
      for (int c : clients) fds.push_back({c, POLLIN, 0});
      if (poll(fds.data(), fds.size(), 20) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) {
          clients.push_back(c);
          ++connections_;
        }
      }
      for (size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
        char buffer[4096];
        const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
        if (n > 0) {
          std::lock_guard<std::mutex> lock(mutex_);
          bytes_.append(buffer, size_t(n));
        }
      }
    }
    for (int c : clients) close(c);
  }

  int fd_ = -1;
  bool bound_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  std::string bytes_;
  std::thread thread_;
};

// The descriptor helpers live in EndToEnd (e2e_support.h): the service tests
// start tetrars the same way.
class Daemon : public EndToEnd {
 protected:
  long long Counter(const std::string& name) { return StatsCounter(Err(), name); }
};

// Issue 11.1: the stop was taken by the blocked write and then slept through
// in a ppoll() on the quiet agent's socket: SIGTERM did nothing.
TEST_F(Daemon, StopWithAStuckReaderAndAQuietAgentExitsWithinASecond) {
  // One replay, then the stream stays open and silent.
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64"), "--idle"});
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  // A one-page pipe: every event is read from the agent before the write blocks.
  ASSERT_GT(fcntl(pipe_fds[1], F_SETPIPE_SZ, 4096), 0);
  StartWith({Address(), "--auid", "any"}, Descriptors(pipe_fds[1], OpenFile(dir_ + "/err.txt")));
  ASSERT_TRUE(
      test_util::WaitUntil([&] { return Err().find("connected") != std::string::npos; }, 10000))
      << Err();
  usleep(500 * 1000);  // everything received, the write blocked
  ASSERT_TRUE(tetrars_->Running()) << Err();
  const auto stopped_at = std::chrono::steady_clock::now();
  tetrars_->Signal(SIGTERM);
  const int code = tetrars_->Wait(1000);
  ASSERT_NE(code, -1) << "still running 1 s after SIGTERM\n" << Err();
  EXPECT_LT(std::chrono::steady_clock::now() - stopped_at, std::chrono::seconds(1));
  EXPECT_EQ(code, 1) << Err();
  EXPECT_NE(Err().find(" could not be written to standard output within 100ms of the stop "
                       "signal: the program reading tetrars' output is not reading"),
            std::string::npos)
      << Err();
  // written= is what the reader can read: the whole lines in the pipe.
  fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
  std::string piped;
  char buffer[4096];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) piped.append(buffer, n);
  close(pipe_fds[0]);
  const long long whole_lines = std::count(piped.begin(), piped.end(), '\n');
  EXPECT_GT(whole_lines, 0);
  EXPECT_EQ(Counter("written"), whole_lines) << Err();
  EXPECT_EQ(Counter("written") + Counter("unwritten"), Counter("matched")) << Err();
  EXPECT_GT(Counter("unwritten"), 0) << Err();
}

// Issue 14: a reconnection while the output is full still reads the agent's
// version (the socket is not read while the output is full, but no event can
// come before GetEvents). Were it not read, after 5 s the v0.10.0 agent would
// be taken for one of unknown version and sent the field filter that damages
// its other clients' events (found by review).
TEST_F(Daemon, AnOldAgentIsRecognisedWhenTheOutputIsFullAtReconnection) {
  const std::string requests = dir_ + "/requests.jsonl";
  // The raw server writes 30 events and a broken message at once (as in
  // FullOutputDuringBackoffCostsNoCpuAndStopsAtOnce): tetrars reads them
  // all, drops the connection, and reconnects with the pipe full.
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64"), "--fault", "unparsable",
             "--fault-after", "30", "--fault-connections", "100", "--agent-version", "v0.10.0",
             "--request-log", requests});
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  ASSERT_GT(fcntl(pipe_fds[1], F_SETPIPE_SZ, 4096), 0);  // full after a few lines, never read
  StartWith({Address(), "--auid", "any", "--reconnect-max", "200ms"},
            Descriptors(pipe_fds[1], OpenFile(dir_ + "/err.txt")));
  // The next connection must get its answer at once, not after GetVersion's
  // 5 s timeout (which reads the socket once more before giving up).
  ASSERT_TRUE(test_util::WaitUntil(
      [&] { return Err().find("is not a valid GetEventsResponse") != std::string::npos; }, 5000))
      << Err();
  usleep(2500 * 1000);
  tetrars_->Signal(SIGTERM);
  tetrars_->Wait(2000);
  close(pipe_fds[0]);
  size_t events_requests = 0;
  for (const json& line : test_util::ParseJsonLines(test_util::ReadFile(requests))) {
    if (line.value("method", "") != "GetEvents") continue;
    ++events_requests;
    EXPECT_FALSE(line["request"].contains("field_filters")) << line.dump();
  }
  EXPECT_GE(events_requests, 2u) << Err();
  EXPECT_EQ(Err().find("version unknown"), std::string::npos) << Err();
}

// A full output while the agent is gone: the backoff waits for the output
// in ppoll; a writable output must be written, not spun on (it once was: the
// readiness was dropped, ppoll returned at once until the backoff ended, and
// the stop signals stayed pending). The agent breaks its stream after 30
// events, so tetrars is in its backoff with lines waiting, and then leaves.
TEST_F(Daemon, FullOutputDuringBackoffCostsNoCpuAndStopsAtOnce) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64"), "--fault", "unparsable",
             "--fault-after", "30", "--fault-connections", "100"});
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  ASSERT_GT(fcntl(pipe_fds[1], F_SETPIPE_SZ, 4096), 0);
  StartWith({Address(), "--auid", "any", "--all-fields", "--reconnect-max", "5s"},
            Descriptors(pipe_fds[1], OpenFile(dir_ + "/err.txt")));
  ASSERT_TRUE(
      test_util::WaitUntil([&] { return Err().find(" failed: ") != std::string::npos; }, 10000))
      << Err();
  fake_.reset();  // the agent goes away: tetrars backs off, its output full
  const auto cpu_ticks = [this] {
    const std::string stat =
        test_util::ReadFile("/proc/" + std::to_string(tetrars_->pid()) + "/stat");
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string field;
    long ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14 || i == 15) ticks += std::stol(field);
    }
    return ticks;
  };
  usleep(300 * 1000);
  const long before = cpu_ticks();
  // Drain one page at a time: the output turns writable again and again
  // while the backoff waits (never blocking: it may have nothing more).
  char buffer[4096];
  fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
  for (int i = 0; i < 20; ++i) {
    [[maybe_unused]] const ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    usleep(100 * 1000);
  }
  const long used = cpu_ticks() - before;
  EXPECT_LT(used, 20) << "CPU ticks (1/100 s) in 2 s of backoff\n" << Err();
  const auto stopped_at = std::chrono::steady_clock::now();
  tetrars_->Signal(SIGTERM);
  int code = -1;
  while (code == -1 && std::chrono::steady_clock::now() - stopped_at < std::chrono::seconds(2)) {
    while (read(pipe_fds[0], buffer, sizeof buffer) > 0) {
    }
    code = tetrars_->Wait(50);
  }
  EXPECT_NE(code, -1) << "still running 2 s after SIGTERM\n" << Err();
  EXPECT_LT(std::chrono::steady_clock::now() - stopped_at, std::chrono::seconds(1));
  close(pipe_fds[0]);
}

// A reader that stalls must not make the keepalive drop a healthy TCP
// connection: while the output is full tetrars does not read, so it cannot
// see the PING's answer; the keepalive waits for the output too.
TEST_F(Daemon, StalledReaderDoesNotTripTheKeepalive) {
  const int port = test_util::FreeTcpPort();
  const std::string address = "127.0.0.1:" + std::to_string(port);
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64"), "--loop", "50", "--idle"}, address);
  ASSERT_TRUE(test_util::WaitUntil([&] { return test_util::CanConnectTcp(port); }, 10000));
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  ASSERT_GT(fcntl(pipe_fds[1], F_SETPIPE_SZ, 4096), 0);
  StartWith({"--server-address", address, "--auid", "any", "--keepalive", "1s"},
            Descriptors(pipe_fds[1], OpenFile(dir_ + "/err.txt")));
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));  // the reader stalls
  char buffer[65536];
  fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
  size_t lines = 0;
  const auto corpus = Corpus("all.tetra.jsonl");
  const size_t expected =
      size_t(std::count_if(corpus.begin(), corpus.end(),
                           [](const json& e) { return e.contains("process_exec"); })) *
      50;
  ASSERT_TRUE(test_util::WaitUntil(
      [&] {
        for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
          lines += size_t(std::count(buffer, buffer + n, '\n'));
        }
        return lines >= expected;
      },
      20000))
      << lines << " of " << expected << " lines\n"
      << Err();
  tetrars_->Signal(SIGTERM);
  EXPECT_EQ(tetrars_->Wait(2000), 0) << Err();
  EXPECT_EQ(Err().find("did not answer an HTTP/2 PING"), std::string::npos) << Err();
  EXPECT_EQ(Counter("reconnects"), 0) << Err();
  close(pipe_fds[0]);
}

// Issue 11.2: with stdout closed, the agent's socket became fd 1 and got JSON.
TEST_F(Daemon, ClosedStdoutIsRefusedAndTheAgentGetsNoByte) {
  RecordingListener agent(socket_);
  ASSERT_TRUE(agent.bound());
  StartWith({Address()}, Descriptors(ChildProcess::kClosed, OpenFile(dir_ + "/err.txt")));
  ASSERT_EQ(tetrars_->Wait(5000), 1) << Err();
  EXPECT_NE(Err().find("tetrars: standard output is closed, so the events would have nowhere to "
                       "go: start tetrars with stdout open on a file, a pipe or the journal, or "
                       "use -o journal\n"),
            std::string::npos)
      << Err();
  usleep(100 * 1000);
  EXPECT_EQ(agent.bytes(), "");
}

// ... and with stderr closed, its lines went into the HTTP/2 connection.
TEST_F(Daemon, ClosedStderrNeverReachesTheAgent) {
  RecordingListener agent(socket_);
  ASSERT_TRUE(agent.bound());
  StartWith({Address()}, Descriptors(OpenFile(dir_ + "/out.jsonl"), ChildProcess::kClosed));
  ASSERT_TRUE(test_util::WaitUntil([&] { return agent.bytes().size() >= 24; }, 5000));
  usleep(300 * 1000);  // the "connected" line would follow the preface
  tetrars_->Signal(SIGTERM);
  ASSERT_EQ(tetrars_->Wait(2000), 0);
  const std::string bytes = agent.bytes();
  EXPECT_EQ(bytes.rfind(kHttp2Preface, 0), 0u) << bytes;
  EXPECT_EQ(bytes.find("tetrars"), bytes.find("tetrars/"))  // only the user-agent header
      << bytes;
  EXPECT_EQ(bytes.find("connected"), std::string::npos) << bytes;
  EXPECT_EQ(Out(), "");
}

// A closed stdin too: the socket must not take descriptor 0 either (it would
// then be the one closed by anything that "closes stdin").
TEST_F(Daemon, ClosedStdinIsOpenedOnDevNull) {
  RecordingListener agent(socket_);
  ASSERT_TRUE(agent.bound());
  ChildProcess::Setup setup =
      Descriptors(OpenFile(dir_ + "/out.jsonl"), OpenFile(dir_ + "/err.txt"));
  close(setup.stdin_fd);
  setup.stdin_fd = ChildProcess::kClosed;
  StartWith({Address()}, setup);
  ASSERT_TRUE(test_util::WaitUntil([&] { return agent.bytes().size() >= 24; }, 5000)) << Err();
  const std::string fd0 = "/proc/" + std::to_string(tetrars_->pid()) + "/fd/0";
  char target[256] = {};
  ASSERT_GT(readlink(fd0.c_str(), target, sizeof target - 1), 0);
  EXPECT_STREQ(target, "/dev/null");
  tetrars_->Signal(SIGTERM);
  ASSERT_EQ(tetrars_->Wait(2000), 0) << Err();
}

// Issue 11.3: written= counted lines that never reached the output.
TEST_F(Daemon, WrittenCountsOnlyWhatTheOutputTook) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64")});
  StartWith({Address(), "--once"},
            Descriptors(OpenFile("/dev/full", O_WRONLY), OpenFile(dir_ + "/err.txt")));
  ASSERT_EQ(tetrars_->Wait(10000), 1) << Err();
  EXPECT_NE(Err().find("tetrars: cannot write to standard output: No space left on device ("),
            std::string::npos)
      << Err();
  EXPECT_EQ(Counter("written"), 0) << Err();
  EXPECT_GT(Counter("unwritten"), 0) << Err();
  EXPECT_LE(Counter("unwritten"), Counter("matched")) << Err();
}

// Issue 11.5: every signal either stops tetrars cleanly or is ignored, or
// (SIGHUP, issue 20) reloads: service_test.cpp.
TEST_F(Daemon, Usr2AndAlarmAreIgnored) {
  StartFake({"--replay", test_util::CorpusPath("seed.wire.b64"), "--idle"});
  StartTetrars({});
  ASSERT_TRUE(test_util::WaitUntil([&] { return OutLines() > 0; }, 10000)) << Err();
  for (int signo : {SIGUSR2, SIGALRM}) tetrars_->Signal(signo);
  usleep(300 * 1000);
  ASSERT_TRUE(tetrars_->Running()) << Err();
  tetrars_->Signal(SIGTERM);
  ASSERT_EQ(tetrars_->Wait(2000), 0) << Err();
  EXPECT_NE(Err().find("tetrars: stats: received="), std::string::npos) << Err();
}

// Issue 11.4: a directory or an endless file at the info file's place.
TEST_F(Daemon, BadAgentInfoFileIsAUsageErrorNotACrash) {
  for (const std::string& info : {dir_, std::string("/dev/zero")}) {
    SCOPED_TRACE(info);
    StartWith({}, Descriptors(OpenFile(dir_ + "/out.jsonl"), OpenFile(dir_ + "/err.txt"),
                              {"TETRARS_TETRAGON_INFO=" + info}));
    ASSERT_EQ(tetrars_->Wait(3000), 2) << Err();
    EXPECT_EQ(Err(), "tetrars: " + info + " is not a regular file: fix or remove " + info +
                         ", or pass --server-address\n");
  }
}

// Issue 11.6: what a socket path that is no socket, or a forbidden one, says.
TEST_F(Daemon, SocketPathThatIsNoSocketSaysSo) {
  ASSERT_EQ(mkdir(socket_.c_str(), 0755), 0);
  ASSERT_EQ(RunTetrars({"--once"}), 1) << Err();
  EXPECT_NE(Err().find("tetrars: cannot connect to unix://" + socket_ + ": " + socket_ +
                       " is a directory, not a socket: check --server-address"),
            std::string::npos)
      << Err();
  rmdir(socket_.c_str());
  close(OpenFile(socket_));
  ASSERT_EQ(RunTetrars({"--once"}), 1) << Err();
  EXPECT_NE(Err().find(socket_ + " is a file, not a socket: check --server-address"),
            std::string::npos)
      << Err();
}

TEST_F(Daemon, PermissionDeniedSaysWhoMayConnect) {
  if (geteuid() != 0) GTEST_FAIL() << "needs root to run tetrars as another user";
  StartFake({"--replay", test_util::CorpusPath("seed.wire.b64"), "--idle"});
  ASSERT_EQ(chmod(socket_.c_str(), 0600), 0);
  ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
  // Nobody may not reach build/tetrars: a clone under /root (0700) is out of
  // its reach, and the exec would fail (exit 127) before tetrars says a word.
  // A copy in the test's folder under /tmp (0755) is where nobody can run it,
  // wherever the clone lives.
  const std::string binary = dir_ + "/tetrars";
  ASSERT_TRUE(std::filesystem::copy_file(kTetrars, binary));
  ASSERT_EQ(chmod(binary.c_str(), 0755), 0);
  StartWith({Address(), "--once"},
            Descriptors(OpenFile(dir_ + "/out.jsonl"), OpenFile(dir_ + "/err.txt"), {},
                        65534),  // nobody
            binary);
  ASSERT_EQ(tetrars_->Wait(5000), 1) << Err();
  EXPECT_NE(Err().find("tetrars: cannot connect to unix://" + socket_ + ": Permission denied on " +
                       socket_ +
                       ": run tetrars as root, or as a member of the group that owns the socket"),
            std::string::npos)
      << Err();
}

// Issue 11.6: a bad --cel-expression of the user's is not blamed on the auid rule.
TEST_F(Daemon, RefusedUserCelIsNamedAndTheAuidRuleIsNotBlamed) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64"), "--cel", "evaluate"});
  ASSERT_EQ(RunTetrars({"--once", "--cel-expression", "process_exec.process.auid >>> 1"}), 1)
      << Err();
  EXPECT_NE(Err().find("refused the request: status INVALID_ARGUMENT (3): "), std::string::npos)
      << Err();
  EXPECT_NE(Err().find(": check --cel-expression: the agent could not use it\n"), std::string::npos)
      << Err();
  EXPECT_EQ(Err().find("--auid rule"), std::string::npos) << Err();
}

// Issue 11.7: an agent that ends every stream at once gets backoff and two
// lines in all, not two lines per attempt.
TEST_F(Daemon, AgentThatEndsEveryStreamAtOnceGetsBackoffAndOneLine) {
  StartFake({});  // no events, every stream ends at once with OK
  StartTetrars({});
  std::this_thread::sleep_for(std::chrono::seconds(3));
  tetrars_->Signal(SIGTERM);
  ASSERT_EQ(tetrars_->Wait(2000), 0) << Err();
  const std::string err = Err();
  const auto count = [&err](const std::string& text) {
    size_t n = 0;
    for (size_t at = err.find(text); at != std::string::npos; at = err.find(text, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("tetrars: connected to"), 1u) << err;
  EXPECT_EQ(count("tetrars: the agent ended the event stream without sending an event: "
                  "reconnecting (with backoff up to 5s)"),
            1u)
      << err;
  // 50+100+200+400+800 ms at least before the 6th attempt, 1.6 s more for the 7th.
  EXPECT_GE(Counter("reconnects"), 3) << err;
  EXPECT_LE(Counter("reconnects"), 6) << err;
}

// Issue 11.8: under systemd, diagnostics carry their syslog priority so the
// journal keeps them apart from the JSON lines (info).
TEST_F(Daemon, DiagnosticsCarryTheirPriorityOnTheJournalStream) {
  StartFake({"--replay", test_util::CorpusPath("seed.wire.b64")});
  const std::string err_path = dir_ + "/err.txt";
  const int err_fd = OpenFile(err_path);
  struct stat st {};
  ASSERT_EQ(fstat(err_fd, &st), 0);
  const std::string stream = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  StartWith({Address(), "--once"},
            Descriptors(OpenFile(dir_ + "/out.jsonl"), err_fd, {"JOURNAL_STREAM=" + stream}));
  ASSERT_EQ(tetrars_->Wait(10000), 0) << Err();
  const auto lines = test_util::ReadLines(err_path);
  ASSERT_GE(lines.size(), 3u);
  for (const std::string& line : lines) {
    EXPECT_TRUE(std::regex_match(line, std::regex("<[345]>tetrars[ :].*"))) << line;
  }
  EXPECT_EQ(lines.front().rfind("<5>tetrars ", 0), 0u);
  EXPECT_EQ(lines.back().rfind("<5>tetrars: stats: ", 0), 0u);
  EXPECT_EQ(Out().find('<'), std::string::npos) << "JSON lines keep the stream's priority";
  // Another stream in the variable (inherited from a parent): no prefix.
  StartWith({Address(), "--once"},
            Descriptors(OpenFile(dir_ + "/out.jsonl"), OpenFile(err_path), {"JOURNAL_STREAM=1:1"}));
  ASSERT_EQ(tetrars_->Wait(10000), 0) << Err();
  EXPECT_EQ(Err().rfind("tetrars ", 0), 0u) << Err();
}

// Issue 13: a reader of tetrars' stdout that notes when each line arrives
// (CLOCK_MONOTONIC, the clock of the fake agent's --send-log) and how many
// reads it took to get them (a coalesced burst arrives in few reads).
class TimedReader {
 public:
  explicit TimedReader(int fd) : fd_(fd), thread_([this] { Run(); }) {}
  ~TimedReader() {
    Join();
    close(fd_);
  }
  // Waits until the writer closed the pipe (tetrars exited).
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  std::vector<long long> arrivals;  // per line, ns
  std::vector<std::string> lines;
  size_t reads = 0;

 private:
  void Run() {
    std::string partial;
    char buffer[65536];
    for (ssize_t n; (n = read(fd_, buffer, sizeof buffer)) > 0;) {
      const long long now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::steady_clock::now().time_since_epoch())
                                .count();
      ++reads;
      partial.append(buffer, size_t(n));
      for (size_t end; (end = partial.find('\n')) != std::string::npos;) {
        lines.push_back(partial.substr(0, end));
        arrivals.push_back(now);
        partial.erase(0, end + 1);
      }
    }
  }
  int fd_;
  std::thread thread_;
};

class Trickle : public Daemon {
 protected:
  // The fake agent paces seed.wire.b64 at `rate` events per second, noting
  // each send; tetrars prints every event (--auid any --all-fields) to a pipe.
  void Start(int rate, const std::string& max_delay, int loops = 1) {
    StartFake({"--replay", test_util::CorpusPath("seed.wire.b64"), "--raw", "--rate",
               std::to_string(rate), "--loop", std::to_string(loops), "--send-log",
               dir_ + "/sent.log"});
    int pipe_fds[2];
    ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
    reader_ = std::make_unique<TimedReader>(pipe_fds[0]);
    StartWith({Address(), "--once", "--auid", "any", "--all-fields", "--max-delay", max_delay},
              Descriptors(pipe_fds[1], OpenFile(dir_ + "/err.txt")));
  }
  std::vector<long long> Sent() {
    std::vector<long long> sent;
    for (const std::string& line : test_util::ReadLines(dir_ + "/sent.log")) {
      sent.push_back(std::stoll(line));
    }
    return sent;
  }
  // Every line, in the agent's order, once: seed's events `loops` times.
  void ExpectEveryEventInOrder(size_t count) {
    const auto replay = Corpus("seed.tetra.jsonl");
    ASSERT_EQ(reader_->lines.size(), count);
    for (size_t i = 0; i < count; ++i) {
      ASSERT_EQ(json::parse(reader_->lines[i]), replay[i % replay.size()]) << "line " << i + 1;
    }
  }
  std::unique_ptr<TimedReader> reader_;
};

// After a quiet spell each event is written at once, whatever --max-delay.
TEST_F(Trickle, ALoneEventIsWrittenAtOnce) {
  Start(/*rate=*/10, /*max_delay=*/"1s");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  tetrars_->Signal(SIGTERM);
  ASSERT_EQ(tetrars_->Wait(2000), 0) << Err();
  reader_->Join();
  const auto sent = Sent();
  ASSERT_GE(reader_->arrivals.size(), 20u);
  for (size_t i = 0; i < reader_->arrivals.size(); ++i) {
    // 100 ms apart: none may wait for the 1 s batch; 50 ms is slack for a busy machine.
    EXPECT_LT(reader_->arrivals[i] - sent[i], 50'000'000LL) << "event " << i + 1;
  }
  ExpectEveryEventInOrder(reader_->lines.size());
  EXPECT_EQ(Counter("written"), (long long)reader_->lines.size()) << Err();
}

// Under load, events are gathered: few wake-ups, few writes, no event waits
// longer than --max-delay (plus slack), none lost, none reordered.
TEST_F(Trickle, ABurstIsCoalescedWithinMaxDelay) {
  Start(/*rate=*/1000, /*max_delay=*/"100ms", /*loops=*/4);
  ASSERT_EQ(tetrars_->Wait(20000), 0) << Err();
  reader_->Join();
  const auto sent = Sent();
  const size_t events = Corpus("seed.tetra.jsonl").size() * 4;
  ExpectEveryEventInOrder(events);
  ASSERT_EQ(sent.size(), events);
  long long worst = 0;
  size_t worst_at = 0;
  for (size_t i = 0; i < events; ++i) {
    if (reader_->arrivals[i] - sent[i] > worst) {
      worst = reader_->arrivals[i] - sent[i];
      worst_at = i;
    }
  }
  // Generous slack for a loaded machine; the stream lasts 580 ms, so an unbounded
  // wait (batching until the stream ends) would still fail.
  EXPECT_LT(worst, 100'000'000LL + 200'000'000LL)
      << "event " << worst_at + 1 << " waited longer than --max-delay; sent "
      << (sent[worst_at] - sent[0]) / 1000000 << " ms after the first";
  // 1 event per ms for ~580 ms in 100 ms batches: a handful of writes, not one per event.
  EXPECT_LT(reader_->reads, events / 10) << reader_->reads << " reads for " << events << " lines";
  EXPECT_EQ(Counter("written"), (long long)events) << Err();
}

// Issue 22.3: a steady trickle (100 events/s, a busy host's exec rate) is
// gathered too, at the default --max-delay (50 ms): under 0.3 writes per
// event, none waits longer than --max-delay (plus slack), none lost.
TEST_F(Trickle, AHundredEventsASecondAreGathered) {
  Start(/*rate=*/100, /*max_delay=*/"50ms", /*loops=*/2);
  ASSERT_EQ(tetrars_->Wait(20000), 0) << Err();
  reader_->Join();
  const auto sent = Sent();
  const size_t events = Corpus("seed.tetra.jsonl").size() * 2;
  ExpectEveryEventInOrder(events);
  ASSERT_EQ(sent.size(), events);
  long long worst = 0;
  for (size_t i = 0; i < events; ++i) worst = std::max(worst, reader_->arrivals[i] - sent[i]);
  EXPECT_LT(worst, 50'000'000LL + 100'000'000LL) << "an event waited longer than --max-delay";
  // Before: one write per event (gathering started below 5 ms gaps only).
  EXPECT_LT(reader_->reads, events * 3 / 10) << reader_->reads << " reads for " << events;
  EXPECT_EQ(Counter("written"), (long long)events) << Err();
}

// A stop while events wait for their batch: written at once, in order.
TEST_F(Trickle, StopWhileCoalescingWritesWhatWasReadAndExitsAtOnce) {
  // 250 events/s: 4 ms apart, so batching; ~1.3 KB each, so a batch holds
  // ~70 of them before the socket budget: batches of about 300 ms.
  Start(/*rate=*/250, /*max_delay=*/"1s", /*loops=*/20);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // inside a batch's sleep
  const auto stopped_at = std::chrono::steady_clock::now();
  tetrars_->Signal(SIGTERM);
  ASSERT_EQ(tetrars_->Wait(1000), 0) << Err();
  EXPECT_LT(std::chrono::steady_clock::now() - stopped_at, std::chrono::milliseconds(500));
  reader_->Join();
  ASSERT_GT(reader_->lines.size(), 0u) << Err();
  ExpectEveryEventInOrder(reader_->lines.size());
  EXPECT_EQ(Counter("written"), (long long)reader_->lines.size()) << Err();
  EXPECT_EQ(Counter("unwritten"), 0) << Err();
  EXPECT_EQ(Counter("received"), Counter("written")) << Err();
}

}  // namespace
