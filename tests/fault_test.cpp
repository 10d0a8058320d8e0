// Never crash, never hang, never lose silently: tetrars against an agent that
// misbehaves (tetragon-fake --fault, a hand-driven HTTP/2 server), and
// against a reader that goes away or stops reading.
#include <fcntl.h>
#include <unistd.h>

#include "e2e_support.h"

namespace {

using namespace e2e;
using nlohmann::json;

constexpr int kFaultAfter = 3;

class Faults : public EndToEnd {
 protected:
  // The fault hits the first connection after kFaultAfter events; tetrars
  // must report it in one line, reconnect, and print the whole clean replay.
  void ExpectRecovery(const std::string& mode, const std::string& message,
                      std::vector<std::string> tetrars_args = {}, bool tcp = false,
                      size_t printed_before_fault = kFaultAfter) {
    std::string address = "unix://" + socket_;
    if (tcp) {
      const int port = test_util::FreeTcpPort();
      address = "127.0.0.1:" + std::to_string(port);
      StartFake({"--replay", test_util::CorpusPath("seed.wire.b64"), "--fault", mode,
                 "--fault-after", std::to_string(kFaultAfter)},
                address);
      ASSERT_TRUE(test_util::WaitUntil([&] { return test_util::CanConnectTcp(port); }, 10000));
    } else {
      StartFake({"--replay", test_util::CorpusPath("seed.wire.b64"), "--fault", mode,
                 "--fault-after", std::to_string(kFaultAfter)});
    }
    tetrars_args.insert(tetrars_args.end(),
                        {"--auid", "any", "--all-fields", "--server-address", address});
    StartTetrars(tetrars_args, false);
    const auto replay = Corpus("seed.tetra.jsonl");
    const size_t want = printed_before_fault + replay.size();
    ASSERT_TRUE(test_util::WaitUntil([&] { return OutLines() >= want; }, 20000))
        << OutLines() << " lines\n"
        << Err();
    tetrars_->Signal(SIGTERM);
    ASSERT_EQ(tetrars_->Wait(5000), 0) << Err();

    const auto out = OutObjects();  // every line parses: none was printed half
    ASSERT_GE(out.size(), want);
    std::vector<json> expected(replay.begin(), replay.begin() + printed_before_fault);
    expected.insert(expected.end(), replay.begin(), replay.end());
    ExpectSameEvents(std::vector<json>(out.begin(), out.begin() + want), expected);
    EXPECT_NE(Err().find(message), std::string::npos) << Err();
    EXPECT_NE(Err().find(" reconnects="), std::string::npos) << Err();
    EXPECT_EQ(Err().find(" reconnects=0"), std::string::npos) << Err();
  }
};

// Issue 21.4: GOAWAY's debug data is named (grpc-go says why it sends one),
// escaped: a hostile agent's newline and terminal escape stay inside the line.
TEST_F(Faults, GoawayDebugDataIsNamedEscaped) {
  StartFake({"--replay", test_util::CorpusPath("seed.wire.b64"), "--fault", "goaway-abrupt",
             "--fault-after", std::to_string(kFaultAfter), "--goaway-debug",
             "calm down\\ntetrars: forged \\e[31m"});
  ASSERT_EQ(RunTetrars({"--once", "--auid", "any"}), 1) << Err();
  const std::string err = Err();
  EXPECT_NE(err.find("after the agent sent GOAWAY (INTERNAL_ERROR: calm down\\ntetrars: forged "
                     "\\x1b[31m): check the agent's log\n"),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find('\x1b'), std::string::npos) << err;
  EXPECT_EQ(err.find("\ntetrars: forged"), std::string::npos) << err;
}

TEST_F(Faults, EofInTheMiddleOfAMessage) {
  ExpectRecovery(
      "eof-mid-message",
      "failed: the agent closed the connection in the middle of a message: reconnecting");
}

TEST_F(Faults, GarbageInsteadOfHttp2) {
  ExpectRecovery("garbage",
                 "failed: invalid HTTP/2 from the agent (tetrars answered GOAWAY "
                 "FRAME_SIZE_ERROR): reconnecting");
}

TEST_F(Faults, OversizedMessage) {
  ExpectRecovery("oversize",
                 "failed: gRPC message of 2147483647 bytes exceeds the maximum of 16777216 bytes "
                 "(--max-message-size): reconnecting");
}

TEST_F(Faults, CompressedMessage) {
  ExpectRecovery("compressed",
                 "failed: the agent sent a compressed gRPC message although tetrars offers no "
                 "compression: reconnecting");
}

TEST_F(Faults, MessageThatDoesNotParse) {
  ExpectRecovery("unparsable",
                 "failed: a message of 4 bytes is not a valid GetEventsResponse (field "
                 "tetragon.GetEventsResponse.process_exec announces 2097151 bytes but 0 remain at "
                 "byte 4): reconnecting");
  EXPECT_NE(Err().find("decode_errors=1"), std::string::npos) << Err();
}

TEST_F(Faults, StringThatIsNotUtf8) {
  ExpectRecovery("invalid-utf8",
                 "is not a valid GetEventsResponse (field tetragon.Process.binary is not valid "
                 "UTF-8): reconnecting");
}

TEST_F(Faults, ErrorStatusIsRetried) {
  ExpectRecovery("status",
                 "failed: status UNAVAILABLE (14): fake agent fault: shutting down: reconnecting");
}

TEST_F(Faults, StreamReset) {
  ExpectRecovery("rst-stream", "failed: the agent reset the stream (INTERNAL_ERROR): reconnecting");
}

TEST_F(Faults, GracefulGoawayLosesNothing) {
  // The agent announces GOAWAY but finishes the stream: all events, then a
  // clean end, then a new connection.
  ExpectRecovery("goaway", "tetrars: the agent ended the event stream: reconnecting", {}, false,
                 Corpus("seed.tetra.jsonl").size());
}

TEST_F(Faults, AbruptGoaway) {
  ExpectRecovery("goaway-abrupt", "GOAWAY (INTERNAL_ERROR)");
}

TEST_F(Faults, SilentPeerIsDetectedByKeepaliveOverTcp) {
  ExpectRecovery("hang",
                 "failed: the agent did not answer an HTTP/2 PING within 1s (--keepalive): the "
                 "connection is dead: reconnecting",
                 {"--keepalive", "1s"}, true);
}

TEST_F(Faults, AgentThatWantsFewerPingsGetsThem) {
  ExpectRecovery("too-many-pings",
                 "tetrars: the agent asked for fewer keepalive PINGs: sending them every 2s from "
                 "now on",
                 {"--keepalive", "1s"}, true);
}

TEST_F(Faults, RequestTheAgentDoesNotImplementEndsTetrars) {
  StartFake({"--end-status", "12:unknown service tetragon.FineGuidanceSensors"});
  StartTetrars({});  // no --once: retrying cannot fix this
  ASSERT_EQ(tetrars_->Wait(10000), 1) << Err();
  EXPECT_NE(Err().find("refused the request: status UNIMPLEMENTED (12): unknown service "
                       "tetragon.FineGuidanceSensors: check that --server-address is Tetragon's "
                       "gRPC socket"),
            std::string::npos)
      << Err();
}

TEST_F(Faults, RequestTheAgentRejectsEndsTetrars) {
  StartFake({"--end-status", "3:invalid fieldmask"});
  StartTetrars({});
  ASSERT_EQ(tetrars_->Wait(10000), 1) << Err();
  EXPECT_NE(Err().find("refused the request: status INVALID_ARGUMENT (3): invalid fieldmask: check "
                       "--event-types, the field paths, the regular expressions\n"),
            std::string::npos)
      << Err();
  // The same refusal without the auid rule's CEL: the rule was not the reason.
  EXPECT_EQ(Err().find("--auid rule"), std::string::npos) << Err();
}

TEST_F(Faults, ClosedStdoutIsAnErrorNotASignalDeath) {
  StartFake({"--replay", test_util::CorpusPath("seed.wire.b64"), "--loop", "50"});
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  close(pipe_fds[0]);  // nobody will ever read
  tetrars_ = std::make_unique<test_util::ChildProcess>(
      std::vector<std::string>{kTetrars, "--server-address=unix://" + socket_}, pipe_fds[1],
      dir_ + "/err.txt");
  close(pipe_fds[1]);
  ASSERT_EQ(tetrars_->Wait(10000), 1) << Err();
  EXPECT_NE(Err().find("tetrars: cannot write to standard output: Broken pipe ("),
            std::string::npos)
      << Err();
  EXPECT_NE(Err().find(" not written): check the program or file that reads tetrars' output"),
            std::string::npos)
      << Err();
  // Nothing reached a reader: the counters must not say otherwise.
  EXPECT_NE(Err().find(" written=0 "), std::string::npos) << Err();
}

TEST_F(Faults, StuckReaderBlocksTetrarsWithoutGrowingAndStopStaysBounded) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64"), "--loop", "2000"});
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);  // the test holds the read end and never reads
  tetrars_ = std::make_unique<test_util::ChildProcess>(
      std::vector<std::string>{kTetrars, "--server-address=unix://" + socket_, "--auid", "any"},
      pipe_fds[1], dir_ + "/err.txt");
  close(pipe_fds[1]);
  const auto rss_kb = [this] {
    const std::string status =
        test_util::ReadFile("/proc/" + std::to_string(tetrars_->pid()) + "/status");
    const size_t at = status.find("VmRSS:");
    return at == std::string::npos ? -1L : std::stol(status.substr(at + 6));
  };
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_TRUE(tetrars_->Running());
  const long first = rss_kb();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const long later = rss_kb();
  ASSERT_GT(first, 0);
  // Blocked on the pipe: memory stays at the size of its buffers while the
  // agent keeps offering events.
  EXPECT_LT(later - first, 1024) << "RSS grew from " << first << " kB to " << later << " kB";
#ifndef TETRARS_SANITIZED  // ASan's shadow memory and quarantine inflate RSS
  EXPECT_LT(later, 32 * 1024) << "RSS kB while blocked";
#endif
  tetrars_->Signal(SIGTERM);
  // It cannot flush to a reader that never reads: it says so and exits 1.
  ASSERT_EQ(tetrars_->Wait(3000), 1) << Err();
  EXPECT_NE(Err().find(" could not be written to standard output within 100ms of the stop "
                       "signal: the program reading tetrars' output is not reading"),
            std::string::npos)
      << Err();
  close(pipe_fds[0]);
}

}  // namespace
