// --match predicates: the rules by example, then the port to the schema tables
// and the wire walker (issue 12) checked against the libprotobuf version it
// replaced (tests/reference/predicate_reference.h) over the corpus and random
// messages. libprotobuf only builds the events here: Predicate reads their
// serialized bytes.
#include "filter/predicate.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <set>

#include "decode/schema.h"
#include "decode/wire.h"
#include "predicate_reference.h"
#include "random_message.h"
#include "test_util.h"
#include "tetragon/events.pb.h"

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

const std::vector<tetrars::EventKind> kExec = {tetragon::PROCESS_EXEC};
const std::vector<tetrars::EventKind> kBoth = {tetragon::PROCESS_EXEC, tetragon::PROCESS_EXIT};

// An event as the data path holds it: its wire bytes, validated, and its kind.
struct WireEvent {
  std::string bytes;
  tetrars::EventKind kind = 0;

  tetrars::Event event() const {
    return {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), kind};
  }
};

WireEvent FromBytes(std::string bytes) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  std::string problem;
  EXPECT_TRUE(
      tetrars::wire::Validate(tetrars::schema::EventsResponse(), data, bytes.size(), &problem))
      << problem;
  const tetrars::EventKind kind = tetrars::wire::Walker().EventKind(data, bytes.size());
  return {std::move(bytes), kind};
}

tetragon::GetEventsResponse Parsed(const std::string& text) {
  tetragon::GetEventsResponse event;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &event)) << text;
  return event;
}

bool Match(const std::string& predicate, const std::string& event,
           const std::vector<tetrars::EventKind>& types = kExec) {
  std::string error;
  auto p = tetrars::Predicate::Parse(predicate, types, &error);
  EXPECT_TRUE(p) << error;
  const WireEvent e = FromBytes(Parsed(event).SerializeAsString());
  tetrars::wire::Walker walker;
  return p && p->Matches(e.event(), walker);
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

// An unset scalar in a set message is its default, not absent: the wire
// cannot tell the two apart, the message on the way can.
TEST(Predicate, UnsetScalarsInSetMessagesAreTheirDefault) {
  EXPECT_TRUE(Match("process.docker == ", kRootShell));
  EXPECT_FALSE(Match("process.docker != ", kRootShell));
  EXPECT_TRUE(Match("process.docker !~ .", kRootShell));
  EXPECT_TRUE(Match("action == KPROBE_ACTION_UNKNOWN", R"pb(process_kprobe {})pb",
                    {tetragon::PROCESS_KPROBE}));           // = 0
  EXPECT_FALSE(Match("process.pod.name == ", kRootShell));  // no pod: absent
  EXPECT_TRUE(Match("process.pod.name != ", kRootShell));
  EXPECT_TRUE(Match("process.uid.value == 0", kRootShell));    // into a wrapper, set
  EXPECT_FALSE(Match("process.auid.value == 0", kRootShell));  // into a wrapper, unset
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

// A wire::Path holds wire::Path::kMaxSteps steps, and Parse() takes a path
// that would need more for no field: true as long as no chain of singular
// message fields in our schema is that deep (a cycle would be endless).
int Depth(const tetrars::schema::Message& type, std::set<const void*>* on_path) {
  if (!on_path->insert(&type).second) return 1000;  // a cycle
  int deepest = 0;
  for (const tetrars::schema::Field& field : type.fields) {
    if (field.kind != tetrars::schema::Kind::kMessage || field.Is(tetrars::schema::kRepeated)) {
      continue;
    }
    deepest = std::max(deepest, 1 + Depth(tetrars::schema::TypeOf(field), on_path));
  }
  on_path->erase(&type);
  return deepest;
}

TEST(Predicate, EveryPathFitsAWirePath) {
  std::set<const void*> on_path;
  // event member + messages + scalar (or wrapper + its value)
  EXPECT_LE(1 + Depth(tetrars::schema::EventsResponse(), &on_path) + 1,
            tetrars::wire::Path::kMaxSteps);
}

// --- the port against the libprotobuf version

// Every path of `type` through singular messages, up to `depth` segments,
// that ends at a scalar or a wrapper; and some that Parse() refuses (a
// repeated field, a message, a segment below a scalar).
void Paths(const Descriptor* type, const std::string& prefix, int depth,
           std::set<std::string>* out) {
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    const std::string path = prefix + f->name();
    if (f->is_repeated() || f->message_type() == nullptr) {
      out->insert(path);
      if (f->message_type() == nullptr && !f->is_repeated()) out->insert(path + ".x");
      continue;
    }
    out->insert(path);  // a wrapper reads as its value; another message is refused
    if (depth > 1) Paths(f->message_type(), path + ".", depth - 1, out);
  }
}

// The value at `path` of the event (via reflection) as --match would spell
// it, when it is set and not the default: makes == hold now and then.
std::optional<std::string> ValueAt(const tetragon::GetEventsResponse& event,
                                   const std::string& path) {
  const Message* m = &event;
  const FieldDescriptor* member = event.GetReflection()->GetOneofFieldDescriptor(
      event, tetragon::GetEventsResponse::descriptor()->FindOneofByName("event"));
  if (member == nullptr) return std::nullopt;
  m = &m->GetReflection()->GetMessage(*m, member);
  size_t start = 0;
  for (;;) {
    const size_t dot = path.find('.', start);
    const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(path.substr(start, dot - start));
    if (f == nullptr || f->is_repeated()) return std::nullopt;
    const auto* r = m->GetReflection();
    if (f->message_type() != nullptr) {
      if (!r->HasField(*m, f)) return std::nullopt;
      m = &r->GetMessage(*m, f);
      if (dot == std::string::npos) {
        if (m->GetDescriptor()->file()->name() != "google/protobuf/wrappers.proto") {
          return std::nullopt;
        }
        f = m->GetDescriptor()->FindFieldByNumber(1);  // a wrapper's value
      } else {
        start = dot + 1;
        continue;
      }
    } else if (dot != std::string::npos) {
      return std::nullopt;
    }
    const auto* rr = m->GetReflection();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        return rr->GetString(*m, f);
      case FieldDescriptor::CPPTYPE_ENUM: {
        const int number = rr->GetEnumValue(*m, f);
        const auto* named = f->enum_type()->FindValueByNumber(number);
        return named != nullptr ? named->name() : std::to_string(number);
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        return rr->GetBool(*m, f) ? "true" : "false";
      case FieldDescriptor::CPPTYPE_INT32:
        return std::to_string(rr->GetInt32(*m, f));
      case FieldDescriptor::CPPTYPE_INT64:
        return std::to_string(rr->GetInt64(*m, f));
      case FieldDescriptor::CPPTYPE_UINT32:
        return std::to_string(rr->GetUInt32(*m, f));
      case FieldDescriptor::CPPTYPE_UINT64:
        return std::to_string(rr->GetUInt64(*m, f));
      default:
        return std::nullopt;
    }
  }
}

// Replaces each string field's invalid UTF-8 by its ASCII bytes, so that
// random messages serialize to events both sides accept.
void MakeUtf8(Message& m) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->message_type() != nullptr) {
      if (f->is_repeated()) {
        for (int k = 0; k < r->FieldSize(m, f); ++k) MakeUtf8(*r->MutableRepeatedMessage(&m, f, k));
      } else if (r->HasField(m, f)) {
        MakeUtf8(*r->MutableMessage(&m, f));
      }
      continue;
    }
    if (f->type() != FieldDescriptor::TYPE_STRING) continue;
    const auto ascii = [](std::string s) {
      std::erase_if(s, [](char c) { return (unsigned char)c >= 0x80; });
      return s;
    };
    if (f->is_repeated()) {
      for (int k = 0; k < r->FieldSize(m, f); ++k) {
        r->SetRepeatedString(&m, f, k, ascii(r->GetRepeatedString(m, f, k)));
      }
    } else if (r->HasField(m, f) || f->containing_oneof() == nullptr) {
      r->SetString(&m, f, ascii(r->GetString(m, f)));
    }
  }
}

struct Sample {
  WireEvent wire;
  tetragon::GetEventsResponse parsed;  // what the reference reads
};

std::vector<Sample> Samples(int* corpus, int* random_kept, int* random_dropped) {
  std::vector<Sample> samples;
  const auto add = [&](const std::string& bytes) {
    Sample s;
    const bool parsed = s.parsed.ParseFromString(bytes);
    const bool valid =
        tetrars::wire::Validate(tetrars::schema::EventsResponse(),
                                reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    EXPECT_EQ(valid, parsed);
    if (!parsed || !valid) return false;
    s.wire = FromBytes(bytes);
    samples.push_back(std::move(s));
    return true;
  };
  // The corpus, and each event after the one before it (merged).
  std::string before;
  for (const std::string& line : test_util::ReadLines(test_util::CorpusPath("all.wire.b64"))) {
    const std::string bytes = test_util::Base64Decode(line);
    EXPECT_TRUE(add(bytes));
    if (!before.empty()) {
      EXPECT_TRUE(add(before + bytes));
    }
    before = bytes;
    ++*corpus;
  }
  // Random events of the three types, as they come (some refused: random
  // strings are seldom UTF-8), then made UTF-8, then after the previous one of
  // the same type and of another type: protobuf's merge (message fields
  // merged, the last scalar wins, a oneof keeps only its last member's
  // occurrences: process_kprobe.return is one).
  auto* log = google::protobuf::SetLogHandler(nullptr);  // serializing invalid UTF-8 logs
  test_util::RandomMessages random(20240612);
  std::string previous[3];
  for (int i = 0; i < 240; ++i) {
    tetragon::GetEventsResponse event;
    Message* member = i % 3 == 0   ? static_cast<Message*>(event.mutable_process_exec())
                      : i % 3 == 1 ? static_cast<Message*>(event.mutable_process_exit())
                                   : static_cast<Message*>(event.mutable_process_kprobe());
    random.Fill(*member, 1);
    const std::string raw = event.SerializeAsString();
    MakeUtf8(event);
    const std::string bytes = event.SerializeAsString();
    for (const std::string& candidate :
         {raw, bytes, previous[i % 3] + bytes, previous[(i + 2) % 3] + bytes}) {
      ++*(add(candidate) ? random_kept : random_dropped);
    }
    previous[i % 3] = bytes;
  }
  google::protobuf::SetLogHandler(log);
  return samples;
}

TEST(PredicateVsReference, EveryScalarPathOperatorAndValue) {
  int corpus = 0, kept = 0, dropped = 0;
  const std::vector<Sample> samples = Samples(&corpus, &kept, &dropped);
  ASSERT_GT(kept, 500);

  const std::vector<std::vector<tetrars::EventKind>> type_sets = {
      {tetragon::PROCESS_EXEC},
      {tetragon::PROCESS_EXIT},
      {tetragon::PROCESS_KPROBE},
      {tetragon::PROCESS_EXEC, tetragon::PROCESS_EXIT, tetragon::PROCESS_KPROBE}};
  std::set<std::string> paths = {"", ".", "process..pid", "process.", "nope.pid"};
  for (const auto* type : {tetragon::ProcessExec::descriptor(), tetragon::ProcessExit::descriptor(),
                           tetragon::ProcessKprobe::descriptor()}) {
    Paths(type, "", 3, &paths);
  }
  const char* kOps[] = {"==", "!=", "<", "<=", ">", ">=", "=~", "!~"};
  // Enough of each kind: in and out of range, signs, 32/64-bit limits, names.
  const std::vector<std::string> kValues = {"0",
                                            "1",
                                            "1000",
                                            "-1",
                                            "4294967295",
                                            "4294967296",
                                            "18446744073709551615",
                                            "-9223372036854775808",
                                            "true",
                                            "false",
                                            "CAP_CHOWN",
                                            "KPROBE_ACTION_POST",
                                            "",
                                            "/",
                                            "/bin/bash",
                                            "^/usr",
                                            "sh$",
                                            "(",
                                            "x y"};

  constexpr int kMatchedPerOp = 6;
  tetrars::wire::Walker walker;
  size_t predicates = 0, refused = 0, checks = 0, held = 0;
  for (const auto& types : type_sets) {
    for (const std::string& path : paths) {
      // The values found at this path in the samples first, so == holds
      // sometimes, then the fixed ones.
      std::vector<std::string> values;
      for (size_t i = 0; i < samples.size() && values.size() < 3; ++i) {
        auto v = ValueAt(samples[i].parsed, path);
        if (v && v->find('\n') == std::string::npos &&
            std::find(values.begin(), values.end(), *v) == values.end()) {
          values.push_back(*v);
        }
      }
      values.insert(values.end(), kValues.begin(), kValues.end());
      for (const char* op : kOps) {
        int matched = 0;  // predicates run over the samples for this op: the first few
        for (const std::string& value : values) {
          const std::string text = path + " " + op + " " + value;
          std::string ours_error, their_error;
          const auto ours = tetrars::Predicate::Parse(text, types, &ours_error);
          const auto theirs = reference::Predicate::Parse(text, types, &their_error);
          ASSERT_EQ(bool(ours), bool(theirs)) << text << ": " << ours_error << their_error;
          ++predicates;
          if (!ours) {
            ++refused;
            ASSERT_EQ(ours_error, their_error) << text;
            continue;
          }
          ASSERT_EQ(ours->path(), theirs->path());
          if (++matched > kMatchedPerOp) continue;
          for (const Sample& s : samples) {
            const bool expected = theirs->Matches(s.parsed);
            ASSERT_EQ(ours->Matches(s.wire.event(), walker), expected)
                << text << " on\n"
                << s.parsed.ShortDebugString();
            ++checks;
            held += expected;
          }
        }
      }
    }
  }
  std::cout << paths.size() << " paths, " << predicates << " predicates (" << refused
            << " refused alike), " << samples.size() << " events (" << corpus
            << " corpus and merged pairs of them, " << kept << " random kept, " << dropped
            << " random not UTF-8), " << checks << " matches compared, " << held << " held\n";
  EXPECT_GT(predicates - refused, 10000u);
  EXPECT_GT(held, checks / 20);
  EXPECT_LT(held, checks - checks / 20);
}

}  // namespace
