// --max-line-bytes on JSON lines: the longest strings go first, cuts never
// split a character or an escape, and the result is the same JSON otherwise.
#include "encode/line_limit.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "base/utf8.h"
#include "encode/annotations.h"
#include "json_writer.h"
#include "tetragon/events.pb.h"

namespace {

using nlohmann::json;

tetragon::GetEventsResponse ExecWithArguments(const std::string& arguments) {
  tetragon::GetEventsResponse event;
  auto* process = event.mutable_process_exec()->mutable_process();
  process->mutable_pid()->set_value(4242);
  process->mutable_auid()->set_value(1000);
  process->set_cwd("/home/alice/" + std::string(200, 'c'));
  process->set_binary("/usr/bin/" + std::string(100, 'b'));
  process->set_exec_id("a2luZC1ub2RlOjEyMzQ1Njc4OTo0MjQy");
  process->set_arguments(arguments);
  event.mutable_process_exec()->mutable_parent()->set_binary("/bin/bash");
  event.set_node_name("node-1");
  event.mutable_time()->set_seconds(1700000000);
  return event;
}

std::string Line(const google::protobuf::Message& message) {
  std::string line;
  EXPECT_TRUE(tetrars::AppendJson(message, line));
  return line;
}

// The marker's number, checked against what was really removed.
size_t RemovedBytes(const std::string& cut) {
  static const std::regex marker(R"(\.\.\.\[truncated (\d+) bytes\]$)");
  std::smatch match;
  EXPECT_TRUE(std::regex_search(cut, match, marker)) << cut.substr(cut.size() - 60);
  return match.empty() ? 0 : std::stoul(match[1]);
}

TEST(LineLimit, ShortLinesAreLeftAlone) {
  std::string line = Line(ExecWithArguments("-l /tmp"));
  const std::string before = line;
  EXPECT_EQ(tetrars::FitJsonLine(line, 0, line.size()), tetrars::FitResult::kFits);
  EXPECT_EQ(line, before);
}

TEST(LineLimit, ThreeHundredKilobyteArgumentsFitAndTheOtherFieldsStay) {
  const std::string arguments(300 * 1024, 'x');
  std::string line = Line(ExecWithArguments(arguments));
  ASSERT_GT(line.size(), 300000u);
  ASSERT_EQ(tetrars::FitJsonLine(line, 0, 48000), tetrars::FitResult::kShortened);
  EXPECT_LE(line.size(), 48000u);
  EXPECT_GT(line.size(), 47900u) << "the budget should be used, not wasted";
  const json cut = json::parse(line);
  const json whole = json::parse(Line(ExecWithArguments(arguments)));
  json expected = whole;
  const std::string shortened = cut["process_exec"]["process"]["arguments"];
  expected["process_exec"]["process"]["arguments"] = shortened;
  EXPECT_EQ(cut, expected) << "only the arguments may change";
  const size_t kept = shortened.find("...[truncated");
  EXPECT_EQ(shortened.substr(0, kept), arguments.substr(0, kept));
  EXPECT_EQ(kept + RemovedBytes(shortened), arguments.size());
}

TEST(LineLimit, LongestStringsGoFirstAndAllLongOnesMeetAtOneLength) {
  tetragon::GetEventsResponse event = ExecWithArguments(std::string(5000, 'a'));
  event.mutable_process_exec()->mutable_process()->set_cwd(std::string(3000, 'c'));
  std::string line = Line(event);
  // Only a little must go: the arguments alone give it.
  ASSERT_EQ(tetrars::FitJsonLine(line, 0, line.size() - 1000), tetrars::FitResult::kShortened);
  json cut = json::parse(line);
  EXPECT_EQ(cut["process_exec"]["process"]["cwd"], std::string(3000, 'c'));
  EXPECT_LT(cut["process_exec"]["process"]["arguments"].get<std::string>().size(), 5000u);
  // Much must go: both are cut, to about the same length.
  line = Line(event);
  ASSERT_EQ(tetrars::FitJsonLine(line, 0, 2000), tetrars::FitResult::kShortened);
  EXPECT_LE(line.size(), 2000u);
  cut = json::parse(line);
  const size_t arguments = cut["process_exec"]["process"]["arguments"].get<std::string>().size();
  const size_t cwd = cut["process_exec"]["process"]["cwd"].get<std::string>().size();
  EXPECT_LT(arguments, 3000u);
  EXPECT_LE(std::max(arguments, cwd) - std::min(arguments, cwd), 2u);
  // Short strings are never touched.
  EXPECT_EQ(cut["process_exec"]["parent"]["binary"], "/bin/bash");
  EXPECT_EQ(cut["process_exec"]["process"]["exec_id"], "a2luZC1ub2RlOjEyMzQ1Njc4OTo0MjQy");
  EXPECT_EQ(cut["time"], "2023-11-14T22:13:20Z");
}

TEST(LineLimit, CutsNeverSplitACharacterOrAnEscape) {
  // Every budget across a text of 2-, 3- and 4-byte characters and escapes.
  const std::string unit = "é€😀\"\\\n\x01 ";
  std::string arguments;
  while (arguments.size() < 3000) arguments += unit;
  const std::string whole = Line(ExecWithArguments(arguments));
  for (size_t budget = whole.size() - 1; budget + 2600 > whole.size(); budget -= 7) {
    std::string line = whole;
    ASSERT_EQ(tetrars::FitJsonLine(line, 0, budget), tetrars::FitResult::kShortened);
    ASSERT_LE(line.size(), budget);
    ASSERT_TRUE(tetrars::IsValidUtf8(line)) << "budget " << budget;
    json cut;
    ASSERT_NO_THROW(cut = json::parse(line)) << "budget " << budget;
    const std::string shortened = cut["process_exec"]["process"]["arguments"];
    const std::string kept = shortened.substr(0, shortened.find("...[truncated"));
    ASSERT_EQ(arguments.compare(0, kept.size(), kept), 0) << "budget " << budget;
  }
}

TEST(LineLimit, WorksOnTheLineAtTheEndOfABuffer) {
  std::string buffer = "{\"earlier\":\"line\"}\n";
  const size_t from = buffer.size();
  buffer += Line(ExecWithArguments(std::string(10000, 'z')));
  ASSERT_EQ(tetrars::FitJsonLine(buffer, from, 4000), tetrars::FitResult::kShortened);
  EXPECT_EQ(buffer.substr(0, from), "{\"earlier\":\"line\"}\n");
  EXPECT_LE(buffer.size() - from, 4000u);
}

TEST(LineLimit, TooManyShortStringsCannotFit) {
  tetragon::GetEventsResponse event;
  auto* kprobe = event.mutable_process_kprobe();
  for (int i = 0; i < 500; ++i) kprobe->add_args()->set_string_arg(std::string(60, 's'));
  std::string line = Line(event);
  const std::string before = line;
  EXPECT_EQ(tetrars::FitJsonLine(line, 0, 4000), tetrars::FitResult::kTooLarge);
  EXPECT_EQ(line, before);
}

TEST(Annotations, GoIntoOneTetrarsObjectAtTheEnd) {
  tetrars::Annotations annotations;
  annotations.names = {{"auid_user", "alice"}, {"uid_user", "ro\"ot"}};
  annotations.truncated = true;
  std::string line = "{\"a\":1}";
  tetrars::AppendAnnotations(annotations, line, 0);
  EXPECT_EQ(json::parse(line), json::parse(R"({"a":1,"tetrars":{"auid_user":"alice",
    "uid_user":"ro\"ot","truncated":true}})"));
  std::string empty_object = "{}";
  tetrars::AppendAnnotations(annotations, empty_object, 0);
  EXPECT_EQ(json::parse(empty_object)["tetrars"]["auid_user"], "alice");
  std::string untouched = "{\"a\":1}";
  tetrars::AppendAnnotations(tetrars::Annotations{}, untouched, 0);
  EXPECT_EQ(untouched, "{\"a\":1}");
}

}  // namespace
