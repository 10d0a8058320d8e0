// Issue 14 end to end: tetrars against fake agents of Tetragon v0.10.0,
// v1.0.3, v1.5.0, v1.6.0, v1.7.0 and one that does not say its version
// (GetVersion UNIMPLEMENTED). The fake logs every request it receives
// (--request-log), so the tests see what tetrars asked of each version.
#include <fstream>
#include <sstream>

#include "e2e_support.h"
#include "tetragon/events.pb.h"

namespace e2e {
namespace {

class AgentVersions : public EndToEnd {
 protected:
  // Starts a fake of `version` ("none": GetVersion is UNIMPLEMENTED) that
  // replays `replay` and logs the requests.
  void StartAgent(const std::string& version, const std::string& replay,
                  std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"--replay", replay,          "--agent-version",
                                     version,    "--request-log", RequestLog()};
    args.insert(args.end(), more.begin(), more.end());
    StartFake(args);
  }
  std::string RequestLog() const { return dir_ + "/requests.jsonl"; }
  // The GetEvents requests the fake received, as proto3 JSON objects.
  std::vector<json> EventRequests() {
    std::vector<json> requests;
    for (const json& line : test_util::ParseJsonLines(test_util::ReadFile(RequestLog()))) {
      if (line.value("method", "") == "GetEvents") requests.push_back(line["request"]);
    }
    return requests;
  }
  size_t VersionRequests() {
    size_t n = 0;
    for (const json& line : test_util::ParseJsonLines(test_util::ReadFile(RequestLog()))) {
      n += line.value("method", "") == "GetVersion";
    }
    return n;
  }
  size_t Count(const std::string& text) {
    const std::string err = Err();
    size_t n = 0;
    for (size_t at = err.find(text); at != std::string::npos; at = err.find(text, at + 1)) ++n;
    return n;
  }
};

// What every version must print for all.wire.b64: tetra's lines of it,
// projected to the default fields and the human users (e2e_support.h, none
// of tetrars' code). Whoever applies the field filter, the lines are these.
// (field_mask_test.cpp shows the projection equals the real v0.10.0
// agent's own filtering, seed.tetra.jsonl.)
std::vector<json> DefaultJob() {
  return Expected(Corpus("all.tetra.jsonl"), {"process_exec"}, true, true);
}

TEST_F(AgentVersions, EachVersionIsNamedAndGetsTheSameLines) {
  struct Case {
    std::string version;
    std::string named;  // in the "connected" line
    bool field_filter;  // sent to the agent
  };
  const Case cases[] = {
      {"v0.10.0", "(Tetragon v0.10.0)", false}, {"v1.0.3", "(Tetragon v1.0.3)", true},
      {"v1.6.0", "(Tetragon v1.6.0)", true},    {"v1.7.0", "(Tetragon v1.7.0)", true},
      {"none", "(version unknown)", true},
  };
  const std::vector<json> expected = DefaultJob();
  ASSERT_EQ(expected.size(), 97u);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.version);
    std::filesystem::remove(RequestLog());
    StartAgent(c.version, test_util::CorpusPath("all.wire.b64"));
    ASSERT_EQ(RunTetrars({"--once"}), 0) << Err();
    EXPECT_EQ(Count("tetrars: connected to unix://" + socket_ + " " + c.named + "\n"), 1u) << Err();
    EXPECT_EQ(VersionRequests(), 1u);
    const std::vector<json> requests = EventRequests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].contains("field_filters"), c.field_filter) << requests[0].dump();
    // Said once, for the versions whose own filter would damage other clients.
    EXPECT_EQ(Count("tetrars removes those fields itself"), c.field_filter ? 0u : 1u) << Err();
    if (!c.field_filter) {  // after the line that names the agent
      EXPECT_LT(Err().find("tetrars: connected to"),
                Err().find("tetrars removes those fields itself"))
          << Err();
    }
    ExpectSameEvents(OutObjects(), expected);
    EXPECT_NE(Err().find("received=145 matched=97 written=97"), std::string::npos) << Err();
    fake_.reset();
  }
}

TEST_F(AgentVersions, FieldsByForcesEitherWay) {
  const std::vector<json> expected = DefaultJob();
  // An old agent gets the filter when asked for it: a warning says what it costs.
  StartAgent("v0.10.0", test_util::CorpusPath("all.wire.b64"));
  ASSERT_EQ(RunTetrars({"--once", "--fields-by", "agent"}), 0) << Err();
  ASSERT_EQ(EventRequests().size(), 1u);
  EXPECT_TRUE(EventRequests()[0].contains("field_filters"));
  EXPECT_EQ(Count("tetrars: Tetragon v0.10.0 applies the field filter (-f/-F) to the events it "
                  "shares with its other clients, which then lose those fields: use --fields-by "
                  "auto, or upgrade the agent to v1.0.1 or later\n"),
            1u)
      << Err();
  ExpectSameEvents(OutObjects(), expected);
  fake_.reset();
  // A current agent sends every field when tetrars is to remove them.
  std::filesystem::remove(RequestLog());
  StartAgent("v1.7.0", test_util::CorpusPath("all.wire.b64"));
  ASSERT_EQ(RunTetrars({"--once", "--fields-by", "tetrars"}), 0) << Err();
  ASSERT_EQ(EventRequests().size(), 1u);
  EXPECT_FALSE(EventRequests()[0].contains("field_filters"));
  EXPECT_EQ(Count("removes those fields itself"), 0u) << Err();
  ExpectSameEvents(OutObjects(), expected);
}

TEST_F(AgentVersions, ExcludedFieldsAreRemovedByTetrarsForAnOldAgent) {
  StartAgent("v1.0.0", test_util::CorpusPath("all.wire.b64"));
  ASSERT_EQ(RunTetrars({"--once", "-F", "process.arguments,parent.cwd"}), 0) << Err();
  ASSERT_EQ(EventRequests().size(), 1u);
  EXPECT_FALSE(EventRequests()[0].contains("field_filters"));
  std::vector<json> expected = DefaultJob();
  for (json& e : expected) {
    e["process_exec"]["process"].erase("arguments");
    e["process_exec"]["parent"].erase("cwd");
  }
  ExpectSameEvents(OutObjects(), expected);
}

// One exec event of a pod whose field 3 carries two values, as an old agent
// sends its labels list.
std::string PodEventFile(const std::string& dir) {
  tetragon::GetEventsResponse response;
  tetragon::Process* process = response.mutable_process_exec()->mutable_process();
  process->set_binary("/usr/bin/id");
  process->mutable_auid()->set_value(1000);
  tetragon::Pod* pod = process->mutable_pod();
  pod->set_namespace_("shop");
  pod->set_name("web-0");
  pod->set_uid("app=web");
  response.mutable_time()->set_seconds(1700000000);
  // Field 3 once more, inside the pod: protobuf merges the two occurrences of
  // process_exec/process/pod, so the bytes hold both values in wire order.
  tetragon::GetEventsResponse second;
  second.mutable_process_exec()->mutable_process()->mutable_pod()->set_uid("tier=front");
  const std::string bytes = response.SerializeAsString() + second.SerializeAsString();
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) n |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) n |= uint8_t(bytes[i + 2]);
    b64 += kAlphabet[(n >> 18) & 63];
    b64 += kAlphabet[(n >> 12) & 63];
    b64 += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    b64 += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  const std::string path = dir + "/pod.wire.b64";
  std::ofstream(path) << b64 << "\n";
  return path;
}

TEST_F(AgentVersions, PodFieldThreeIsPrintedAsTheAgentsTetraPrintsIt) {
  const json labels = json::array({"app=web", "tier=front"});
  struct Case {
    std::string version;
    json pod;
  };
  const Case cases[] = {
      {"v0.10.0", {{"namespace", "shop"}, {"name", "web-0"}, {"labels", labels}}},
      {"v1.0.3", {{"namespace", "shop"}, {"name", "web-0"}, {"labels", labels}}},
      {"v1.6.0", {{"namespace", "shop"}, {"name", "web-0"}, {"uid", "tier=front"}}},
      {"v1.7.0", {{"namespace", "shop"}, {"name", "web-0"}, {"uid", "tier=front"}}},
      {"none", {{"namespace", "shop"}, {"name", "web-0"}, {"uid", "tier=front"}}},
  };
  const std::string file = PodEventFile(dir_);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.version);
    StartAgent(c.version, file);
    ASSERT_EQ(RunTetrars({"--once", "--all-fields"}), 0) << Err();
    const std::vector<json> out = OutObjects();
    ASSERT_EQ(out.size(), 1u) << Out();
    EXPECT_EQ(out[0]["process_exec"]["process"]["pod"], c.pod) << out[0].dump();
    fake_.reset();
  }
}

// tetrars removes fields itself for v0.10.0 (it would damage other clients'
// events): its masks read that agent's Pod, whose field 3 is the labels list,
// kept whole or dropped as the agent's own filter would. (The fake filters
// with the current schema, so for agents that filter themselves it cannot
// play an old Pod: their lines are the agent's business.)
TEST_F(AgentVersions, FieldsRemovedByTetrarsKeepAnOldAgentsPodLabels) {
  const json labels = json::array({"app=web", "tier=front"});
  StartAgent("v0.10.0", PodEventFile(dir_));
  const auto pod = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "--once");
    EXPECT_EQ(RunTetrars(args), 0) << Err();
    const std::vector<json> out = OutObjects();
    EXPECT_EQ(out.size(), 1u) << Out();
    return out.empty() ? json() : out[0]["process_exec"]["process"].value("pod", json());
  };
  EXPECT_EQ(pod({"-f", "process.auid,process.pod"}),
            json({{"namespace", "shop"}, {"name", "web-0"}, {"labels", labels}}));
  EXPECT_EQ(pod({"--all-fields", "-F", "process.pod.name"}),
            json({{"namespace", "shop"}, {"labels", labels}}));
  // v0.10.0's Pod has no `uid`: the agent's filter would keep nothing of it.
  EXPECT_EQ(pod({"-f", "process.auid,process.pod.uid,process.pod.namespace"}),
            json({{"namespace", "shop"}}));
  ASSERT_EQ(EventRequests().size(), 3u);
  for (const json& request : EventRequests()) EXPECT_FALSE(request.contains("field_filters"));
}

TEST_F(AgentVersions, FiltersTheAgentIsTooOldForAreNamedOnce) {
  const std::vector<std::string> flags = {"--containers", "^nginx$", "--namespace-regex", "^team-"};
  struct Case {
    std::string version;
    std::vector<std::string> ignored;
    bool filtered;  // the agent applied one of them (no event of the corpus has a pod)
  };
  const Case cases[] = {
      {"v1.5.0", {"--containers", "--namespace-regex"}, false},
      {"v1.6.0", {"--namespace-regex"}, true},
      {"v1.7.0", {}, true},
      {"none", {}, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.version);
    std::filesystem::remove(RequestLog());
    StartAgent(c.version, test_util::CorpusPath("all.wire.b64"));
    std::vector<std::string> args = {"--once"};
    args.insert(args.end(), flags.begin(), flags.end());
    ASSERT_EQ(RunTetrars(args), 0) << Err();
    ASSERT_EQ(EventRequests().size(), 1u);
    const json filter = EventRequests()[0]["allow_list"][0];
    EXPECT_EQ(filter["container_name_regex"], json::array({"^nginx$"})) << filter.dump();
    EXPECT_EQ(filter["namespace_regex"], json::array({"^team-"})) << filter.dump();
    for (const std::string& flag :
         {std::string("--containers"), std::string("--namespace-regex")}) {
      const bool named = std::find(c.ignored.begin(), c.ignored.end(), flag) != c.ignored.end();
      EXPECT_EQ(Count("tetrars: Tetragon " + c.version + " ignores " + flag), named ? 1u : 0u)
          << Err();
    }
    EXPECT_EQ(OutLines(), c.filtered ? 0u : 97u) << Err();
    fake_.reset();
  }
}

TEST_F(AgentVersions, ShortKeepaliveIsWarnedAboutAndTheDefaultIsNot) {
  StartAgent("v1.7.0", test_util::CorpusPath("all.wire.b64"));
  ASSERT_EQ(RunTetrars({"--once"}), 0) << Err();
  EXPECT_EQ(Count("--keepalive"), 0u) << Err();  // unix socket, default
  // Over TCP, a keepalive below grpc-go's 5 minutes is risky: say so at start.
  const std::string err_path = dir_ + "/tcp.err";
  ChildProcess tetrars(
      {kTetrars, "--once", "--keepalive", "30s", "--server-address", "127.0.0.1:1"},
      dir_ + "/tcp.out", err_path);
  EXPECT_EQ(tetrars.Wait(30000), 1);
  EXPECT_NE(test_util::ReadFile(err_path).find(
                "tetrars: --keepalive 30s is shorter than the 5m that Tetragon (grpc-go) "
                "accepts between PINGs by default"),
            std::string::npos)
      << test_util::ReadFile(err_path);
}

TEST_F(AgentVersions, AnAgentThatNeverAnswersGetVersionIsNotWaitedForLong) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64"), "--agent-version", "v0.10.0",
             "--fault", "version-hang", "--request-log", RequestLog()});
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(RunTetrars({"--once"}), 0) << Err();
  const auto took = std::chrono::steady_clock::now() - started;
  // kVersionTimeout (5s), then the stream as with an agent of unknown version.
  EXPECT_GE(took, std::chrono::milliseconds(4900));
  EXPECT_LT(took, std::chrono::seconds(15));
  EXPECT_EQ(Count("tetrars: connected to unix://" + socket_ + " (version unknown)\n"), 1u) << Err();
  ASSERT_EQ(EventRequests().size(), 1u);
  EXPECT_TRUE(EventRequests()[0].contains("field_filters"));
  ExpectSameEvents(OutObjects(), DefaultJob());
}

// Issue 21.4: the agent's words are data. A version and a grpc-message that
// hold a newline, a forged "tetrars:" line, a terminal escape and a byte that
// is not UTF-8 reach stderr escaped: no raw control byte, no second line.
TEST_F(AgentVersions, HostileWordsAreEscapedNotPrintedAsLines) {
  StartAgent("v1.7.0-\\ntetrars: forged version \\e[31mred\\x07",
             test_util::CorpusPath("seed.wire.b64"),
             {"--end-status", "13:broke\\ntetrars: forged status \\e[31m\\xff\\r"});
  ASSERT_EQ(RunTetrars({"--once"}), 1) << Err();
  const std::string err = Err();
  for (const char c : err) {
    EXPECT_TRUE(uint8_t(c) >= 0x20 || c == '\n') << "raw control byte " << int(c) << " in\n" << err;
    EXPECT_NE(uint8_t(c), 0x7fu);
    EXPECT_NE(uint8_t(c), 0xffu);
  }
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line.rfind("tetrars", 0), 0u) << line;
    EXPECT_EQ(line.rfind("tetrars: forged", 0), std::string::npos) << line;
  }
  EXPECT_EQ(Count("tetrars: connected to unix://" + socket_ +
                  " (Tetragon v1.7.0-\\ntetrars: forged version \\x1b[31mred\\x07)\n"),
            1u)
      << err;
  EXPECT_EQ(Count("failed: status INTERNAL (13): broke\\ntetrars: forged status "
                  "\\x1b[31m\\xff\\r: check the agent's log\n"),
            1u)
      << err;
}

TEST_F(AgentVersions, AVersionLongerThan200BytesIsCut) {
  StartAgent("v1.7.0-" + std::string(300, 'x'), test_util::CorpusPath("seed.wire.b64"));
  ASSERT_EQ(RunTetrars({"--once"}), 0) << Err();
  EXPECT_EQ(Count("(Tetragon v1.7.0-" + std::string(193, 'x') + "...[truncated 107 bytes])\n"), 1u)
      << Err();
}

// Issue 21.5: a GetVersion answered with HTTP 404 (a router that knows no such
// method) failed the connection; the version is unknown instead, and
// GetEvents goes on, as the README says.
TEST_F(AgentVersions, GetVersionAnsweredWithHttp404GoesOnWithoutTheVersion) {
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64"), "--agent-version", "v1.7.0",
             "--fault", "version-404", "--request-log", RequestLog()});
  ASSERT_EQ(RunTetrars({"--once"}), 0) << Err();
  EXPECT_EQ(Count("tetrars: connected to unix://" + socket_ + " (version unknown)\n"), 1u) << Err();
  EXPECT_EQ(Count("HTTP status"), 0u) << Err();
  EXPECT_EQ(VersionRequests(), 1u);
  ASSERT_EQ(EventRequests().size(), 1u);
  EXPECT_TRUE(EventRequests()[0].contains("field_filters"));
  ExpectSameEvents(OutObjects(), DefaultJob());
}

// grpc-go's PING policy, scaled down (MinTime 2s instead of 5m), over TCP:
// PINGs one MinTime apart never earn a strike and keep the idle stream (PINGs
// every 1s are closed at the fourth: Faults.AgentThatWantsFewerPingsGetsThem).
TEST_F(AgentVersions, KeepaliveAtTheAgentsMinimumKeepsTheIdleStream) {
  const int port = test_util::FreeTcpPort();
  const std::string address = "127.0.0.1:" + std::to_string(port);
  StartFake({"--replay", test_util::CorpusPath("all.wire.b64"), "--fault", "too-many-pings",
             "--fault-after", "1000", "--fault-connections", "1000", "--ping-min-time", "2s",
             "--agent-version", "v1.7.0"},
            address);
  ASSERT_TRUE(test_util::WaitUntil([&] { return test_util::CanConnectTcp(port); }, 10000));
  StartTetrars({"--server-address", address, "--keepalive", "2s"}, false);
  std::this_thread::sleep_for(std::chrono::seconds(11));  // 5 PINGs of an idle stream
  tetrars_->Signal(SIGTERM);
  ASSERT_EQ(tetrars_->Wait(5000), 0) << Err();
  EXPECT_EQ(Count("asked for fewer keepalive PINGs"), 0u) << Err();
  EXPECT_NE(Err().find(" reconnects=0"), std::string::npos) << Err();
  // The agent saw the PINGs (one per 2s of silence), none of them a strike.
  const std::string fake_err = test_util::ReadFile(dir_ + "/fake.err");
  size_t pings = 0;
  for (size_t at = fake_err.find("PING, strikes 0"); at != std::string::npos;
       at = fake_err.find("PING, strikes 0", at + 1)) {
    ++pings;
  }
  EXPECT_GE(pings, 4u) << fake_err;
  EXPECT_EQ(fake_err.find("PING, strikes 1"), std::string::npos) << fake_err;
  EXPECT_EQ(OutLines(), 97u);
}

}  // namespace
}  // namespace e2e
