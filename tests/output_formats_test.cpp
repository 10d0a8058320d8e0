// The encode stage as the loop calls it (LineEncoder), the compact format,
// the journald fields, and the user-name cache.
#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/escaped_text.h"
#include "base/utf8.h"
#include "cli/cli.h"
#include "decode/decode.h"
#include "decode/schema.h"
#include "decode/wire.h"
#include "encode/compact_writer.h"
#include "encode/line_encoder.h"
#include "encode/user_names.h"
#include "json_writer.h"
#include "sink/journal_sink.h"
#include "tetragon/events.pb.h"

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

tetragon::GetEventsResponse Exec(const std::string& arguments) {
  tetragon::GetEventsResponse event;
  auto* process = event.mutable_process_exec()->mutable_process();
  process->mutable_pid()->set_value(4242);
  process->mutable_uid()->set_value(0);
  process->mutable_auid()->set_value(1000);
  process->set_binary("/usr/bin/sudo");
  process->set_exec_id("bm9kZTo0MjQy");
  process->set_arguments(arguments);
  auto* parent = event.mutable_process_exec()->mutable_parent();
  parent->set_binary("/bin/bash");
  parent->mutable_uid()->set_value(1000);
  event.set_node_name("node-1");
  event.mutable_time()->set_seconds(1700000000);
  event.mutable_time()->set_nanos(5);
  return event;
}

// An event as tetrars holds it: the message's wire bytes, decoded (kept
// alive with the decoder, which points into them).
struct Decoded {
  explicit Decoded(const tetragon::GetEventsResponse& message)
      : bytes(message.SerializeAsString()) {
    EXPECT_EQ(decoder.Decode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
              tetrars::Decoder::Result::kEvent);
  }
  const tetrars::Event& event() const { return decoder.event(); }
  std::string bytes;
  tetrars::Decoder decoder;
};

tetrars::LineEncoder::Result Encode(tetrars::LineEncoder& encoder,
                                    const tetragon::GetEventsResponse& message, std::string& out,
                                    std::string* error) {
  Decoded decoded(message);
  return encoder.Encode(decoded.event(), decoded.decoder.walker(), out, error);
}

std::vector<std::string> JournalFields(std::string line,
                                       const tetragon::GetEventsResponse& message) {
  Decoded decoded(message);
  return tetrars::JournalSink::Fields(std::move(line), decoded.event(), decoded.decoder.walker());
}

bool IsValidEvent(const std::string& bytes, std::string* problem = nullptr) {
  return tetrars::wire::Validate(tetrars::schema::EventsResponse(),
                                 reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                 problem);
}

// The compact line of `event` as tetrars prints it: from its wire bytes.
bool AppendCompactLine(const tetragon::GetEventsResponse& event, bool timestamps, size_t budget,
                       std::string& out) {
  static tetrars::CompactWriter writer;
  static tetrars::wire::Walker walker;
  const std::string bytes = event.SerializeAsString();
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  std::string problem;
  EXPECT_TRUE(IsValidEvent(bytes, &problem)) << problem;
  return writer.Append({data, bytes.size(), walker.EventKind(data, bytes.size())}, timestamps,
                       budget, out);
}

tetrars::LineFormat WithOutput(tetrars::OutputFormat format, size_t max_line_bytes) {
  tetrars::LineFormat line;
  line.output = format;
  line.max_line_bytes = max_line_bytes;
  return line;
}

TEST(LineEncoder, JsonLinesWithoutALimitAreTetrasObjects) {
  tetrars::LineEncoder encoder(WithOutput(tetrars::OutputFormat::kJson, 0));
  std::string out;
  std::string error;
  ASSERT_EQ(Encode(encoder, Exec(std::string(100000, 'a')), out, &error),
            tetrars::LineEncoder::Result::kWritten);
  EXPECT_FALSE(json::parse(out).contains("tetrars"));
  EXPECT_GT(out.size(), 100000u);
}

TEST(LineEncoder, TruncatedLinesSaySoWithinTheLimit) {
  tetrars::LineEncoder encoder(WithOutput(tetrars::OutputFormat::kJson, 2000));
  std::string out;
  std::string error;
  ASSERT_EQ(Encode(encoder, Exec(std::string(100000, 'a')), out, &error),
            tetrars::LineEncoder::Result::kTruncated);
  EXPECT_LE(out.size(), 2000u);
  const json line = json::parse(out);
  EXPECT_EQ(line["tetrars"], json::parse(R"({"truncated":true})"));
  EXPECT_EQ(line["process_exec"]["process"]["binary"], "/usr/bin/sudo");
}

TEST(LineEncoder, AnEventThatCannotFitLeavesItsIdentity) {
  tetragon::GetEventsResponse event = Exec("x");
  for (int i = 0; i < 200; ++i) {
    event.mutable_process_exec()->mutable_process()->mutable_pod()->mutable_pod_labels()->insert(
        {"label-" + std::to_string(i), "value"});
  }
  tetrars::LineEncoder encoder(WithOutput(tetrars::OutputFormat::kJson, 1024));
  std::string out = "earlier line\n";
  std::string error;
  ASSERT_EQ(Encode(encoder, event, out, &error), tetrars::LineEncoder::Result::kTruncated);
  const std::string line = out.substr(13);
  EXPECT_LE(line.size(), 1024u);
  std::string whole;
  ASSERT_TRUE(tetrars::AppendJson(event, whole));
  EXPECT_EQ(json::parse(line), json::parse(R"({"process_exec":{"process":{"exec_id":"bm9kZTo0MjQy",
    "pid":4242,"uid":0,"auid":1000}},"node_name":"node-1","time":"2023-11-14T22:13:20.000000005Z",
    "tetrars":{"truncated":true,"omitted_bytes":)" +
                                           std::to_string(whole.size()) + "}}"));
}

TEST(CompactWriter, ExecAndExitAsTetraPrintsThem) {
  std::string out;
  EXPECT_FALSE(AppendCompactLine(Exec("-i"), false, 0, out));
  EXPECT_EQ(out, "🚀 process node-1 /usr/bin/sudo -i");
  tetragon::GetEventsResponse exit = Exec("-i");
  *exit.mutable_process_exit()->mutable_process() = Exec("-i").process_exec().process();
  exit.mutable_process_exit()->mutable_process()->mutable_pod()->set_namespace_("prod");
  exit.mutable_process_exit()->mutable_process()->mutable_pod()->set_name("web-1");
  exit.mutable_process_exit()->set_status(3);
  out.clear();
  AppendCompactLine(exit, false, 0, out);
  EXPECT_EQ(out, "💥 exit    prod/web-1 /usr/bin/sudo -i 3");
  exit.mutable_process_exit()->set_signal("SIGKILL");
  exit.mutable_process_exit()->mutable_process()->mutable_cap()->add_effective(
      tetragon::CAP_SYS_ADMIN);
  out.clear();
  AppendCompactLine(exit, true, 0, out);
  // tetra's "%s %*s" with width 120 - 48 bytes: 72 - 15 characters of padding.
  EXPECT_EQ(out, "2023-11-14T22:13:20.000000005Z 💥 exit    prod/web-1 /usr/bin/sudo -i SIGKILL " +
                     std::string(57, ' ') + "🛑 CAP_SYS_ADMIN");
}

TEST(CompactWriter, PolicyEventsInTetrasGenericForms) {
  const tetragon::Process process = Exec("-i").process_exec().process();
  const auto line = [](const tetragon::GetEventsResponse& event) {
    std::string out;
    AppendCompactLine(event, false, 0, out);
    return out;
  };
  tetragon::GetEventsResponse kprobe;
  kprobe.set_node_name("node-1");
  *kprobe.mutable_process_kprobe()->mutable_process() = process;
  kprobe.mutable_process_kprobe()->set_function_name("security_bprm_check");
  EXPECT_EQ(line(kprobe), "❓ syscall node-1 /usr/bin/sudo security_bprm_check");
  tetragon::GetEventsResponse tracepoint;
  *tracepoint.mutable_process_tracepoint()->mutable_process() = process;
  tracepoint.mutable_process_tracepoint()->set_subsys("sched");
  tracepoint.mutable_process_tracepoint()->set_event("sched_switch");
  EXPECT_EQ(line(tracepoint), "⁉️ tracepoint  /usr/bin/sudo sched sched_switch");
  tetragon::GetEventsResponse lsm;
  *lsm.mutable_process_lsm()->mutable_process() = process;
  lsm.mutable_process_lsm()->set_function_name("file_open");
  EXPECT_EQ(line(lsm), "🔒 LSM      /usr/bin/sudo file_open");
  tetragon::GetEventsResponse uprobe;
  *uprobe.mutable_process_uprobe()->mutable_process() = process;
  uprobe.mutable_process_uprobe()->set_path("/lib/libc.so.6");
  uprobe.mutable_process_uprobe()->set_symbol("malloc");
  EXPECT_EQ(line(uprobe), "🕵️ uprobe   /usr/bin/sudo /lib/libc.so.6 malloc");
  tetragon::GetEventsResponse throttle;
  throttle.mutable_process_throttle()->set_type(tetragon::THROTTLE_START);
  throttle.mutable_process_throttle()->set_cgroup("/sys/fs/cgroup/x");
  EXPECT_EQ(line(throttle), "🧬 throttle START /sys/fs/cgroup/x");
}

TEST(CompactWriter, OneEventIsAlwaysOneLine) {
  // A forged log line, a terminal escape, a C1 NEL, U+2028, a lone byte.
  const std::string arguments =
      "a\nJan 1 00:00:00 host sshd: accepted\r\t\x1b[2J\xc2\x85|\xe2\x80\xa8|\xff|\\";
  // A string that is not UTF-8 makes the whole event malformed (as for
  // protobuf): it never reaches the writer, which would escape it anyway.
  auto* const log = google::protobuf::SetLogHandler(nullptr);  // libprotobuf complains
  EXPECT_FALSE(IsValidEvent(Exec(arguments).SerializeAsString()));
  google::protobuf::SetLogHandler(log);
  std::string out = "🚀 process node-1 /usr/bin/sudo ";
  tetrars::AppendEscapedText(arguments, out);
  EXPECT_EQ(out,
            "🚀 process node-1 /usr/bin/sudo a\\nJan 1 00:00:00 host sshd: accepted\\r\\t\\x1b[2J"
            "\\u0085|\\u2028|\\xff|\\\\");
  // The same arguments without the stray byte, in an event.
  std::string valid = arguments;
  valid.erase(valid.find("\xff|"), 2);
  out.clear();
  AppendCompactLine(Exec(valid), false, 0, out);
  EXPECT_EQ(out,
            "🚀 process node-1 /usr/bin/sudo a\\nJan 1 00:00:00 host sshd: accepted\\r\\t\\x1b[2J"
            "\\u0085|\\u2028|\\\\");
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_TRUE(tetrars::IsValidUtf8(out));
}

TEST(CompactWriter, LongArgumentsAreCutFirst) {
  tetragon::GetEventsResponse exit = Exec("");
  *exit.mutable_process_exit()->mutable_process() =
      Exec(std::string(5000, 'a') + "é").process_exec().process();
  exit.mutable_process_exit()->set_status(1);
  std::string out;
  EXPECT_TRUE(AppendCompactLine(exit, false, 1024, out));
  EXPECT_LE(out.size(), 1024u);
  EXPECT_EQ(out.rfind("💥 exit    node-1 /usr/bin/sudo aaa", 0), 0u) << out;
  EXPECT_NE(out.find("...[truncated "), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 2), " 1") << "the status stays";
  // A binary too long for the limit: the line itself is cut.
  exit.mutable_process_exit()->mutable_process()->set_binary("/" + std::string(3000, 'b'));
  out.clear();
  EXPECT_TRUE(AppendCompactLine(exit, false, 1024, out));
  EXPECT_LE(out.size(), 1024u);
  EXPECT_TRUE(tetrars::IsValidUtf8(out));
}

TEST(JournalFields, ExactlyThoseOfTheEventThatArePresent) {
  EXPECT_EQ(JournalFields("{}", Exec("-i")),
            (std::vector<std::string>{"MESSAGE={}", "PRIORITY=6", "SYSLOG_IDENTIFIER=tetrars",
                                      "TETRAGON_EVENT=PROCESS_EXEC", "TETRAGON_AUID=1000",
                                      "TETRAGON_UID=0", "TETRAGON_PID=4242",
                                      "TETRAGON_BINARY=/usr/bin/sudo",
                                      "TETRAGON_PARENT_BINARY=/bin/bash", "TETRAGON_NODE=node-1"}));
  tetragon::GetEventsResponse bare;
  bare.mutable_process_exit();
  EXPECT_EQ(JournalFields("m", bare),
            (std::vector<std::string>{"MESSAGE=m", "PRIORITY=6", "SYSLOG_IDENTIFIER=tetrars",
                                      "TETRAGON_EVENT=PROCESS_EXIT"}));
}

TEST(UserNames, CachesNamesAndMissingUsers) {
  std::atomic<int> lookups{0};
  tetrars::UserNames names(1000ms, 16, [&](uint32_t uid) -> std::optional<std::string> {
    ++lookups;
    if (uid == 1000) return "alice";
    return std::nullopt;
  });
  EXPECT_EQ(names.Name(1000), "alice");
  EXPECT_EQ(names.Name(1000), "alice");
  EXPECT_EQ(names.Name(5555), std::nullopt);
  EXPECT_EQ(names.Name(5555), std::nullopt);
  EXPECT_EQ(lookups.load(), 2) << "one lookup per uid, missing users too";
}

TEST(UserNames, AFullCacheStaysBounded) {
  std::atomic<int> lookups{0};
  tetrars::UserNames names(1000ms, 4, [&](uint32_t uid) -> std::optional<std::string> {
    ++lookups;
    return "u" + std::to_string(uid);
  });
  for (uint32_t uid = 0; uid < 10; ++uid) EXPECT_EQ(names.Name(uid), "u" + std::to_string(uid));
  EXPECT_EQ(lookups.load(), 10);
  // Entries were dropped to stay within 4: the first uid is looked up again.
  EXPECT_EQ(names.Name(0), "u0");
  EXPECT_EQ(lookups.load(), 11);
}

TEST(UserNames, ASlowDirectoryIsSkippedThenAnsweredFromTheCache) {
  std::atomic<bool> release{false};
  tetrars::UserNames names(5ms, 16, [&](uint32_t) -> std::optional<std::string> {
    while (!release) std::this_thread::sleep_for(1ms);
    return "bob";
  });
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(names.Name(2000), std::nullopt) << "a lookup that blocks is not waited for";
  EXPECT_EQ(names.Name(2000), std::nullopt);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ(names.slow_lookups(), 2u);
  // A stuck directory costs one wait, not one per event or per user.
  for (uint32_t uid = 3000; uid < 3200; ++uid) EXPECT_EQ(names.Name(uid), std::nullopt);
  EXPECT_EQ(names.waits(), 1u);
  EXPECT_EQ(names.slow_lookups(), 202u);
  release = true;
  // The directory answers again: the users asked for get their names from
  // the cache, the stuck one first, then those queued behind it.
  for (uint32_t uid : {2000u, 3199u}) {
    std::optional<std::string> name;
    for (int i = 0; i < 5000 && !name; ++i) {
      name = names.Name(uid);
      if (!name) std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(name, "bob") << uid;
  }
}

}  // namespace
