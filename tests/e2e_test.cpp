// build/tetrars against build/tetragon-fake (grpc++) over real sockets.
// Expected output is computed here from tetra's own JSON lines in the corpus,
// without any of tetrars' code: project each event to the requested fields
// and keep the human users' ones.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <memory>
#include <set>
#include <thread>

#include "process_runner.h"
#include "test_util.h"

namespace {

using nlohmann::json;
using test_util::ChildProcess;

const std::string kTetrars = std::string(TETRARS_BUILD_DIR) + "/tetrars";
const std::string kFake = std::string(TETRARS_BUILD_DIR) + "/tetragon-fake";

// The seed field list, written out here on purpose (not taken from tetrars).
const std::set<std::string> kSeedProcessFields = {
    "pid", "uid", "auid", "cwd", "binary", "arguments", "process_credentials", "binary_properties"};
const std::set<std::string> kSeedParentFields = {"pid", "binary", "cwd"};

json Keep(const json& object, const std::set<std::string>& keys) {
  json kept = json::object();
  for (const auto& [key, value] : object.items()) {
    if (keys.count(key)) kept[key] = value;
  }
  return kept;
}

bool IsHuman(const json& process) {
  if (!process.contains("auid")) return false;
  const uint64_t auid = process["auid"].get<uint64_t>();
  return auid >= 1000 && auid != 4294967295u;
}

// What tetrars must print for tetra's lines, for the given event kinds.
std::vector<json> Expected(const std::vector<json>& tetra, const std::set<std::string>& kinds,
                           bool seed_fields, bool humans_only) {
  std::vector<json> expected;
  for (const json& event : tetra) {
    std::string kind;
    for (const char* k : {"process_exec", "process_exit"}) {
      if (event.contains(k)) kind = k;
    }
    if (!kinds.count(kind)) continue;
    if (humans_only && !(event[kind].contains("process") && IsHuman(event[kind]["process"]))) {
      continue;
    }
    json out = event;
    if (seed_fields) {
      json body = json::object();
      if (event[kind].contains("process"))
        body["process"] = Keep(event[kind]["process"], kSeedProcessFields);
      if (event[kind].contains("parent"))
        body["parent"] = Keep(event[kind]["parent"], kSeedParentFields);
      out[kind] = body;
    }
    expected.push_back(out);
  }
  return expected;
}

// Equal lists of events; on failure, names the first difference instead of
// dumping hundreds of events.
void ExpectSameEvents(const std::vector<json>& actual, const std::vector<json>& expected) {
  EXPECT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < std::min(actual.size(), expected.size()); ++i) {
    if (actual[i] != expected[i]) {
      ADD_FAILURE() << "event " << i + 1 << " differs:\n  got:      " << actual[i].dump()
                    << "\n  expected: " << expected[i].dump();
      return;
    }
  }
}

std::vector<json> Corpus(const std::string& name) {
  return test_util::ParseJsonLines(test_util::ReadFile(test_util::CorpusPath(name)));
}

class EndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_util::MakeTempDir();
    ASSERT_FALSE(dir_.empty());
    socket_ = dir_ + "/tetragon.sock";
  }
  void TearDown() override {
    tetrars_.reset();
    fake_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartFake(std::vector<std::string> args, const std::string& listen = "") {
    args.insert(args.begin(), {kFake, "--listen", listen.empty() ? "unix:" + socket_ : listen});
    fake_ = std::make_unique<ChildProcess>(args, dir_ + "/fake.out", dir_ + "/fake.err");
    if (listen.empty()) {
      ASSERT_TRUE(test_util::WaitUntil([&] { return test_util::CanConnectUnix(socket_); }, 10000))
          << test_util::ReadFile(dir_ + "/fake.err");
    }
  }

  void StartTetrars(std::vector<std::string> args, bool with_address = true) {
    args.insert(args.begin(), kTetrars);
    if (with_address) args.push_back("--server-address=unix://" + socket_);
    tetrars_ = std::make_unique<ChildProcess>(args, dir_ + "/out.jsonl", dir_ + "/err.txt");
  }

  int RunTetrars(std::vector<std::string> args) {
    StartTetrars(std::move(args));
    return tetrars_->Wait(60000);
  }

  std::string Out() { return test_util::ReadFile(dir_ + "/out.jsonl"); }
  std::string Err() { return test_util::ReadFile(dir_ + "/err.txt"); }
  std::vector<json> OutObjects() { return test_util::ParseJsonLines(Out()); }
  size_t OutLines() {
    const std::string out = Out();
    return size_t(std::count(out.begin(), out.end(), '\n'));
  }

  std::string dir_;
  std::string socket_;
  std::unique_ptr<ChildProcess> fake_;
  std::unique_ptr<ChildProcess> tetrars_;
};

TEST_F(EndToEnd, DefaultJobPrintsTheHumanUsersExecsOfTheCorpus) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64")});
  ASSERT_EQ(RunTetrars({"--once"}), 0) << Err();
  const auto expected = Expected(Corpus("all.tetra.jsonl"), {"process_exec"}, true, true);
  ASSERT_EQ(expected.size(), 97u);  // auid 1000: 57, 1001: 23, 60000: 10, 4294967294: 7
  ExpectSameEvents(OutObjects(), expected);
  EXPECT_EQ(Err().rfind("tetrars ", 0), 0u);
  EXPECT_NE(Err().find(" started\n"), std::string::npos) << Err();
  EXPECT_NE(Err().find("received=145 matched=97 written=97"), std::string::npos) << Err();
}

TEST_F(EndToEnd, ExitEventsUseTheExitingProcessesAuid) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64")});
  ASSERT_EQ(RunTetrars({"--once", "-e", "PROCESS_EXIT"}), 0) << Err();
  const auto expected = Expected(Corpus("all.tetra.jsonl"), {"process_exit"}, true, true);
  ASSERT_EQ(expected.size(), 58u + 21 + 8 + 5);
  ExpectSameEvents(OutObjects(), expected);
}

TEST_F(EndToEnd, AllFieldsAndAnyAuidPrintEveryEventAsTetraDid) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64")});
  ASSERT_EQ(
      RunTetrars({"--once", "--all-fields", "--auid", "any", "-e", "PROCESS_EXEC,PROCESS_EXIT"}), 0)
      << Err();
  ExpectSameEvents(OutObjects(), Corpus("all.tetra.jsonl"));
}

TEST_F(EndToEnd, FakeCanReplayTetraJsonToo) {
  StartFake({"--replay", test_util::CorpusPath("seed.tetra.jsonl")});
  ASSERT_EQ(RunTetrars({"--once", "--all-fields", "--auid", "any"}), 0) << Err();
  ExpectSameEvents(OutObjects(), Corpus("seed.tetra.jsonl"));
}

TEST_F(EndToEnd, TrailersOnlyErrorStatusEndsOnceWithExitOne) {
  StartFake({"--end-status", "7:no access for you"});
  ASSERT_EQ(RunTetrars({"--once"}), 1);
  EXPECT_EQ(Out(), "");
  EXPECT_NE(
      Err().find("tetrars: the event stream from unix://" + socket_ +
                 " failed: status PERMISSION_DENIED (7): no access for you: check the agent's log"),
      std::string::npos)
      << Err();
}

TEST_F(EndToEnd, ErrorStatusAfterEventsKeepsEveryLinePrinted) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64"), "--end-status", "13:agent broke"});
  ASSERT_EQ(RunTetrars({"--once"}), 1);
  ExpectSameEvents(OutObjects(), Expected(Corpus("all.tetra.jsonl"), {"process_exec"}, true, true));
  EXPECT_NE(Err().find("status INTERNAL (13): agent broke"), std::string::npos) << Err();
}

TEST_F(EndToEnd, AbsentAgentWithOnceSaysWhatToCheck) {
  ASSERT_EQ(RunTetrars({"--once"}), 1);
  EXPECT_NE(Err().find("tetrars: cannot connect to unix://" + socket_ +
                       ": No such file or directory: check that the Tetragon agent runs and "
                       "--server-address is right"),
            std::string::npos)
      << Err();
}

TEST_F(EndToEnd, ReconnectsWhenTheAgentEndsTheStream) {
  StartFake({"--replay", test_util::CorpusPath("seed.wire.b64")});
  StartTetrars({});
  const auto once = Expected(Corpus("seed.tetra.jsonl"), {"process_exec"}, true, true);
  ASSERT_TRUE(test_util::WaitUntil([&] { return OutLines() >= 2 * once.size(); }, 20000))
      << OutLines() << " lines\n"
      << Err();
  tetrars_->Signal(SIGTERM);
  ASSERT_EQ(tetrars_->Wait(5000), 0);
  const auto out = OutObjects();
  ASSERT_GE(out.size(), 2 * once.size());
  ExpectSameEvents(std::vector<json>(out.begin(), out.begin() + once.size()), once);
  ExpectSameEvents(std::vector<json>(out.begin() + once.size(), out.begin() + 2 * once.size()),
                   once);
  EXPECT_NE(Err().find("tetrars: the agent ended the event stream: reconnecting in 1s"),
            std::string::npos)
      << Err();
  EXPECT_NE(Err().find("reconnects=1"), std::string::npos) << Err();
}

TEST_F(EndToEnd, WaitsForAnAgentThatStartsLater) {
  StartTetrars({});
  ASSERT_TRUE(
      test_util::WaitUntil([&] { return Err().find("cannot connect") != std::string::npos; }, 5000))
      << Err();
  EXPECT_NE(Err().find("retrying every 1s until the agent is back"), std::string::npos) << Err();
  // Several attempts fail while the agent is away: one line says so, not one per attempt.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  const std::string waiting = Err();
  EXPECT_EQ(waiting.find("cannot connect"), waiting.rfind("cannot connect")) << waiting;
  StartFake({"--replay", test_util::CorpusPath("seed.wire.b64"), "--idle"});
  const auto expected = Expected(Corpus("seed.tetra.jsonl"), {"process_exec"}, true, true);
  ASSERT_TRUE(test_util::WaitUntil([&] { return OutLines() >= expected.size(); }, 10000)) << Err();
  tetrars_->Signal(SIGTERM);
  ASSERT_EQ(tetrars_->Wait(5000), 0);
  ExpectSameEvents(OutObjects(), expected);
  EXPECT_NE(Err().find("tetrars: connected to unix://"), std::string::npos) << Err();
}

TEST_F(EndToEnd, LinesAreWrittenWhileTheStreamStaysOpen) {
  StartFake({"--replay", test_util::CorpusPath("seed.wire.b64"), "--idle"});
  StartTetrars({});
  const auto expected = Expected(Corpus("seed.tetra.jsonl"), {"process_exec"}, true, true);
  ASSERT_TRUE(test_util::WaitUntil([&] { return OutLines() >= expected.size(); }, 10000))
      << "lines still buffered while tetrars waits: " << OutLines();
  EXPECT_TRUE(tetrars_->Running());
  tetrars_->Signal(SIGUSR1);
  ASSERT_TRUE(test_util::WaitUntil(
      [&] { return Err().find("tetrars: stats: received=145") != std::string::npos; }, 5000))
      << Err();
  tetrars_->Signal(SIGINT);
  ASSERT_EQ(tetrars_->Wait(5000), 0);
  ExpectSameEvents(OutObjects(), expected);
}

TEST_F(EndToEnd, WorksOverTcp) {
  const int port = test_util::FreeTcpPort();
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64")},
            "127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(test_util::WaitUntil([&] { return test_util::CanConnectTcp(port); }, 10000));
  StartTetrars({"--once", "--server-address", "127.0.0.1:" + std::to_string(port)}, false);
  ASSERT_EQ(tetrars_->Wait(60000), 0) << Err();
  ExpectSameEvents(OutObjects(), Expected(Corpus("all.tetra.jsonl"), {"process_exec"}, true, true));
}

TEST_F(EndToEnd, OversizedMessageIsAnErrorNotATruncatedLine) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64")});
  ASSERT_EQ(RunTetrars({"--once", "--all-fields", "--auid", "any", "--max-message-size", "2048"}),
            1);
  EXPECT_NE(Err().find("bytes exceeds the maximum of 2048 bytes (--max-message-size): raise "
                       "--max-message-size if the agent's events are that large"),
            std::string::npos)
      << Err();
  // Every line printed before the error is a complete event from the corpus.
  const auto out = OutObjects();
  const auto execs = Expected(Corpus("all.tetra.jsonl"), {"process_exec"}, false, false);
  ASSERT_GT(out.size(), 0u);
  ASSERT_LT(out.size(), execs.size());
  ExpectSameEvents(out, std::vector<json>(execs.begin(), execs.begin() + out.size()));
}

TEST_F(EndToEnd, UsageErrorExitsTwoBeforeConnecting) {
  ASSERT_EQ(RunTetrars({"--auid", "lots"}), 2);
  EXPECT_EQ(Err().find("started"), std::string::npos);
  EXPECT_EQ(Err().rfind("tetrars: invalid --auid 'lots'", 0), 0u) << Err();
}

}  // namespace
