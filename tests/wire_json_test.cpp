// The wire walker and the JSON writer over wire bytes against libprotobuf as
// the oracle: for any bytes, wire::Validate's verdict is ParseFromArray's, and
// for valid bytes WireJsonWriter prints exactly what AppendJson prints for the
// parsed message (the same refusals too). No expected output is written by
// hand here: every case compares with the oracle.
#include "encode/wire_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <random>

#include "decode/schema.h"
#include "decode/wire.h"
#include "json_writer.h"
#include "random_message.h"
#include "test_util.h"
#include "tetragon/agent_history.pb.h"
#include "tetragon/events.pb.h"
#include "wire_builder.h"

// Counts allocations, to check that the walker and writer allocate nothing in
// steady state. Replacing operator new is global to the test binary; it only
// counts.
namespace {
std::atomic<long> allocations{0};
}
void* operator new(size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
// Every form that pairs with the deletes below (std::stable_sort's buffer
// comes from the nothrow one): under ASan a mismatched pair is an error.
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size ? size : 1);
}
void* operator new[](size_t size) {
  return operator new(size);
}
void* operator new[](size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
// GCC cannot see that these pair with the operator new above.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p, size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop

namespace {

using wire::BytesField;
using wire::Varint;
using wire::VarintField;

struct Verdict {
  bool valid = false;
  bool printed = false;
  std::string json;   // when printed
  std::string error;  // when refused
};

const google::protobuf::Message& Prototype(const std::string& type) {
  // Links agent_history.pb.cc, whose messages nothing else refers to.
  static const auto* history = tetragon::history::PodWithLabels::descriptor();
  (void)history;
  const auto* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
  EXPECT_NE(descriptor, nullptr) << type;
  return *google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor);
}

Verdict Oracle(const std::string& bytes, const std::string& type = "tetragon.GetEventsResponse") {
  std::unique_ptr<google::protobuf::Message> message(Prototype(type).New());
  Verdict v;
  v.valid = message->ParseFromArray(bytes.data(), int(bytes.size()));
  if (v.valid) v.printed = tetrars::AppendJson(*message, v.json, &v.error);
  return v;
}

tetrars::WireJsonWriter& Writer() {
  static tetrars::WireJsonWriter writer;
  return writer;
}

Verdict Ours(const std::string& bytes, const std::string& type = "tetragon.GetEventsResponse",
             std::string* problem = nullptr) {
  const tetrars::schema::Message* message = tetrars::schema::FindMessage(type);
  EXPECT_NE(message, nullptr) << type;
  Verdict v;
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  v.valid = tetrars::wire::Validate(*message, data, bytes.size(), problem);
  if (v.valid) v.printed = Writer().Append(*message, data, bytes.size(), v.json, &v.error);
  return v;
}

// The verdict, the output and the refusal all equal the oracle's.
::testing::AssertionResult SameAsOracle(const std::string& bytes,
                                        const std::string& type = "tetragon.GetEventsResponse") {
  const Verdict want = Oracle(bytes, type);
  std::string problem;
  const Verdict got = Ours(bytes, type, &problem);
  if (want.valid != got.valid) {
    return ::testing::AssertionFailure()
           << type << ": libprotobuf says " << (want.valid ? "valid" : "invalid")
           << ", the walker says " << (got.valid ? "valid" : "invalid: " + problem);
  }
  if (want.printed != got.printed || want.json != got.json || want.error != got.error) {
    return ::testing::AssertionFailure() << type << "\n  AppendJson: " << want.json << want.error
                                         << "\n  wire JSON:  " << got.json << got.error;
  }
  return ::testing::AssertionSuccess() << (want.valid ? "valid" : "invalid");
}

std::string Fixed32Field(int number, uint32_t value) {
  std::string out = Varint((uint64_t(number) << 3) | 5);
  for (int i = 0; i < 4; ++i) out += char(value >> (8 * i));
  return out;
}
std::string Fixed64Field(int number, uint64_t value) {
  std::string out = Varint((uint64_t(number) << 3) | 1);
  for (int i = 0; i < 8; ++i) out += char(value >> (8 * i));
  return out;
}
std::string Group(int number, const std::string& content) {
  return Varint((uint64_t(number) << 3) | 3) + content + Varint((uint64_t(number) << 3) | 4);
}
std::string Exec(const std::string& process) {
  return BytesField(1, BytesField(1, process));
}

// --- (a) the recorded corpus

TEST(WireJson, CorpusEventsPrintAsAppendJson) {
  for (const char* set : {"all.wire.b64", "seed.wire.b64"}) {
    const auto lines = test_util::ReadLines(test_util::CorpusPath(set));
    ASSERT_FALSE(lines.empty());
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string bytes = test_util::Base64Decode(lines[i]);
      const Verdict got = Ours(bytes);
      ASSERT_TRUE(got.valid && got.printed) << set << " line " << i + 1;
      EXPECT_TRUE(SameAsOracle(bytes)) << set << " line " << i + 1;
    }
  }
}

// Every prefix of some real events: each cut is a different truncation fault.
TEST(WireJson, EveryCutOfCorpusEventsHasOraclesVerdict) {
  const auto lines = test_util::ReadLines(test_util::CorpusPath("all.wire.b64"));
  for (size_t i = 0; i < lines.size(); i += 37) {
    const std::string bytes = test_util::Base64Decode(lines[i]);
    for (size_t n = 0; n < bytes.size(); ++n) {
      ASSERT_TRUE(SameAsOracle(bytes.substr(0, n))) << "line " << i + 1 << " cut at " << n;
    }
  }
}

// --- (b) the whole schema, differential

// Every message type of the schema (map entries aside) as the root, random
// contents serialized by libprotobuf; then concatenations of two of them,
// which is protobuf's merge (duplicate scalars, oneof switches, merged
// messages, duplicate map keys); then random byte flips.
TEST(WireJson, RandomMessagesOfEveryTypeAsAppendJson) {
  google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 is expected here
  test_util::RandomMessages random(424242);
  std::mt19937 flips(99);
  int types = 0, valid = 0, refused = 0, invalid = 0;
  for (const tetrars::schema::Message& type : tetrars::schema::kSchema.messages) {
    if (type.map_entry) continue;
    ++types;
    const std::string name(type.full_name);
    const int rounds = name == "tetragon.GetEventsResponse" ? 3000 : 40;
    std::string previous;
    for (int i = 0; i < rounds; ++i) {
      std::unique_ptr<google::protobuf::Message> message(Prototype(name).New());
      random.Fill(*message, 0);
      const std::string bytes = message->SerializeAsString();
      for (const std::string& candidate : {bytes, previous + bytes}) {
        const auto result = SameAsOracle(candidate, name);
        ASSERT_TRUE(result) << "round " << i;
        const Verdict v = Ours(candidate, name);
        (v.valid ? (v.printed ? valid : refused) : invalid) += 1;
      }
      std::string flipped = bytes;
      for (int k = 0; k < 3 && !flipped.empty(); ++k) {
        flipped[flips() % flipped.size()] = char(flips());
      }
      ASSERT_TRUE(SameAsOracle(flipped, name)) << "flipped, round " << i;
      previous = bytes;
    }
  }
  std::cout << types << " types: " << valid << " printed, " << refused << " refused, " << invalid
            << " invalid\n";
  EXPECT_GT(valid, 1000);
  EXPECT_GT(refused, 10);
  EXPECT_GT(invalid, 100);  // random strings are often not UTF-8
}

// --- (c) hand-built wire, one rule each

TEST(WireJsonRules, DuplicateMessageFieldsMerge) {
  EXPECT_TRUE(SameAsOracle(Exec(BytesField(5, "/bin/a") + BytesField(4, "/")) +
                           Exec(BytesField(5, "/bin/b") + VarintField(3, 0)) +
                           BytesField(1001, VarintField(1, 5)) +
                           BytesField(1001, VarintField(2, 7))));
}

TEST(WireJsonRules, LastScalarWins) {
  EXPECT_TRUE(SameAsOracle(BytesField(1000, "first") + BytesField(1000, "second")));
  // The last one is the default: not printed at all.
  EXPECT_TRUE(SameAsOracle(BytesField(1000, "first") + BytesField(1000, "")));
  // int32 keeps the low 32 bits of a wider varint; bool is any non-zero varint.
  EXPECT_TRUE(SameAsOracle(Exec(BytesField(2, VarintField(1, 0x100000000ull)) +
                                VarintField(7, 0x100000000ull) + VarintField(15, 1ull << 40))));
}

TEST(WireJsonRules, OneofOverwriteAndSwitchBack) {
  const std::string exec_a = Exec(BytesField(5, "/bin/a"));
  const std::string exec_b = Exec(BytesField(4, "/tmp"));
  const std::string exit = BytesField(5, BytesField(1, BytesField(5, "/bin/x")));
  EXPECT_TRUE(SameAsOracle(exec_a + exit));
  EXPECT_TRUE(SameAsOracle(exec_a + exit + exec_b));  // only exec_b counts
  EXPECT_TRUE(SameAsOracle(exec_a + exec_b + exit + exec_a + exec_b));
  EXPECT_TRUE(SameAsOracle(exit + BytesField(27, "") + BytesField(40000, "")));
  // A oneof in a repeated message: KprobeArgument.arg in ProcessKprobe.args.
  const std::string arg = BytesField(1, "s") + VarintField(2, 5) + BytesField(1, "t");
  EXPECT_TRUE(SameAsOracle(BytesField(9, BytesField(4, arg) + BytesField(4, VarintField(2, 0)))));
}

TEST(WireJsonRules, PackedAndUnpackedRepeatedScalars) {
  // process_exec.process.process_credentials.securebits (repeated enum).
  const auto creds = [](const std::string& content) { return Exec(BytesField(17, content)); };
  EXPECT_TRUE(SameAsOracle(creds(BytesField(9, Varint(1) + Varint(2) + Varint(77)))));
  EXPECT_TRUE(
      SameAsOracle(creds(VarintField(9, 1) + BytesField(9, Varint(3)) + VarintField(9, 4))));
  EXPECT_TRUE(SameAsOracle(creds(BytesField(9, ""))));  // empty packed run: no field
  EXPECT_TRUE(SameAsOracle(creds(BytesField(9, "") + VarintField(9, 0))));
  // Cut inside a packed run: refused.
  EXPECT_TRUE(SameAsOracle(creds(BytesField(9, Varint(1) + "\x80"))));
  // GetEventsRequest: Filter.pid (repeated uint32), event_set (repeated enum).
  const std::string filter = BytesField(4, Varint(1) + Varint(0xffffffffffull)) +
                             VarintField(4, 7) + VarintField(6, 9) + BytesField(6, Varint(1));
  EXPECT_TRUE(SameAsOracle(BytesField(1, filter), "tetragon.GetEventsRequest"));
}

TEST(WireJsonRules, MapEntriesWithMissingKeyOrValueAndDuplicateKeys) {
  const auto label = [](const std::string& entry) { return BytesField(1004, entry); };
  EXPECT_TRUE(SameAsOracle(label(BytesField(1, "k") + BytesField(2, "v")) +
                           label(BytesField(2, "no key")) + label(BytesField(1, "no value")) +
                           label("")));
  EXPECT_TRUE(SameAsOracle(label(BytesField(1, "b") + BytesField(2, "1")) +
                           label(BytesField(1, "a") + BytesField(2, "2")) +
                           label(BytesField(1, "b") + BytesField(2, "3")) +
                           label(BytesField(1, "b"))));
  // Key and value repeated inside one entry, value before key, unknown fields.
  EXPECT_TRUE(SameAsOracle(label(BytesField(2, "v1") + BytesField(1, "x") + VarintField(3, 1) +
                                 BytesField(2, "v2") + BytesField(1, "y"))));
  // Key with another wire type: unknown, so the key is "".
  EXPECT_TRUE(SameAsOracle(label(VarintField(1, 5) + BytesField(2, "v"))));
  EXPECT_TRUE(SameAsOracle(label(BytesField(1, "\xff") + BytesField(2, "v"))));  // invalid key
  EXPECT_TRUE(SameAsOracle(label(BytesField(1, "k") + BytesField(2, "\xc3"))));  // invalid value
}

TEST(WireJsonRules, UnknownFieldsAreSkipped) {
  const std::string unknown = VarintField(999, 1) + Fixed32Field(998, 2) + Fixed64Field(997, 3) +
                              BytesField(996, "\xff\xfe") +
                              Group(995, VarintField(1, 1) + Group(2, BytesField(3, "x")));
  EXPECT_TRUE(SameAsOracle(unknown + Exec(unknown + BytesField(5, "/bin/a") + unknown) + unknown));
  EXPECT_TRUE(SameAsOracle(Group(7, "")));
  // Groups that do not close, close another number, or close without opening.
  EXPECT_TRUE(SameAsOracle(Varint((7 << 3) | 3) + VarintField(1, 1)));
  EXPECT_TRUE(SameAsOracle(Varint((7 << 3) | 3) + Varint((8 << 3) | 4)));
  EXPECT_TRUE(SameAsOracle(Varint((7 << 3) | 4)));
  EXPECT_TRUE(SameAsOracle(Exec(Varint((7 << 3) | 4))));
  // Wire types 6 and 7, field number 0, in and out of groups.
  for (const std::string& bad : {Varint((7 << 3) | 6), Varint((7 << 3) | 7), Varint(0),
                                 Varint(2) + Varint(0), Group(5, Varint(0))}) {
    EXPECT_TRUE(SameAsOracle(bad));
    EXPECT_TRUE(SameAsOracle(Exec(bad)));
  }
}

TEST(WireJsonRules, KnownFieldWithAnotherWireTypeIsUnknown) {
  EXPECT_TRUE(SameAsOracle(VarintField(1, 5) + BytesField(5, "")));   // process_exec as a varint
  EXPECT_TRUE(SameAsOracle(Fixed32Field(1000, 1)));                   // node_name as fixed32
  EXPECT_TRUE(SameAsOracle(Exec(VarintField(5, 1) + Group(4, ""))));  // binary, cwd
  // A string field as a group holding invalid UTF-8: not a string, not checked.
  EXPECT_TRUE(SameAsOracle(Exec(Group(5, BytesField(1, "\xff")))));
  // A member of the oneof with another wire type does not switch it.
  EXPECT_TRUE(SameAsOracle(Exec(BytesField(5, "/a")) + VarintField(5, 1)));
  // Wrapper fields (messages) as varints.
  EXPECT_TRUE(SameAsOracle(Exec(VarintField(9, 1000) + VarintField(2, 1))));
}

TEST(WireJsonRules, TagsLengthsAndVarintsAtLibprotobufsLimits) {
  // Tags: 5 bytes at most, bits past 32 dropped; overlong encodings accepted.
  EXPECT_TRUE(SameAsOracle(std::string("\x8a\x80\x80\x80\x00", 5) + Varint(0)));
  EXPECT_TRUE(SameAsOracle(std::string("\x8a\x80\x80\x80\x10", 5) + Varint(0)));
  EXPECT_TRUE(SameAsOracle(std::string("\x8a\x80\x80\x80\x80\x00", 6) + Varint(0)));
  EXPECT_TRUE(SameAsOracle(std::string("\xf8\xff\xff\xff\x0f", 5) + Varint(1)));
  // Lengths: 5 bytes at most.
  EXPECT_TRUE(SameAsOracle(Varint((1000 << 3) | 2) + std::string("\x81\x80\x80\x80\x00", 5) + "x"));
  EXPECT_TRUE(
      SameAsOracle(Varint((1000 << 3) | 2) + std::string("\x81\x80\x80\x80\x80\x00", 6) + "x"));
  EXPECT_TRUE(SameAsOracle(Varint((1000 << 3) | 2) + std::string("\xff\xff\xff\xff\x07", 5)));
  // Varints: 10 bytes at most.
  EXPECT_TRUE(SameAsOracle(Varint(999 << 3) + std::string(9, '\x80') + '\x7f'));
  EXPECT_TRUE(SameAsOracle(Varint(999 << 3) + std::string(10, '\x80') + '\x00'));
  EXPECT_TRUE(SameAsOracle(Exec(Varint(7 << 3) + std::string(9, '\xff') + '\x01')));
}

std::string NestedGroups(int levels) {
  std::string inner;
  for (int i = 0; i < levels; ++i) inner = Group(7, inner);
  return inner;
}

TEST(WireJsonRules, DepthLimitIs100) {
  EXPECT_TRUE(SameAsOracle(NestedGroups(100)));
  EXPECT_TRUE(SameAsOracle(NestedGroups(101)));
  EXPECT_TRUE(Ours(NestedGroups(100)).valid);
  EXPECT_FALSE(Ours(NestedGroups(101)).valid);
  // Messages and groups share the limit: exec (1) + process (2) + 98 groups.
  EXPECT_TRUE(SameAsOracle(Exec(NestedGroups(98))));
  EXPECT_TRUE(SameAsOracle(Exec(NestedGroups(99))));
  EXPECT_TRUE(Ours(Exec(NestedGroups(98))).valid);
  // An empty message at depth 101 is refused too.
  EXPECT_TRUE(SameAsOracle(Exec(BytesField(2, "")) + Exec(NestedGroups(99))));
}

TEST(WireJsonRules, InvalidUtf8InANestedStringNamesTheField) {
  const std::string bytes = Exec(BytesField(5, "/bin/\xff"));
  EXPECT_TRUE(SameAsOracle(bytes));
  std::string problem;
  Ours(bytes, "tetragon.GetEventsResponse", &problem);
  EXPECT_EQ(problem, "field tetragon.Process.binary is not valid UTF-8");
  // Surrogates and overlong forms are refused; bytes fields are not checked.
  EXPECT_TRUE(SameAsOracle(Exec(BytesField(4, "\xed\xa0\x80"))));
  EXPECT_TRUE(SameAsOracle(Exec(BytesField(4, "\xc0\xaf"))));
  EXPECT_TRUE(SameAsOracle(BytesField(
      5, BytesField(1, BytesField(5, "ok")) + BytesField(2, BytesField(5, "\xf4\x90\x80\x80")))));
  // Overwritten or merged-away strings are still checked.
  EXPECT_TRUE(SameAsOracle(BytesField(1000, "\xff") + BytesField(1000, "ok")));
  EXPECT_TRUE(SameAsOracle(Exec(BytesField(5, "\xff")) + BytesField(5, "")));
}

TEST(WireJsonRules, WellKnownTypesAndTheirRefusals) {
  const auto time = [](int64_t s, int64_t n) {
    return BytesField(1001, VarintField(1, uint64_t(s)) + VarintField(2, uint64_t(n)));
  };
  for (const auto& [s, n] : std::vector<std::pair<int64_t, int64_t>>{{0, 0},
                                                                     {1, 500000000},
                                                                     {-62135596800, 0},
                                                                     {253402300799, 999999999},
                                                                     {253402300800, 0},
                                                                     {-62135596801, 0},
                                                                     {5, -1},
                                                                     {5, 1000000000},
                                                                     {5, 1000}}) {
    EXPECT_TRUE(SameAsOracle(time(s, n))) << s << " " << n;
  }
  EXPECT_TRUE(SameAsOracle(BytesField(1001, "")));  // set, all defaults
  // Refusal deep inside, after printed fields: nothing printed at all.
  EXPECT_TRUE(SameAsOracle(Exec(BytesField(5, "/a") + BytesField(8, VarintField(1, 1ull << 62)))));
  // Duration and FieldMask in GetEventsRequest.
  const auto window = [](int64_t s, int64_t n) {
    return BytesField(3, BytesField(1, VarintField(1, uint64_t(s)) + VarintField(2, uint64_t(n))));
  };
  for (const auto& [s, n] : std::vector<std::pair<int64_t, int64_t>>{
           {0, 0}, {1, 5}, {-1, -5}, {1, -5}, {315576000001, 0}, {0, -999999999}}) {
    EXPECT_TRUE(SameAsOracle(window(s, n), "tetragon.GetEventsRequest")) << s << " " << n;
  }
  const std::string mask = BytesField(
      4, BytesField(2, BytesField(1, "process.binary_properties") + BytesField(1, "parent.pid")));
  EXPECT_TRUE(SameAsOracle(mask, "tetragon.GetEventsRequest"));
  // Wrappers: bare values, printed even at their default; merged.
  EXPECT_TRUE(SameAsOracle(Exec(BytesField(9, "") + BytesField(2, VarintField(1, 7)) +
                                BytesField(2, VarintField(1, 0)))));
}

// --- the event API

TEST(WireEvent, KindAndProcessScalarsAgreeWithTheParsedMessage) {
  using tetrars::wire::EventPath;
  EventPath auid, binary, parent_pid;
  ASSERT_TRUE(tetrars::wire::CompileEventPath("process.auid", &auid));
  ASSERT_TRUE(tetrars::wire::CompileEventPath("process.binary", &binary));
  ASSERT_TRUE(tetrars::wire::CompileEventPath("parent.pid", &parent_pid));
  EXPECT_FALSE(tetrars::wire::CompileEventPath("process.no_such_field", &auid));
  EXPECT_FALSE(tetrars::wire::CompileEventPath("process", &auid));
  ASSERT_TRUE(tetrars::wire::CompileEventPath("process.auid", &auid));

  std::vector<std::string> events;
  for (const auto& line : test_util::ReadLines(test_util::CorpusPath("all.wire.b64"))) {
    events.push_back(test_util::Base64Decode(line));
  }
  const std::string a = Exec(BytesField(9, VarintField(1, 1000)) + BytesField(5, "/bin/a"));
  const std::string b = Exec(BytesField(9, VarintField(1, 1001)));
  const std::string exit = BytesField(5, BytesField(1, BytesField(9, "")));
  events.push_back(a + b);                  // merged: auid 1001, binary /bin/a
  events.push_back(a + exit);               // exit with auid 0 (wrapper set)
  events.push_back(a + exit + b);           // exec after the switch: no binary
  events.push_back(BytesField(40001, ""));  // no process
  events.push_back(BytesField(77, ""));     // a kind newer than the schema

  tetrars::wire::Walker walker;
  for (size_t i = 0; i < events.size(); ++i) {
    const std::string& bytes = events[i];
    tetragon::GetEventsResponse parsed;
    ASSERT_TRUE(parsed.ParseFromString(bytes)) << i;
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    EXPECT_EQ(walker.EventKind(data, bytes.size()), uint32_t(parsed.event_case())) << i;

    const tetragon::Process* process = nullptr;
    const tetragon::Process* parent = nullptr;
    if (parsed.has_process_exec()) {
      process = &parsed.process_exec().process();
      parent = parsed.process_exec().has_parent() ? &parsed.process_exec().parent() : nullptr;
    } else if (parsed.has_process_exit()) {
      process = &parsed.process_exit().process();
      parent = parsed.process_exit().has_parent() ? &parsed.process_exit().parent() : nullptr;
    }
    const auto got_auid = tetrars::wire::FindInEvent(walker, data, bytes.size(), auid);
    EXPECT_EQ(got_auid.present, process != nullptr && process->has_auid()) << i;
    if (got_auid.present) {
      EXPECT_EQ(uint32_t(got_auid.bits), process->auid().value()) << i;
    }
    const auto got_binary = tetrars::wire::FindInEvent(walker, data, bytes.size(), binary);
    EXPECT_EQ(got_binary.text, process ? process->binary() : "") << i;
    const auto got_pid = tetrars::wire::FindInEvent(walker, data, bytes.size(), parent_pid);
    EXPECT_EQ(got_pid.present, parent != nullptr && parent->has_pid()) << i;
    if (got_pid.present) {
      EXPECT_EQ(uint32_t(got_pid.bits), parent->pid().value()) << i;
    }
  }
}

TEST(WireEvent, SchemaTablesDescribeTheEventTypes) {
  const auto types = tetrars::schema::EventTypes();
  ASSERT_FALSE(types.empty());
  const auto* oneof = tetragon::GetEventsResponse::descriptor()->FindOneofByName("event");
  ASSERT_EQ(types.size(), size_t(oneof->field_count()));
  for (size_t i = 0; i < types.size(); ++i) {
    EXPECT_EQ(types[i].name, oneof->field(int(i))->name());
    EXPECT_EQ(types[i].number, uint32_t(oneof->field(int(i))->number()));
    EXPECT_EQ(tetrars::schema::EventType(types[i].number), &types[i]);
  }
  EXPECT_EQ(tetrars::schema::EventType(1000), nullptr);  // node_name: not an event
  const auto* event_type = tetrars::schema::FindEnum("tetragon.EventType");
  ASSERT_NE(event_type, nullptr);
  EXPECT_EQ(tetrars::schema::EnumName(*event_type, 1), "PROCESS_EXEC");
  EXPECT_EQ(tetrars::schema::EnumName(*event_type, 12345), "");
  // Every field of every message is found by number and by name.
  for (const auto& m : tetrars::schema::kSchema.messages) {
    for (const auto& f : m.fields) {
      EXPECT_EQ(tetrars::schema::FieldByNumber(m, f.number), &f) << m.full_name;
      EXPECT_EQ(tetrars::schema::FieldByName(m, f.name), &f) << m.full_name;
    }
    EXPECT_EQ(tetrars::schema::FieldByNumber(m, 123456), nullptr);
    EXPECT_EQ(tetrars::schema::FindMessage(m.full_name), &m);
  }
}

// --- steady state

TEST(WireJson, NoAllocationOnceWarm) {
  const auto lines = test_util::ReadLines(test_util::CorpusPath("all.wire.b64"));
  std::vector<std::string> events;
  for (const auto& line : lines) events.push_back(test_util::Base64Decode(line));
  tetrars::WireJsonWriter writer;
  tetrars::wire::Walker walker;
  tetrars::wire::EventPath auid;
  ASSERT_TRUE(tetrars::wire::CompileEventPath("process.auid", &auid));
  std::string out;
  out.reserve(1 << 20);
  const auto& root = tetrars::schema::EventsResponse();
  const auto run = [&] {
    for (const auto& e : events) {
      const auto* data = reinterpret_cast<const uint8_t*>(e.data());
      ASSERT_TRUE(tetrars::wire::Validate(root, data, e.size()));
      (void)tetrars::wire::FindInEvent(walker, data, e.size(), auid);
      out.clear();
      ASSERT_TRUE(writer.Append(root, data, e.size(), out));
    }
  };
  run();  // warm-up: the arenas grow to their size
  const long before = allocations.load();
  run();
  EXPECT_EQ(allocations.load() - before, 0);
}

// Floating-point values: our schema's messages have none, but the wrappers
// do, and the writer formats them without std::to_chars (see json_format.cpp):
// random bit patterns (subnormals, huge, tiny, NaN, infinities) and short
// decimals, each printed as the reference prints it.
TEST(WireJsonRules, FloatsAndDoublesAsTheReferencePrintsThem) {
  std::mt19937_64 random(12);
  const auto check = [](const std::string& type, const std::string& bytes) {
    EXPECT_TRUE(SameAsOracle(bytes, type));
  };
  for (int i = 0; i < 20000; ++i) {
    const uint64_t bits = random();
    std::string d(1, char(0x09));  // DoubleValue.value, fixed64
    for (int b = 0; b < 8; ++b) d += char((bits >> (8 * b)) & 0xff);
    check("google.protobuf.DoubleValue", d);
    std::string f(1, char(0x0d));  // FloatValue.value, fixed32
    for (int b = 0; b < 4; ++b) f += char((bits >> (8 * b)) & 0xff);
    check("google.protobuf.FloatValue", f);
    // A short decimal, where the shortest digits matter most.
    const double decimal =
        double(int64_t(bits % 2000001) - 1000000) / 1000.0 * std::pow(10.0, int(bits >> 58) - 32);
    uint64_t decimal_bits;
    std::memcpy(&decimal_bits, &decimal, 8);
    std::string e(1, char(0x09));
    for (int b = 0; b < 8; ++b) e += char((decimal_bits >> (8 * b)) & 0xff);
    check("google.protobuf.DoubleValue", e);
    const float narrow = float(decimal);
    uint32_t narrow_bits;
    std::memcpy(&narrow_bits, &narrow, 4);
    std::string g(1, char(0x0d));
    for (int b = 0; b < 4; ++b) g += char((narrow_bits >> (8 * b)) & 0xff);
    check("google.protobuf.FloatValue", g);
  }
}

}  // namespace
