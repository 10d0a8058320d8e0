// tetragon-fake itself, both servers (grpc++ and --raw), seen from a grpc++
// client: GetVersion and GetEvents routed by path, on one connection, and
// what --request-log records. The end-to-end tests of tetrars rely on these.
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/support/sync_stream.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <thread>

#include "process_runner.h"
#include "replay_source.h"
#include "test_util.h"
#include "tetragon/events.pb.h"

namespace {

using nlohmann::json;

const std::string kFake = std::string(TETRARS_BUILD_DIR) + "/tetragon-fake";
const char* kGetEvents = "/tetragon.FineGuidanceSensors/GetEvents";
const char* kGetVersion = "/tetragon.FineGuidanceSensors/GetVersion";

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes.data(), bytes.size());
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (buffer.Dump(&slices).ok()) {
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return bytes;
}

class FakeAgent : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir_ = test_util::MakeTempDir();
    ASSERT_FALSE(dir_.empty());
    socket_ = dir_ + "/fake.sock";
  }
  void TearDown() override {
    Stop();
    std::filesystem::remove_all(dir_);
  }
  // SIGTERM: the fake must end cleanly and soon (a sanitized build checks for leaks).
  void Stop() {
    if (!fake_) return;
    fake_->Signal(SIGTERM);
    EXPECT_EQ(fake_->Wait(3000), 0) << test_util::ReadFile(dir_ + "/fake.err");
    fake_.reset();
  }

  // The fake with `args`, grpc++ or raw as the test's parameter says.
  void Start(std::vector<std::string> args) {
    args.insert(args.begin(), {kFake, "--listen", "unix:" + socket_, "--request-log", Log()});
    if (GetParam()) args.push_back("--raw");
    fake_ = std::make_unique<test_util::ChildProcess>(args, dir_ + "/fake.out", dir_ + "/fake.err");
    ASSERT_TRUE(test_util::WaitUntil([&] { return test_util::CanConnectUnix(socket_); }, 10000))
        << test_util::ReadFile(dir_ + "/fake.err");
    Connect();
  }

  // A new channel on a connection of its own (--raw serves one connection at
  // a time, one GetEvents call each: the old one is closed first).
  void Connect() {
    channel_.reset();
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    channel_ =
        grpc::CreateCustomChannel("unix:" + socket_, grpc::InsecureChannelCredentials(), arguments);
  }

  grpc::Status GetVersion(std::string* version, const std::string& path = kGetVersion) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::ByteBuffer response;
    const grpc::Status status =
        grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
            channel_.get(),
            grpc::internal::RpcMethod(path.c_str(), grpc::internal::RpcMethod::NORMAL_RPC),
            &context, ToBuffer(""), &response);
    tetragon::GetVersionResponse answer;
    if (status.ok()) {
      EXPECT_TRUE(answer.ParseFromString(FromBuffer(response)));
    }
    *version = answer.version();
    return status;
  }

  // A GetEvents call, read until `count` events (-1: the end of the stream).
  struct Call {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader;
  };
  std::unique_ptr<Call> GetEvents(const std::string& request) {
    auto call = std::make_unique<Call>();
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    call->reader.reset(grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(
        channel_.get(),
        grpc::internal::RpcMethod(kGetEvents, grpc::internal::RpcMethod::SERVER_STREAMING),
        &call->context, ToBuffer(request)));
    return call;
  }
  static size_t Read(Call& call, long count) {
    size_t n = 0;
    grpc::ByteBuffer event;
    while ((count < 0 || long(n) < count) && call.reader->Read(&event)) ++n;
    return n;
  }

  std::string Log() const { return dir_ + "/requests.jsonl"; }
  std::vector<json> Logged() { return test_util::ParseJsonLines(test_util::ReadFile(Log())); }
  size_t SeedEvents() {
    return test_util::ReadLines(test_util::CorpusPath("seed.wire.b64")).size();
  }

  std::string dir_;
  std::string socket_;
  std::unique_ptr<test_util::ChildProcess> fake_;
  std::shared_ptr<grpc::Channel> channel_;
};

INSTANTIATE_TEST_SUITE_P(Servers, FakeAgent, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Raw" : "Grpcpp"; });

TEST_P(FakeAgent, GetVersionAnswersTheAgentVersion) {
  Start({"--agent-version", "v1.6.0-rc.1"});
  std::string version;
  const grpc::Status status = GetVersion(&version);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_EQ(version, "v1.6.0-rc.1");
  EXPECT_EQ(Logged(), std::vector<json>{json::parse(R"({"method":"GetVersion","request":{}})")});
}

TEST_P(FakeAgent, GetVersionIsUnimplementedWithoutAVersion) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, std::vector<std::string>{"--agent-version", "none"}}) {
    Start(args);
    std::string version;
    const grpc::Status status = GetVersion(&version);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    // grpc-go's words, as an agent older than GetVersion says them.
    EXPECT_EQ(status.error_message(),
              "unknown method GetVersion for service tetragon.FineGuidanceSensors");
    Stop();
  }
  EXPECT_EQ(Logged().size(), 2u);
}

TEST_P(FakeAgent, OtherMethodsAreUnimplemented) {
  Start({"--agent-version", "v1.7.0"});
  std::string version;
  EXPECT_EQ(GetVersion(&version, "/tetragon.FineGuidanceSensors/GetHealth").error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(GetVersion(&version, "/grpc.health.v1.Health/Check").error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  // The connection still serves.
  EXPECT_TRUE(GetVersion(&version).ok());
  EXPECT_EQ(version, "v1.7.0");
}

TEST_P(FakeAgent, GetVersionThenGetEventsOnOneConnection) {
  Start({"--agent-version", "1.7.0", "--replay", test_util::CorpusPath("seed.wire.b64")});
  std::string version;
  ASSERT_TRUE(GetVersion(&version).ok());
  EXPECT_EQ(version, "1.7.0");
  auto call = GetEvents("");
  EXPECT_EQ(Read(*call, -1), SeedEvents());
  EXPECT_TRUE(call->reader->Finish().ok());
}

TEST_P(FakeAgent, GetVersionBesideAnOpenGetEvents) {
  // --raw serves one connection at a time: this passes only on one connection.
  Start(
      {"--agent-version", "v1.0.3", "--replay", test_util::CorpusPath("seed.wire.b64"), "--idle"});
  auto call = GetEvents("");
  EXPECT_EQ(Read(*call, long(SeedEvents())), SeedEvents());
  std::string version;
  ASSERT_TRUE(GetVersion(&version).ok());
  EXPECT_EQ(version, "v1.0.3");
  ASSERT_TRUE(GetVersion(&version).ok());
  call->context.TryCancel();
}

TEST_P(FakeAgent, BothAtOnce) {
  Start({"--agent-version", "v1.6.0", "--replay", test_util::CorpusPath("seed.wire.b64")});
  auto call = GetEvents("");  // sent before the first Read
  std::string version;
  std::thread unary([&] { EXPECT_TRUE(GetVersion(&version).ok()); });
  EXPECT_EQ(Read(*call, -1), SeedEvents());
  unary.join();
  EXPECT_EQ(version, "v1.6.0");
}

TEST_P(FakeAgent, RequestLogHasEveryRequest) {
  Start({"--agent-version", "v1.7.0", "--replay", test_util::CorpusPath("seed.wire.b64")});
  tetragon::GetEventsRequest request;
  request.add_allow_list()->add_event_set(tetragon::PROCESS_EXEC);
  request.add_field_filters()->mutable_fields()->add_paths("process.pid");
  auto call = GetEvents(request.SerializeAsString());
  Read(*call, -1);
  EXPECT_TRUE(call->reader->Finish().ok());
  call.reset();
  Connect();
  auto bad = GetEvents(std::string("\x0a\xff\xff\x7f", 4));
  EXPECT_EQ(Read(*bad, -1), 0u);
  EXPECT_EQ(bad->reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::string version;
  EXPECT_TRUE(GetVersion(&version).ok());
  const std::vector<std::string> expected = {
      R"({"method":"GetEvents","request":{"allow_list":[{"event_set":["PROCESS_EXEC"]}],)"
      R"("field_filters":[{"fields":"process.pid"}]}})",
      R"({"method":"GetEvents","unparsable":"Cv//fw=="})",
      R"({"method":"GetVersion","request":{}})"};
  EXPECT_EQ(test_util::ReadLines(Log()), expected);
}

TEST_P(FakeAgent, FilterFieldsNewerThanTheAgentAreIgnored) {
  // The corpus' processes run on the host: no pod, so namespace_regex (v1.7)
  // matches none of them; v1.6 does not know the field and streams them all.
  tetragon::GetEventsRequest request;
  request.add_allow_list()->add_namespace_regex(".*");
  for (const auto& [version, want] : {std::pair{"v1.7.0", size_t(0)}, {"v1.6.0", SeedEvents()}}) {
    Start({"--agent-version", version, "--replay", test_util::CorpusPath("seed.wire.b64")});
    auto call = GetEvents(request.SerializeAsString());
    EXPECT_EQ(Read(*call, -1), want) << version;
    EXPECT_TRUE(call->reader->Finish().ok()) << version;
    channel_.reset();
    Stop();
  }
}

TEST(FakeAgentUsage, HelpListsTheNewFlags) {
  const std::string dir = test_util::MakeTempDir();
  test_util::ChildProcess help({kFake, "--help"}, dir + "/out", dir + "/err");
  ASSERT_EQ(help.Wait(10000), 0);
  const std::string usage = test_util::ReadFile(dir + "/out");
  for (const char* flag : {"--agent-version", "--request-log", "--ping-min-time"})
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  test_util::ChildProcess bad({kFake, "--listen", "unix:" + dir + "/s", "--ping-min-time", "5"},
                              dir + "/out2", dir + "/err2");
  EXPECT_EQ(bad.Wait(10000), 2);
  std::filesystem::remove_all(dir);
}

}  // namespace
