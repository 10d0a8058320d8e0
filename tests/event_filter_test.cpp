#include "filter/event_filter.h"

#include <gtest/gtest.h>

#include "decode/decode.h"
#include "tetragon/events.pb.h"

namespace {

using tetrars::Verdict;

tetrars::AuidFilter Auid(const std::string& spec) {
  std::string error;
  return *tetrars::AuidFilter::Parse(spec, &error);
}

// The filter's verdict on `message` as tetrars sees it: its wire bytes, decoded.
Verdict Check(const tetrars::EventFilter& filter, const tetragon::GetEventsResponse& message) {
  const std::string bytes = message.SerializeAsString();
  tetrars::Decoder decoder;
  EXPECT_NE(decoder.Decode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
            tetrars::Decoder::Result::kMalformed);
  return filter.Check(decoder.event(), decoder.walker());
}

tetragon::GetEventsResponse Exec(std::optional<uint32_t> auid) {
  tetragon::GetEventsResponse event;
  auto* process = event.mutable_process_exec()->mutable_process();
  process->mutable_pid()->set_value(42);
  if (auid) process->mutable_auid()->set_value(*auid);
  return event;
}

TEST(EventFilter, ExecOfHumansOnly) {
  const tetrars::EventFilter filter({tetrars::EventKind(tetragon::PROCESS_EXEC)},
                                    Auid("1000-4294967294"));
  EXPECT_EQ(Check(filter, Exec(1000)), Verdict::kPrint);
  EXPECT_EQ(Check(filter, Exec(12345)), Verdict::kPrint);
  EXPECT_EQ(Check(filter, Exec(999)), Verdict::kAuidRejected);
  EXPECT_EQ(Check(filter, Exec(4294967295u)), Verdict::kAuidRejected);
  EXPECT_EQ(Check(filter, Exec(std::nullopt)), Verdict::kNoAuid);
  tetragon::GetEventsResponse no_process;
  no_process.mutable_process_exec()->mutable_parent()->mutable_auid()->set_value(1000);
  EXPECT_EQ(Check(filter, no_process), Verdict::kNoAuid);
}

TEST(EventFilter, TheRuleReadsTheEventsOwnProcessNotItsParent) {
  const tetrars::EventFilter filter({tetrars::EventKind(tetragon::PROCESS_EXEC)},
                                    Auid("1000-4294967294"));
  auto event = Exec(0);
  event.mutable_process_exec()->mutable_parent()->mutable_auid()->set_value(1000);
  EXPECT_EQ(Check(filter, event), Verdict::kAuidRejected);
}

TEST(EventFilter, ExitEventsReadProcessExitProcess) {
  tetragon::GetEventsResponse exit_event;
  exit_event.mutable_process_exit()->mutable_process()->mutable_auid()->set_value(1001);
  const tetrars::EventFilter exec_only({tetrars::EventKind(tetragon::PROCESS_EXEC)},
                                       Auid("1000-4294967294"));
  EXPECT_EQ(Check(exec_only, exit_event), Verdict::kOtherType);
  const tetrars::EventFilter both(
      {tetrars::EventKind(tetragon::PROCESS_EXEC), tetrars::EventKind(tetragon::PROCESS_EXIT)},
      Auid("1000-4294967294"));
  EXPECT_EQ(Check(both, exit_event), Verdict::kPrint);
  exit_event.mutable_process_exit()->mutable_process()->mutable_auid()->set_value(4294967295u);
  EXPECT_EQ(Check(both, exit_event), Verdict::kAuidRejected);
}

tetragon::GetEventsResponse ExecWithParent(std::optional<uint32_t> process,
                                           std::optional<uint32_t> parent) {
  auto event = Exec(process);
  auto* p = event.mutable_process_exec()->mutable_parent();
  if (parent) p->mutable_auid()->set_value(*parent);
  return event;
}

TEST(EventFilter, AuidOfParentReadsTheParent) {
  const tetrars::EventFilter filter({tetrars::EventKind(tetragon::PROCESS_EXEC)},
                                    Auid("1000-4294967294"), tetrars::AuidOf::kParent);
  EXPECT_EQ(Check(filter, ExecWithParent(0, 1000)), Verdict::kPrint);
  EXPECT_EQ(Check(filter, ExecWithParent(1000, 0)), Verdict::kAuidRejected);
  EXPECT_EQ(Check(filter, ExecWithParent(1000, std::nullopt)), Verdict::kNoAuid);
}

TEST(EventFilter, AuidOfEitherNeedsOneOfThem) {
  const tetrars::EventFilter filter({tetrars::EventKind(tetragon::PROCESS_EXEC)},
                                    Auid("1000-4294967294"), tetrars::AuidOf::kEither);
  EXPECT_EQ(Check(filter, ExecWithParent(1000, 0)), Verdict::kPrint);
  EXPECT_EQ(Check(filter, ExecWithParent(0, 1000)), Verdict::kPrint);
  EXPECT_EQ(Check(filter, ExecWithParent(std::nullopt, 1000)), Verdict::kPrint);
  EXPECT_EQ(Check(filter, ExecWithParent(0, 4294967295u)), Verdict::kAuidRejected);
  EXPECT_EQ(Check(filter, ExecWithParent(std::nullopt, 999)), Verdict::kAuidRejected);
  EXPECT_EQ(Check(filter, ExecWithParent(std::nullopt, std::nullopt)), Verdict::kNoAuid);
}

TEST(EventFilter, AnyAuidPrintsEventsWithoutAuidToo) {
  const tetrars::EventFilter filter({tetrars::EventKind(tetragon::PROCESS_EXEC)}, Auid("any"));
  EXPECT_EQ(Check(filter, Exec(std::nullopt)), Verdict::kPrint);
  EXPECT_EQ(Check(filter, Exec(4294967295u)), Verdict::kPrint);
  EXPECT_EQ(Check(filter, tetragon::GetEventsResponse()), Verdict::kOtherType);
}

}  // namespace
