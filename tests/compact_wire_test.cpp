// The compact writer over wire bytes (compact_writer.h) against the
// libprotobuf-based writer it replaced (tests/reference/compact_reference.h)
// as the oracle: for bytes that pass wire::Validate, CompactWriter prints
// exactly the line the reference prints for the same bytes parsed by
// libprotobuf, with and without --timestamps, at every budget tried (so the
// truncation too). No expected line is written by hand here.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <iostream>
#include <map>
#include <random>
#include <vector>

#include "base/utf8.h"
#include "decode/schema.h"
#include "decode/wire.h"
#include "encode/compact_writer.h"
#include "random_message.h"
#include "reference/compact_reference.h"
#include "test_util.h"
#include "tetragon/events.pb.h"
#include "wire_builder.h"

namespace {

using ::wire::BytesField;
using ::wire::Varint;
using ::wire::VarintField;

// 0: no limit; then limits that cut the arguments, the line, or nothing.
constexpr size_t kBudgets[] = {0, 1, 16, 40, 64, 90, 121, 200, 1024};

tetrars::CompactWriter& Writer() {
  static tetrars::CompactWriter writer;
  return writer;
}

bool Valid(const std::string& bytes) {
  return tetrars::wire::Validate(tetrars::schema::EventsResponse(),
                                 reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

struct Line {
  std::string text;
  bool truncated = false;
  bool operator==(const Line&) const = default;
};

Line Ours(const std::string& bytes, bool timestamps, size_t budget) {
  static tetrars::wire::Walker walker;
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const tetrars::Event event{data, bytes.size(), walker.EventKind(data, bytes.size())};
  Line line{"x", false};  // appends: what is there stays
  line.truncated = Writer().Append(event, timestamps, budget, line.text);
  line.text.erase(0, 1);
  return line;
}

Line Reference(const tetragon::GetEventsResponse& event, bool timestamps, size_t budget) {
  Line line;
  line.truncated = reference::AppendCompactLine(event, timestamps, budget, line.text);
  return line;
}

// Valid bytes: the same line as the reference at every budget, with and
// without timestamps. The bytes must pass Validate and libprotobuf's parser.
::testing::AssertionResult SameAsReference(const std::string& bytes) {
  if (!Valid(bytes)) return ::testing::AssertionFailure() << "the walker refuses the bytes";
  tetragon::GetEventsResponse event;
  if (!event.ParseFromString(bytes)) {
    return ::testing::AssertionFailure() << "libprotobuf refuses what the walker accepts";
  }
  for (const bool timestamps : {false, true}) {
    for (const size_t budget : kBudgets) {
      const Line want = Reference(event, timestamps, budget);
      const Line got = Ours(bytes, timestamps, budget);
      if (want != got) {
        return ::testing::AssertionFailure()
               << "timestamps " << timestamps << ", budget " << budget
               << "\n  reference: " << want.text << (want.truncated ? " (truncated)" : "")
               << "\n  wire:      " << got.text << (got.truncated ? " (truncated)" : "");
      }
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(CompactWire, CorpusEventsAsTheReference) {
  for (const char* set : {"all.wire.b64", "seed.wire.b64"}) {
    const auto lines = test_util::ReadLines(test_util::CorpusPath(set));
    ASSERT_FALSE(lines.empty());
    for (size_t i = 0; i < lines.size(); ++i) {
      EXPECT_TRUE(SameAsReference(test_util::Base64Decode(lines[i]))) << set << " line " << i + 1;
    }
  }
}

// `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD
// (controls, U+2028 and the like stay: they are valid).
std::string ValidUtf8(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const size_t n = uint8_t(text[i]) < 0x80 ? 1 : tetrars::ValidUtf8Length(text, i);
    if (n == 0) {
      out += "\xef\xbf\xbd";
      ++i;
    } else {
      out.append(text, i, n);
      i += n;
    }
  }
  return out;
}

// Makes every string field of `message` (nested, repeated, map keys and
// values) valid UTF-8, so that random events pass validation.
void RepairStrings(google::protobuf::Message& message) {
  const auto* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const auto* field : fields) {
    if (field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          reflection->SetRepeatedString(
              &message, field, i, ValidUtf8(reflection->GetRepeatedString(message, field, i)));
        }
      } else {
        reflection->SetString(&message, field, ValidUtf8(reflection->GetString(message, field)));
      }
    } else if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          RepairStrings(*reflection->MutableRepeatedMessage(&message, field, i));
        }
      } else {
        RepairStrings(*reflection->MutableMessage(&message, field));
      }
    }
  }
}

// Random events of the whole schema (test_util::RandomMessages) serialized by
// libprotobuf: as generated (most are not valid UTF-8: those are checked to be
// refused by both parsers), with their strings made valid UTF-8, and
// concatenations of two of those (protobuf's merge: duplicate scalars, oneof
// switches, merged processes, capabilities from both).
TEST(CompactWire, RandomEventsAsTheReference) {
  auto* const log = google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 is expected
  test_util::RandomMessages random(8675309);
  tetrars::wire::Walker walker;
  std::map<uint32_t, int> kinds;
  int compared = 0, invalid = 0, sys_admin = 0, truncated = 0;
  std::string previous;
  for (int i = 0; i < 3000; ++i) {
    tetragon::GetEventsResponse message;
    random.Fill(message, 0);
    // Fill() sets the oneof's members in declaration order, so the last ones
    // win most often: every other event is refilled with one kind, in turn.
    if (i % 2 == 1) {
      const auto& types = tetrars::schema::EventTypes();
      const auto* member = message.GetDescriptor()->FindFieldByNumber(
          int(types[size_t(i / 2) % types.size()].number));
      google::protobuf::Message* body = message.GetReflection()->MutableMessage(&message, member);
      random.Fill(*body, 1);
      // CAP_SYS_ADMIN is 1 in 60 of 0-3 random capabilities: add it at times.
      const auto* process = body->GetDescriptor()->FindFieldByName("process");
      if (process != nullptr && i % 3 == 1) {
        auto* subject =
            static_cast<tetragon::Process*>(body->GetReflection()->MutableMessage(body, process));
        subject->mutable_cap()->add_effective(tetragon::CAP_SYS_ADMIN);
      }
    }
    const std::string raw = message.SerializeAsString();
    RepairStrings(message);
    const std::string repaired = message.SerializeAsString();
    ASSERT_TRUE(Valid(repaired)) << "round " << i;
    for (const std::string& candidate : {raw, repaired, previous + repaired}) {
      if (!Valid(candidate)) {
        tetragon::GetEventsResponse parsed;
        ASSERT_FALSE(parsed.ParseFromString(candidate)) << "round " << i;
        ++invalid;
        continue;
      }
      ASSERT_TRUE(SameAsReference(candidate)) << "round " << i;
      ++compared;
      const Line line = Ours(candidate, true, 200);
      sys_admin += line.text.find("CAP_SYS_ADMIN") != std::string::npos;
      truncated += line.truncated;
      ++kinds[walker.EventKind(reinterpret_cast<const uint8_t*>(candidate.data()),
                               candidate.size())];
    }
    previous = repaired;
  }
  google::protobuf::SetLogHandler(log);
  std::cout << compared << " compared (" << sys_admin << " with CAP_SYS_ADMIN, " << truncated
            << " cut at 200 bytes), " << invalid << " invalid\n";
  EXPECT_GT(compared, 6000);
  EXPECT_GT(sys_admin, 100);
  EXPECT_GT(truncated, 300);
  EXPECT_GT(invalid, 1000);
  for (const tetrars::schema::Field& type : tetrars::schema::EventTypes()) {
    EXPECT_GT(kinds[type.number], 100) << type.name;
  }
}

// --- hand-built wire, one rule each (field numbers from proto/tetragon)

std::string Process(const std::string& fields) {
  return BytesField(1, fields);  // <event>.process = 1 for every event with one
}
std::string Pod(const std::string& ns, const std::string& name) {
  return BytesField(10, BytesField(1, ns) + BytesField(2, name));  // Process.pod
}
std::string Caps(const std::string& effective) {
  return BytesField(14, effective);  // Process.cap; Capabilities.effective = 2
}
const std::string kNode = BytesField(1000, "node-1");
const std::string kTime =
    BytesField(1001, VarintField(1, 1700000000) + VarintField(2, 5));  // Timestamp

TEST(CompactWireRules, DuplicateMessagesMerge) {
  // Two process_exec occurrences, two processes in each, the pod twice.
  const std::string exec1 =
      BytesField(1, Process(BytesField(5, "/bin/a") + BytesField(6, "one") + Pod("ns", "p1")));
  const std::string exec2 =
      BytesField(1, Process(BytesField(6, "two")) + Process(Pod("", "p2") + BytesField(5, "/b")));
  EXPECT_TRUE(SameAsReference(kNode + exec1 + kTime + exec2));
  // Time and node twice: the last scalar of each wins.
  EXPECT_TRUE(SameAsReference(kTime + exec1 + BytesField(1001, VarintField(2, 7)) +
                              BytesField(1000, "node-2") + kNode + BytesField(1000, "node-3")));
}

TEST(CompactWireRules, TheLastOneofMemberWins) {
  const std::string exec = BytesField(1, Process(BytesField(5, "/bin/a")));
  const std::string exit =
      BytesField(5, Process(BytesField(5, "/bin/b")) + BytesField(3, "SIGHUP"));
  EXPECT_TRUE(SameAsReference(exec + exit));
  EXPECT_TRUE(SameAsReference(exit + exec));
  // Back to exit: only what follows the last switch counts.
  EXPECT_TRUE(SameAsReference(exit + exec + BytesField(5, VarintField(4, 9))));
}

TEST(CompactWireRules, CapSysAdminPackedUnpackedOrMerged) {
  const std::string exec = Process(BytesField(5, "/bin/a"));
  const auto event = [&](const std::string& process) {
    return kNode + BytesField(1, exec + Process(process));
  };
  EXPECT_TRUE(SameAsReference(event(Caps(BytesField(2, Varint(1) + Varint(21))))));   // packed
  EXPECT_TRUE(SameAsReference(event(Caps(VarintField(2, 0) + VarintField(2, 21)))));  // unpacked
  EXPECT_TRUE(SameAsReference(event(Caps(VarintField(2, 3)) + Caps(BytesField(2, Varint(21))))));
  EXPECT_TRUE(SameAsReference(event(Caps(BytesField(2, "")))));  // an empty packed run
  // In another set only (permitted = 1): no trailer. 2^32 + 21 is not 21 in
  // an enum (int32), nor is a negative number.
  EXPECT_TRUE(SameAsReference(event(Caps(VarintField(1, 21)))));
  EXPECT_TRUE(SameAsReference(event(Caps(VarintField(2, (uint64_t(1) << 32) + 21)))));
  EXPECT_TRUE(SameAsReference(event(Caps(VarintField(2, uint64_t(-21))))));
  // The trailer's column at every line length around 120 bytes.
  for (size_t n = 60; n < 130; ++n) {
    EXPECT_TRUE(SameAsReference(
        BytesField(1, Process(BytesField(5, std::string(n, 'b')) + Caps(VarintField(2, 21))))))
        << n;
  }
}

TEST(CompactWireRules, EnumsAndNumbersAsLibprotobufReadsThem) {
  for (const uint64_t type :
       std::initializer_list<uint64_t>{0ull, 1ull, 2ull, 3ull, (1ull << 32) + 1, uint64_t(-1)}) {
    EXPECT_TRUE(SameAsReference(BytesField(27, VarintField(1, type) + BytesField(2, "/cg"))));
  }
  for (const uint64_t status :
       std::initializer_list<uint64_t>{0ull, 1ull, 4294967295ull, (1ull << 32) + 7, uint64_t(-1)}) {
    EXPECT_TRUE(
        SameAsReference(BytesField(5, Process(BytesField(5, "/x")) + VarintField(4, status))));
  }
  EXPECT_TRUE(SameAsReference(BytesField(40001, VarintField(1, uint64_t(-1)))));
  // Timestamps out of gmtime's range and nanos out of range.
  for (const uint64_t seconds :
       std::initializer_list<uint64_t>{uint64_t(-1), uint64_t(1) << 62, 253402300800ull}) {
    EXPECT_TRUE(
        SameAsReference(BytesField(1001, VarintField(1, seconds) + VarintField(2, uint64_t(-5))) +
                        BytesField(40000, "")));
  }
  EXPECT_TRUE(SameAsReference(BytesField(1001, VarintField(2, 2000000000)) + BytesField(1, "")));
}

TEST(CompactWireRules, LoaderBuildIdAndHookTexts) {
  const std::string process = Process(BytesField(5, "/bin/a"));
  EXPECT_TRUE(SameAsReference(BytesField(
      11, process + BytesField(3, std::string("\x00\xff\x10", 3)) + BytesField(2, "/lib/x.so"))));
  EXPECT_TRUE(SameAsReference(BytesField(11, process + BytesField(2, "/lib/x.so"))));
  EXPECT_TRUE(SameAsReference(BytesField(
      29, process + BytesField(3, "/p") + BytesField(4, "prov") + BytesField(5, "probe"))));
}

TEST(CompactWireRules, UnknownFieldsAndKindsAndWrongWireTypes) {
  // An event kind newer than the schema (field 2 is not ours): no kind.
  EXPECT_TRUE(SameAsReference(kNode + BytesField(2, Process(BytesField(5, "/x")))));
  // A known member with another wire type is an unknown field.
  EXPECT_TRUE(SameAsReference(kNode + VarintField(1, 5)));
  EXPECT_TRUE(SameAsReference(BytesField(1, Process(BytesField(5, "/x"))) + VarintField(5, 1)));
  // Unknown fields inside the process, the pod and the capabilities.
  EXPECT_TRUE(SameAsReference(BytesField(
      1, Process(VarintField(900, 1) + BytesField(5, "/x") + BytesField(10, VarintField(99, 1)) +
                 BytesField(14, BytesField(77, "?") + VarintField(2, 21))))));
  EXPECT_TRUE(SameAsReference(""));
}

TEST(CompactWireRules, EveryEventTypeOfTheSchemaHasAForm) {
  for (const tetrars::schema::Field& type : tetrars::schema::EventTypes()) {
    const std::string bytes = kNode + BytesField(int(type.number), "");
    EXPECT_TRUE(SameAsReference(bytes)) << type.name;
    EXPECT_NE(Ours(bytes, false, 0).text, "(event without a kind)") << type.name;
  }
}

}  // namespace
