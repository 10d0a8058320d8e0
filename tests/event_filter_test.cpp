#include "event_filter.h"

#include <gtest/gtest.h>

namespace {

using tetrars::Verdict;

tetrars::AuidFilter Auid(const std::string& spec) {
  std::string error;
  return *tetrars::AuidFilter::Parse(spec, &error);
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
  EXPECT_EQ(filter.Check(Exec(1000)), Verdict::kPrint);
  EXPECT_EQ(filter.Check(Exec(12345)), Verdict::kPrint);
  EXPECT_EQ(filter.Check(Exec(999)), Verdict::kAuidRejected);
  EXPECT_EQ(filter.Check(Exec(4294967295u)), Verdict::kAuidRejected);
  EXPECT_EQ(filter.Check(Exec(std::nullopt)), Verdict::kNoAuid);
  tetragon::GetEventsResponse no_process;
  no_process.mutable_process_exec()->mutable_parent()->mutable_auid()->set_value(1000);
  EXPECT_EQ(filter.Check(no_process), Verdict::kNoAuid);
}

TEST(EventFilter, TheRuleReadsTheEventsOwnProcessNotItsParent) {
  const tetrars::EventFilter filter({tetrars::EventKind(tetragon::PROCESS_EXEC)},
                                    Auid("1000-4294967294"));
  auto event = Exec(0);
  event.mutable_process_exec()->mutable_parent()->mutable_auid()->set_value(1000);
  EXPECT_EQ(filter.Check(event), Verdict::kAuidRejected);
}

TEST(EventFilter, ExitEventsReadProcessExitProcess) {
  tetragon::GetEventsResponse exit_event;
  exit_event.mutable_process_exit()->mutable_process()->mutable_auid()->set_value(1001);
  const tetrars::EventFilter exec_only({tetrars::EventKind(tetragon::PROCESS_EXEC)},
                                       Auid("1000-4294967294"));
  EXPECT_EQ(exec_only.Check(exit_event), Verdict::kOtherType);
  const tetrars::EventFilter both(
      {tetrars::EventKind(tetragon::PROCESS_EXEC), tetrars::EventKind(tetragon::PROCESS_EXIT)},
      Auid("1000-4294967294"));
  EXPECT_EQ(both.Check(exit_event), Verdict::kPrint);
  exit_event.mutable_process_exit()->mutable_process()->mutable_auid()->set_value(4294967295u);
  EXPECT_EQ(both.Check(exit_event), Verdict::kAuidRejected);
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
  EXPECT_EQ(filter.Check(ExecWithParent(0, 1000)), Verdict::kPrint);
  EXPECT_EQ(filter.Check(ExecWithParent(1000, 0)), Verdict::kAuidRejected);
  EXPECT_EQ(filter.Check(ExecWithParent(1000, std::nullopt)), Verdict::kNoAuid);
  EXPECT_FALSE(filter.reads_process_auid());  // no wire fast path for the parent
}

TEST(EventFilter, AuidOfEitherNeedsOneOfThem) {
  const tetrars::EventFilter filter({tetrars::EventKind(tetragon::PROCESS_EXEC)},
                                    Auid("1000-4294967294"), tetrars::AuidOf::kEither);
  EXPECT_EQ(filter.Check(ExecWithParent(1000, 0)), Verdict::kPrint);
  EXPECT_EQ(filter.Check(ExecWithParent(0, 1000)), Verdict::kPrint);
  EXPECT_EQ(filter.Check(ExecWithParent(std::nullopt, 1000)), Verdict::kPrint);
  EXPECT_EQ(filter.Check(ExecWithParent(0, 4294967295u)), Verdict::kAuidRejected);
  EXPECT_EQ(filter.Check(ExecWithParent(std::nullopt, 999)), Verdict::kAuidRejected);
  EXPECT_EQ(filter.Check(ExecWithParent(std::nullopt, std::nullopt)), Verdict::kNoAuid);
}

TEST(EventFilter, AnyAuidPrintsEventsWithoutAuidToo) {
  const tetrars::EventFilter filter({tetrars::EventKind(tetragon::PROCESS_EXEC)}, Auid("any"));
  EXPECT_EQ(filter.Check(Exec(std::nullopt)), Verdict::kPrint);
  EXPECT_EQ(filter.Check(Exec(4294967295u)), Verdict::kPrint);
  EXPECT_EQ(filter.Check(tetragon::GetEventsResponse()), Verdict::kOtherType);
}

}  // namespace
