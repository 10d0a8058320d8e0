#include "predicate.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

namespace {

const std::vector<tetrars::EventKind> kExec = {tetragon::PROCESS_EXEC};
const std::vector<tetrars::EventKind> kBoth = {tetragon::PROCESS_EXEC, tetragon::PROCESS_EXIT};

tetragon::GetEventsResponse Event(const std::string& text) {
  tetragon::GetEventsResponse event;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &event)) << text;
  return event;
}

bool Match(const std::string& predicate, const std::string& event,
           const std::vector<tetrars::EventKind>& types = kExec) {
  std::string error;
  auto p = tetrars::Predicate::Parse(predicate, types, &error);
  EXPECT_TRUE(p) << error;
  return p && p->Matches(Event(event));
}

const char* kRootShell = R"pb(process_exec {
                                process {
                                  uid { value: 0 }
                                  binary: "/bin/bash"
                                  flags: "execve clone"
                                  refcnt: 2
                                  cap { permitted: CAP_SYS_ADMIN }
                                }
                              })pb";

TEST(Predicate, NumbersWrappersAndStrings) {
  EXPECT_TRUE(Match("process.uid == 0", kRootShell));
  EXPECT_FALSE(Match("process.uid != 0", kRootShell));
  EXPECT_TRUE(Match("process.uid < 1000", kRootShell));
  EXPECT_TRUE(Match("process.refcnt >= 2", kRootShell));
  EXPECT_FALSE(Match("process.refcnt > 2", kRootShell));
  EXPECT_TRUE(Match("process.binary == /bin/bash", kRootShell));
  EXPECT_TRUE(Match("process.flags == execve clone", kRootShell));  // the value may hold spaces
  EXPECT_TRUE(Match("process.binary =~ bash$", kRootShell));
  EXPECT_TRUE(Match("process.binary !~ ^/opt/", kRootShell));
  EXPECT_FALSE(Match("process.binary =~ ^bash", kRootShell));  // unanchored, but ^ anchors
}

TEST(Predicate, AbsentFieldsMatchOnlyNegations) {
  EXPECT_FALSE(Match("process.auid == 0", kRootShell));
  EXPECT_FALSE(Match("process.auid < 1000", kRootShell));
  EXPECT_TRUE(Match("process.auid != 0", kRootShell));
  EXPECT_FALSE(Match("process.pod.name =~ .", kRootShell));
  EXPECT_TRUE(Match("process.pod.name !~ web", kRootShell));
  EXPECT_FALSE(Match("parent.pid == 1", kRootShell));
  // A field of the other event type is absent from this one.
  EXPECT_FALSE(Match("signal == SIGKILL", kRootShell, kBoth));
  EXPECT_TRUE(Match("signal == SIGKILL", R"pb(process_exit { signal: "SIGKILL" })pb", kBoth));
  EXPECT_TRUE(Match("status != 0", R"pb(process_exec {})pb", kBoth));
}

TEST(Predicate, EnumsBoolsAndSixtyFourBits) {
  EXPECT_TRUE(Match("process.in_init_tree == false",
                    R"pb(process_exec { process { in_init_tree { value: false } } })pb"));
  EXPECT_TRUE(
      Match("process.binary_properties.file.inode.number == 18446744073709551615",
            R"pb(process_exec {
                   process { binary_properties { file { inode { number: 18446744073709551615 } } } }
                 })pb"));
}

TEST(Predicate, MistakesAreRefusedWithTheReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"process.uid", "expected 'PATH OP VALUE'"},
      {"process.uid === 0", "unknown operator '==='"},
      {"process.nope == 1", "no field process.nope in the selected event types"},
      {"process == 1", "process is a message, not a value"},
      {"ancestors.pid == 1", "ancestors is a repeated field"},
      {"process.uid == -1", "'-1' is not a number process.uid can hold"},
      {"process.uid == 4294967296", "'4294967296' is not a number process.uid can hold"},
      {"process.uid =~ 0", "=~ needs a string field"},
      {"process.binary < a", "< needs a number field; process.binary is a string"},
      {"process.binary =~ (", "bad regular expression: missing )"},
      {"process.in_init_tree == yes", "process.in_init_tree is true or false"},
  };
  for (const auto& [text, why] : cases) {
    std::string error;
    EXPECT_FALSE(tetrars::Predicate::Parse(text, kExec, &error)) << text;
    EXPECT_EQ(error.rfind("invalid --match '" + std::string(text) + "': ", 0), 0u) << error;
    EXPECT_NE(error.find(why), std::string::npos) << text << ": " << error;
  }
}

}  // namespace
