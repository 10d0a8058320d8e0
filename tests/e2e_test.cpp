// tetrars against the grpc++ fake agent: the main job, its variants, and
// how it reports what the agent does.
#include "e2e_support.h"

namespace {

using namespace e2e;
using nlohmann::json;

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

TEST_F(EndToEnd, ExcludedFieldsAreLeftOutByTheAgent) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64")});
  ASSERT_EQ(RunTetrars({"--once", "-F", "process.arguments,parent.cwd"}), 0) << Err();
  auto expected = Expected(Corpus("all.tetra.jsonl"), {"process_exec"}, true, true);
  for (json& event : expected) {
    event["process_exec"]["process"].erase("arguments");
    event["process_exec"]["parent"].erase("cwd");
  }
  ExpectSameEvents(OutObjects(), expected);
}

// --auid-of on the corpus: the expectation reads tetra's JSON for each event.
std::vector<json> ExpectedByAuidOf(const std::string& who) {
  std::vector<json> expected;
  for (const json& event : Corpus("all.tetra.jsonl")) {
    if (!event.contains("process_exec")) continue;
    const json& exec = event["process_exec"];
    const bool process = exec.contains("process") && IsHuman(exec["process"]);
    const bool parent = exec.contains("parent") && IsHuman(exec["parent"]);
    if (!(who == "parent" ? parent : process || parent)) continue;
    json out = event;
    out["process_exec"] = {{"process", Keep(exec["process"], kSeedProcessFields)}};
    if (exec.contains("parent")) {
      auto fields = kSeedParentFields;
      fields.insert("auid");
      out["process_exec"]["parent"] = Keep(exec["parent"], fields);
    }
    expected.push_back(out);
  }
  return expected;
}

TEST_F(EndToEnd, AuidOfParentAndEither) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64")});
  for (const std::string who : {"parent", "either"}) {
    SCOPED_TRACE(who);
    ASSERT_EQ(RunTetrars({"--once", "--auid-of", who}), 0) << Err();
    const auto expected = ExpectedByAuidOf(who);
    ASSERT_GT(expected.size(), 0u);
    ExpectSameEvents(OutObjects(), expected);
  }
  // Either is a superset of each.
  EXPECT_GE(ExpectedByAuidOf("either").size(), ExpectedByAuidOf("parent").size());
  EXPECT_GE(ExpectedByAuidOf("either").size(), 97u);
}

TEST_F(EndToEnd, ServerSideFiltersReachTheAgent) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64")});
  // --process: the agent keeps the events whose binary matches.
  ASSERT_EQ(RunTetrars({"--once", "--process", "^/usr/bin/(git|tar)$"}), 0) << Err();
  std::vector<json> expected;
  for (const json& event : Expected(Corpus("all.tetra.jsonl"), {"process_exec"}, true, true)) {
    const std::string binary = event["process_exec"]["process"]["binary"];
    if (binary == "/usr/bin/git" || binary == "/usr/bin/tar") expected.push_back(event);
  }
  ASSERT_GT(expected.size(), 0u);
  ExpectSameEvents(OutObjects(), expected);
  // --host: no event of this corpus ran in a pod; -n: so none is in a namespace.
  ASSERT_EQ(RunTetrars({"--once", "--host"}), 0) << Err();
  ExpectSameEvents(OutObjects(), Expected(Corpus("all.tetra.jsonl"), {"process_exec"}, true, true));
  ASSERT_EQ(RunTetrars({"--once", "-n", "kube-system"}), 0) << Err();
  EXPECT_EQ(Out(), "");
}

TEST_F(EndToEnd, AuidRulePushedDownToAnAgentThatEvaluatesCel) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64"), "--cel", "evaluate"});
  const auto expected = Expected(Corpus("all.tetra.jsonl"), {"process_exec"}, true, true);
  ASSERT_EQ(RunTetrars({"--once"}), 0) << Err();
  ExpectSameEvents(OutObjects(), expected);
  // Only the human users' events crossed the socket.
  EXPECT_NE(Err().find("received=97 matched=97"), std::string::npos) << Err();
  ASSERT_EQ(RunTetrars({"--once", "--no-pushdown"}), 0) << Err();
  ExpectSameEvents(OutObjects(), expected);
  EXPECT_NE(Err().find("received=145 matched=97"), std::string::npos) << Err();
}

TEST_F(EndToEnd, AgentThatRefusesTheCelGetsAskedAgainWithoutIt) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64"), "--cel", "reject"});
  ASSERT_EQ(RunTetrars({"--once"}), 0) << Err();
  ExpectSameEvents(OutObjects(), Expected(Corpus("all.tetra.jsonl"), {"process_exec"}, true, true));
  EXPECT_NE(
      Err().find("tetrars: the agent refused the --auid rule as a CEL expression (status "
                 "UNKNOWN (2): error compiling CEL expression: ERROR: <input>:1:1: cannot "
                 "compile 'process_exec.process.auid >= 1000u && process_exec.process.auid "
                 "<= 4294967294u'): filtering in tetrars only; --no-pushdown skips this attempt"),
      std::string::npos)
      << Err();
  EXPECT_NE(Err().find("received=145 matched=97"), std::string::npos) << Err();
}

TEST_F(EndToEnd, MatchPredicatesRunAfterTheAuidRule) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64")});
  ASSERT_EQ(RunTetrars({"--once", "--match", "process.uid >= 1001", "--match",
                        "process.binary !~ ^/usr/bin/(ls|cat)$"}),
            0)
      << Err();
  std::vector<json> expected;
  for (const json& event : Expected(Corpus("all.tetra.jsonl"), {"process_exec"}, true, true)) {
    const json& process = event["process_exec"]["process"];
    const std::string binary = process["binary"];
    if (process["uid"] >= 1001 && binary != "/usr/bin/ls" && binary != "/usr/bin/cat") {
      expected.push_back(event);
    }
  }
  ASSERT_GT(expected.size(), 0u);
  ExpectSameEvents(OutObjects(), expected);
}

TEST_F(EndToEnd, PolicyEventKindsPrintAsTetraPrintsThem) {
  const std::string file =
      std::string(TETRARS_TEST_DATA) + "/constructed/policy-events.tetra.jsonl";
  const auto all = test_util::ParseJsonLines(test_util::ReadFile(file));
  ASSERT_EQ(all.size(), 6u);
  StartFake({"--replay", file});
  const std::string every_type =
      "PROCESS_KPROBE,PROCESS_LSM,PROCESS_TRACEPOINT,PROCESS_UPROBE,PROCESS_THROTTLE,RATE_LIMIT_"
      "INFO";
  ASSERT_EQ(RunTetrars({"--once", "--all-fields", "--auid", "any", "-e", every_type}), 0) << Err();
  ExpectSameEvents(OutObjects(), all);
  // The auid rule reads each kind's process; it refuses kinds without one
  // (they could never pass it) instead of dropping them silently.
  ASSERT_EQ(RunTetrars({"--once", "--all-fields", "-e", every_type}), 2) << Err();
  EXPECT_NE(Err().find("tetrars: PROCESS_THROTTLE events carry no process.auid, so the --auid "
                       "rule would drop every one of them: pass --auid any to print them, or "
                       "leave PROCESS_THROTTLE out of --event-types"),
            std::string::npos)
      << Err();
  ASSERT_EQ(RunTetrars({"--once", "--all-fields", "-e",
                        "PROCESS_KPROBE,PROCESS_LSM,PROCESS_TRACEPOINT,PROCESS_UPROBE"}),
            0)
      << Err();
  ExpectSameEvents(OutObjects(), {all[0], all[2], all[3]});
}

TEST_F(EndToEnd, PolicyPodAndCelFiltersReachTheAgent) {
  const std::string file =
      std::string(TETRARS_TEST_DATA) + "/constructed/policy-events.tetra.jsonl";
  const auto all = test_util::ParseJsonLines(test_util::ReadFile(file));
  StartFake({"--replay", file, "--cel", "evaluate"});
  const std::vector<std::string> base = {"--once", "--all-fields",
                                         "--auid", "any",
                                         "-e",     "PROCESS_KPROBE,PROCESS_LSM,PROCESS_TRACEPOINT"};
  auto args = base;
  args.insert(args.end(), {"--policy-names", "file-monitoring,lsm-exec"});
  ASSERT_EQ(RunTetrars(args), 0) << Err();
  ExpectSameEvents(OutObjects(), {all[0], all[1]});
  args = base;
  args.insert(args.end(), {"--pod", ".*"});  // no event of this file ran in a pod
  ASSERT_EQ(RunTetrars(args), 0) << Err();
  EXPECT_EQ(Out(), "");
  args = base;
  args.insert(args.end(), {"--cel-expression", "process_tracepoint.process.auid == 1001u"});
  ASSERT_EQ(RunTetrars(args), 0) << Err();
  ExpectSameEvents(OutObjects(), {all[2]});
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
                       "that --server-address is right"),
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
  EXPECT_NE(Err().find("tetrars: the agent ended the event stream: reconnecting (with backoff up "
                       "to 5s)\n"),
            std::string::npos)
      << Err();
  EXPECT_NE(Err().find("reconnects=1"), std::string::npos) << Err();
}

TEST_F(EndToEnd, WaitsForAnAgentThatStartsLater) {
  StartTetrars({});
  ASSERT_TRUE(
      test_util::WaitUntil([&] { return Err().find("cannot connect") != std::string::npos; }, 5000))
      << Err();
  EXPECT_NE(Err().find("check that the Tetragon agent runs and that --server-address is right "
                       "(retrying meanwhile, every 5s at most)"),
            std::string::npos)
      << Err();
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

TEST_F(EndToEnd, FakeAgentHelpIsItsUsage) {
  auto fake = std::make_unique<ChildProcess>(std::vector<std::string>{kFake, "--help"},
                                             dir_ + "/fake.out", dir_ + "/fake.err");
  ASSERT_EQ(fake->Wait(5000), 0);
  const std::string out = test_util::ReadFile(dir_ + "/fake.out");
  EXPECT_EQ(out.rfind("usage: tetragon-fake --listen ADDR", 0), 0u) << out;
  EXPECT_EQ(test_util::ReadFile(dir_ + "/fake.err"), "");
}

}  // namespace
