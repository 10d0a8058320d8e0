// FieldMasks (an old agent's field filter applied by tetrars) against two
// independent references: (1) what a real v0.10.0 agent's filter sent, in the
// recorded corpus; (2) fmutils v0.2.0's Filter/Prune written again over
// libprotobuf reflection, on the corpus and on random messages of every event
// type, merges and oneof switches included (tests/reference/
// field_mask_reference.h, which fuzz/field_mask_fuzzer.cpp uses too). Every
// case is asserted.
#include "decode/field_mask.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <tuple>

#include "base/utf8.h"
#include "cli/cli.h"
#include "decode/schema.h"
#include "decode/wire.h"
#include "encode/wire_json.h"
#include "field_mask_reference.h"
#include "random_message.h"
#include "test_util.h"
#include "tetragon/events.pb.h"
#include "wire_builder.h"

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

using Spec = reference::FieldMaskSpec;
using Specs = reference::FieldMaskSpecs;

// The oracle (tests/reference/field_mask_reference.h): fmutils v0.2.0's
// Filter/Prune over libprotobuf reflection.
void OracleApply(Message& response, const Specs& specs) {
  reference::ApplyFieldMasks(response, specs);
}

// --- ours

tetrars::FieldMasks Compile(const Specs& specs) {
  tetrars::FieldMasks masks;
  for (const Spec& spec : specs) masks.Add(spec.paths, spec.exclude);
  return masks;
}

std::string Ours(tetrars::FieldMasks& masks, const std::string& bytes) {
  static tetrars::wire::Walker walker;
  std::string out;
  masks.Apply(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), walker, out);
  return out;
}

std::string Describe(const Specs& specs) {
  return reference::DescribeFieldMasks(specs);
}

// Our bytes are valid and parse to the oracle's message (unknown fields
// aside: never printed, and tetrars may drop them).
::testing::AssertionResult SameAsOracle(const std::string& bytes, const Specs& specs) {
  tetragon::GetEventsResponse want;
  if (!want.ParseFromString(bytes)) return ::testing::AssertionFailure() << "input not valid";
  OracleApply(want, specs);
  tetrars::FieldMasks masks = Compile(specs);
  const std::string ours = Ours(masks, bytes);
  std::string problem;
  if (!tetrars::wire::Validate(tetrars::schema::EventsResponse(),
                               reinterpret_cast<const uint8_t*>(ours.data()), ours.size(),
                               &problem)) {
    return ::testing::AssertionFailure() << Describe(specs) << ": output not valid: " << problem;
  }
  tetragon::GetEventsResponse got;
  if (!got.ParseFromString(ours)) return ::testing::AssertionFailure() << "output not parsed";
  want.DiscardUnknownFields();
  got.DiscardUnknownFields();
  if (!google::protobuf::util::MessageDifferencer::Equals(want, got)) {
    return ::testing::AssertionFailure()
           << Describe(specs) << "\n oracle: " << want.ShortDebugString()
           << "\n ours:   " << got.ShortDebugString();
  }
  return ::testing::AssertionSuccess();
}

std::vector<std::string> CorpusEvents(const char* set) {
  std::vector<std::string> events;
  for (const std::string& line : test_util::ReadLines(test_util::CorpusPath(set))) {
    events.push_back(test_util::Base64Decode(line));
  }
  return events;
}

std::string Json(const std::string& bytes) {
  tetrars::WireJsonWriter writer;
  std::string json, error;
  EXPECT_TRUE(writer.Append(tetrars::schema::EventsResponse(),
                            reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), json,
                            &error))
      << error;
  return json;
}

// --- (1) the real agent's filter

// seed.* is what a v0.10.0 agent sent for `-e PROCESS_EXEC -f <the default
// fields>`, all.* what it sent with no filter, for the same activity (the same
// commands) run twice: about 37 s apart, so the pids and times differ and the
// events cannot be paired by them. They pair by everything else instead: each
// exec event of all.*, masked by us, must print what tetra printed for one
// seed line, up to the values of time, process.pid and parent.pid (which must
// be there, and whether the two pids are equal must agree); one-to-one over
// the 145 exec events. A field kept or dropped wrongly finds no twin.
nlohmann::json WithoutPidsAndTime(nlohmann::json event) {
  EXPECT_TRUE(event.at("time").is_string()) << event.dump();
  event.erase("time");
  auto& exec = event.at("process_exec");
  const auto pid = exec.at("process").at("pid");
  const auto parent_pid = exec.at("parent").at("pid");
  exec["pids_equal"] = pid == parent_pid;
  exec["process"].erase("pid");
  exec["parent"].erase("pid");
  return event;
}

TEST(FieldMask, CorpusIncludeEqualsTheAgentsFilter) {
  const auto seed = test_util::ReadLines(test_util::CorpusPath("seed.tetra.jsonl"));
  ASSERT_EQ(seed.size(), 145u);
  std::map<std::string, std::vector<size_t>> twins;  // what the seed lines print, pids aside
  for (size_t i = seed.size(); i-- > 0;) {
    twins[WithoutPidsAndTime(nlohmann::json::parse(seed[i])).dump()].push_back(i);
  }
  tetrars::FieldMasks masks;
  masks.Add(tetrars::DefaultIncludeFields(), false);
  tetrars::wire::Walker walker;
  std::set<size_t> paired;
  for (const std::string& bytes : CorpusEvents("all.wire.b64")) {
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    tetrars::wire::EventFacts facts;
    ASSERT_TRUE(tetrars::wire::ValidateEvent(data, bytes.size(), &facts));
    if (facts.kind != 1) continue;  // process_exec
    std::string out;
    masks.Apply(data, bytes.size(), walker, out);
    const std::string ours = WithoutPidsAndTime(nlohmann::json::parse(Json(out))).dump();
    auto& candidates = twins[ours];
    ASSERT_FALSE(candidates.empty()) << "no seed line prints " << ours;
    ASSERT_TRUE(paired.insert(candidates.back()).second);
    candidates.pop_back();
  }
  EXPECT_EQ(paired.size(), 145u);  // one-to-one: every seed line once
}

// The agent's filtered bytes, filtered again: nothing changes.
TEST(FieldMask, CorpusFilteringTheFilteredChangesNothing) {
  tetrars::FieldMasks masks;
  masks.Add(tetrars::DefaultIncludeFields(), false);
  for (const std::string& bytes : CorpusEvents("seed.wire.b64")) {
    tetragon::GetEventsResponse before, after;
    ASSERT_TRUE(before.ParseFromString(bytes));
    ASSERT_TRUE(after.ParseFromString(Ours(masks, bytes)));
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(before, after));
  }
}

// --- (2) the oracle on the corpus

const std::vector<Specs>& CorpusMasks() {
  static const std::vector<Specs> masks = {
      {{tetrars::DefaultIncludeFields(), false}},
      {{tetrars::DefaultIncludeFields(), true}},
      {{{"process"}, false}},
      {{{"process", "process.pid"}, false}},
      {{{"process.pid", "process"}, false}},
      {{{"process.pid", "process"}, true}},
      {{{"process.arguments", "parent"}, true}},
      {{{"..process..binary.", ".parent.", "..."}, false}},
      {{{"time"}, false}},  // process_exit.time, never the response's
      {{{"time", "node_name", "status"}, true}},
      {{{"nosuch", "process.nosuch", "process.pid.nosuch"}, false}},
      {{{"nosuch", "process.nosuch", "process.pid.nosuch"}, true}},
      {{{"process.arguments.first", "parent.binary"}, false}},  // a scalar with a submask
      {{{"process.arguments.first", "parent.binary"}, true}},
      {{{"process.pid.value", "process.start_time.seconds", "parent.start_time"}, false}},
      {{{"process.start_time.nanos", "parent"}, true}},
      {{{"process.pod.pod_labels.app", "process.binary"}, false}},
      {{{"process.pod.pod_labels.app"}, true}},
      {{{"ancestors.binary", "process.process_credentials.caps"}, false}},
      {{{"ancestors.binary", "process.process_credentials.caps"}, true}},
      {{{"process", "parent"}, false}, {{"process.pid", "process.binary", "parent.cwd"}, true}},
      {{{"process.binary", "process.cwd"}, true}, {{"process", "parent.pid"}, false}},
      {{{"process"}, true}, {{"parent.binary"}, false}, {{"parent"}, true}},
      {{{}, false}},
      {{{}, true}, {{"", ".", ".."}, false}},
  };
  return masks;
}

TEST(FieldMask, CorpusAsTheOracle) {
  int cases = 0;
  for (const char* set : {"all.wire.b64", "seed.wire.b64"}) {
    for (const std::string& bytes : CorpusEvents(set)) {
      for (const Specs& specs : CorpusMasks()) {
        ASSERT_TRUE(SameAsOracle(bytes, specs)) << set;
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, (274 + 145) * int(CorpusMasks().size()));
}

// --- (2) the oracle on random messages of every event type

// Sets a oneof member to some value (a message: present, empty).
void SetMember(Message& message, const FieldDescriptor* member) {
  const Reflection* r = message.GetReflection();
  switch (member->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE:
      r->MutableMessage(&message, member);
      break;
    case FieldDescriptor::CPPTYPE_STRING:
      r->SetString(&message, member, "m");
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      r->SetInt32(&message, member, 7);
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      r->SetInt64(&message, member, 7);
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      r->SetUInt32(&message, member, 7);
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      r->SetUInt64(&message, member, 7);
      break;
    default:  // none in our oneofs
      break;
  }
}

// Random strings are mostly not UTF-8 (the message would not parse): keep
// their ASCII; give some map keys names a mask can say; and set oneofs to
// any member below the response (RandomMessages sets them in order, so
// mostly the last one wins, and merged messages would rarely switch).
void Tidy(Message& message, std::mt19937& random, bool top = true) {
  static const char* const kKeys[] = {"app", "tier", "", "app.kubernetes.io/name"};
  const Reflection* r = message.GetReflection();
  const google::protobuf::Descriptor* type = message.GetDescriptor();
  for (int i = 0; i < type->oneof_decl_count() && !top; ++i) {
    const google::protobuf::OneofDescriptor* oneof = type->oneof_decl(i);
    if (random() % 2 == 0)
      SetMember(message, oneof->field(int(random() % unsigned(oneof->field_count()))));
  }
  std::vector<const FieldDescriptor*> set;
  r->ListFields(message, &set);
  const auto ascii = [](std::string text) {
    if (!tetrars::IsValidUtf8(text)) std::erase_if(text, [](char c) { return c & 0x80; });
    return text;
  };
  for (const FieldDescriptor* field : set) {
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (field->is_repeated()) {
        for (int i = 0; i < r->FieldSize(message, field); ++i) {
          r->SetRepeatedString(&message, field, i, ascii(r->GetRepeatedString(message, field, i)));
        }
      } else {
        r->SetString(&message, field, ascii(r->GetString(message, field)));
      }
    } else if (field->is_map()) {
      for (int i = 0; i < r->FieldSize(message, field); ++i) {
        Message& entry = *r->MutableRepeatedMessage(&message, field, i);
        Tidy(entry, random, false);
        const FieldDescriptor* key = entry.GetDescriptor()->map_key();
        if (random() % 2 == 0) entry.GetReflection()->SetString(&entry, key, kKeys[random() % 4]);
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < r->FieldSize(message, field); ++i) {
          Tidy(*r->MutableRepeatedMessage(&message, field, i), random, false);
        }
      } else {
        Tidy(*r->MutableMessage(&message, field), random, false);
      }
    }
  }
}

using Targets = std::vector<std::pair<std::string, const FieldDescriptor*>>;

// The paths below `type` (at most 4 names) that reach a map or a oneof
// member, where the rarer rules apply: few random paths would find them.
void FindTargets(const google::protobuf::Descriptor* type, const std::string& prefix, int depth,
                 Targets& out) {
  for (int i = 0; i < type->field_count() && depth < 4; ++i) {
    const FieldDescriptor* field = type->field(i);
    const std::string path = prefix + field->name();
    if (field->is_map() || field->containing_oneof() != nullptr) out.emplace_back(path, field);
    if (field->message_type() != nullptr && !field->is_map()) {
      FindTargets(field->message_type(), path + ".", depth + 1, out);
    }
  }
}

// One random path below the event type: half from a target, else from the
// top; then down messages, into map keys, past scalars, sometimes through
// names the type lacks or empty segments.
std::string RandomPath(const google::protobuf::Descriptor* event, std::mt19937& random) {
  static std::map<const google::protobuf::Descriptor*, Targets> cache;
  Targets& targets = cache[event];
  if (targets.empty()) FindTargets(event, "", 0, targets);
  static const char* const kOdd[] = {"nosuch", "time", "node_name", "", "app"};
  std::string path;
  const google::protobuf::Descriptor* type = event;
  for (int depth = 0; depth < 6; ++depth) {
    const FieldDescriptor* field;
    if (depth == 0 && !targets.empty() && random() % 2 == 0) {
      std::tie(path, field) = targets[random() % targets.size()];
    } else {
      if (!path.empty()) path += random() % 10 == 0 ? ".." : ".";
      if (type == nullptr || type->field_count() == 0 || random() % 12 == 0) {
        path += kOdd[random() % 5];
        return path;
      }
      field = type->field(int(random() % unsigned(type->field_count())));
      path += field->name();
    }
    if (random() % 3 == 0) return path;
    if (field->is_map()) {
      path += std::string(".") + (random() % 2 ? "app" : "tier");
      if (random() % 2 == 0) return path;
      type = field->message_type()->map_value()->message_type();  // null: not a message
    } else {
      type = field->message_type();  // null for a scalar: the next name is below it
    }
  }
  return path;
}

Specs RandomSpecs(const google::protobuf::Descriptor* event, std::mt19937& random) {
  Specs specs(1 + random() % 3);
  for (Spec& spec : specs) {
    spec.exclude = random() % 2 == 0;
    const int paths = int(random() % 5);
    for (int i = 0; i < paths; ++i) spec.paths.push_back(RandomPath(event, random));
  }
  return specs;
}

TEST(FieldMask, RandomEventsAsTheOracle) {
  google::protobuf::SetLogHandler(nullptr);
  test_util::RandomMessages messages(20240611);
  std::mt19937 random(7);
  const auto* response = tetragon::GetEventsResponse::descriptor();
  const auto* oneof = response->FindOneofByName("event");
  ASSERT_NE(oneof, nullptr);
  int cases = 0;
  std::string previous;
  for (int round = 0; round < 400; ++round) {
    for (int m = 0; m < oneof->field_count(); ++m) {
      const FieldDescriptor* member = oneof->field(m);
      // Top-level fields at random, then the event member for sure.
      const auto make = [&] {
        tetragon::GetEventsResponse message;
        messages.Fill(message, 2);
        messages.Fill(*message.GetReflection()->MutableMessage(&message, member), 0);
        Tidy(message, random);
        return message.SerializeAsString();
      };
      const std::string bytes = make();
      const Specs specs = RandomSpecs(member->message_type(), random);
      // Alone; merged with another of its type; after another event (a
      // oneof switch, or a merge when it is the same type).
      for (const std::string& input : {bytes, make() + bytes, previous + bytes}) {
        ASSERT_TRUE(SameAsOracle(input, specs)) << "round " << round << " " << member->name();
        ++cases;
      }
      previous = bytes;
    }
  }
  std::cout << cases << " random cases\n";
  EXPECT_EQ(cases, 400 * 3 * oneof->field_count());
}

// --- (3) by hand

using wire::BytesField;
using wire::VarintField;

std::string Exec(const std::string& process) {
  return BytesField(1, BytesField(1, process));
}
std::string Label(const std::string& entry) {  // process.pod.pod_labels
  return BytesField(10, BytesField(5, entry));
}

TEST(FieldMaskEdges, NoMaskCopiesTheBytes) {
  const std::string bytes = Exec(BytesField(5, "/bin/a")) + BytesField(1000, "node");
  tetrars::FieldMasks none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(Ours(none, bytes), bytes);
}

TEST(FieldMaskEdges, EmptyPathListsChangeNothing) {
  const std::string bytes = Exec(BytesField(5, "/bin/a") + BytesField(5, "/bin/b"));
  tetrars::FieldMasks masks;
  masks.Add({}, false);
  masks.Add({"", ".", "..."}, true);
  EXPECT_TRUE(masks.empty());
  EXPECT_EQ(Ours(masks, bytes), bytes);
  EXPECT_TRUE(SameAsOracle(bytes, {{{}, false}, {{"", "."}, true}}));
}

TEST(FieldMaskEdges, TopLevelFieldsAreNeverMasked) {
  const std::string bytes = Exec(BytesField(5, "/bin/a")) + BytesField(1000, "node") +
                            BytesField(1001, VarintField(1, 5));
  tetrars::FieldMasks masks;
  masks.Add({"time", "node_name"}, false);
  EXPECT_EQ(Json(Ours(masks, bytes)),
            R"({"process_exec":{},"node_name":"node","time":"1970-01-01T00:00:05Z"})");
  EXPECT_TRUE(SameAsOracle(bytes, {{{"time", "node_name"}, false}}));
  EXPECT_TRUE(SameAsOracle(bytes, {{{"time", "node_name", "process"}, true}}));
}

TEST(FieldMaskEdges, MapEntriesWithoutKey) {
  const std::string value_only = BytesField(2, "v0");
  const std::string app = BytesField(1, "app") + BytesField(2, "v1");
  const std::string bytes = Exec(Label(value_only) + Label(app) + Label(BytesField(1, "x")));
  tetrars::FieldMasks include;
  include.Add({"process.pod.pod_labels.app"}, false);
  EXPECT_EQ(Json(Ours(include, bytes)),
            R"({"process_exec":{"process":{"pod":{"pod_labels":{"app":"v1"}}}}})");
  tetrars::FieldMasks exclude;
  exclude.Add({"process.pod.pod_labels.app"}, true);
  EXPECT_EQ(Json(Ours(exclude, bytes)),
            R"({"process_exec":{"process":{"pod":{"pod_labels":{"":"v0","x":""}}}}})");
  for (const bool prune : {false, true}) {
    EXPECT_TRUE(SameAsOracle(bytes, {{{"process.pod.pod_labels.app"}, prune}}));
    EXPECT_TRUE(SameAsOracle(bytes, {{{"process.pod.pod_labels.x.y"}, prune}}));
    EXPECT_TRUE(SameAsOracle(bytes, {{{"process.pod.pod_labels"}, prune}}));
  }
}

TEST(FieldMaskEdges, DuplicateMapKeysKeepTheLast) {
  const std::string bytes = Exec(Label(BytesField(1, "app") + BytesField(2, "old")) +
                                 Label(BytesField(1, "tier") + BytesField(2, "t")) +
                                 Label(BytesField(1, "app") + BytesField(2, "new")));
  tetrars::FieldMasks include;
  include.Add({"process.pod.pod_labels.app"}, false);
  EXPECT_EQ(Json(Ours(include, bytes)),
            R"({"process_exec":{"process":{"pod":{"pod_labels":{"app":"new"}}}}})");
  for (const bool prune : {false, true}) {
    EXPECT_TRUE(SameAsOracle(bytes, {{{"process.pod.pod_labels.app"}, prune}}));
  }
}

// Occurrences of a message merge; each element of a list is on its own.
TEST(FieldMaskEdges, RepeatedMessagesMerge) {
  const std::string process_a = BytesField(5, "/bin/a") + BytesField(4, "/");
  const std::string process_b = BytesField(5, "/bin/b") + BytesField(6, "-x");
  const std::string ancestor = BytesField(3, BytesField(5, "/sbin/init") + BytesField(4, "/r"));
  const std::string bytes = BytesField(1, BytesField(1, process_a) + ancestor) +
                            BytesField(1001, VarintField(1, 5)) +
                            BytesField(1, BytesField(1, process_b) + ancestor + ancestor);
  tetrars::FieldMasks masks;
  masks.Add({"process.binary", "process.cwd", "ancestors.binary"}, false);
  EXPECT_EQ(Json(Ours(masks, bytes)),
            R"({"process_exec":{"process":{"cwd":"/","binary":"/bin/b"},)"
            R"("ancestors":[{"binary":"/sbin/init"},{"binary":"/sbin/init"},)"
            R"({"binary":"/sbin/init"}]},"time":"1970-01-01T00:00:05Z"})");
  const std::vector<std::string> paths = {"process.binary", "process.cwd", "ancestors.binary"};
  for (const bool prune : {false, true}) {
    EXPECT_TRUE(SameAsOracle(bytes, {{paths, prune}}));
    EXPECT_TRUE(SameAsOracle(bytes, {{{"process"}, prune}}));
    EXPECT_TRUE(SameAsOracle(bytes, {{{"ancestors"}, prune}}));
  }
}

// Only the last set member of a oneof counts, also inside the event
// (KprobeArgument.arg in a list of ProcessKprobe.args).
TEST(FieldMaskEdges, OneofSwitches) {
  const std::string exec_a = Exec(BytesField(5, "/bin/a") + BytesField(4, "/a"));
  const std::string exec_b = Exec(BytesField(4, "/b"));
  const std::string exit = BytesField(5, BytesField(1, BytesField(5, "/bin/x")));
  const std::string arg = BytesField(1, "s") + VarintField(2, 5) + BytesField(1, "t");
  const std::string kprobe = BytesField(9, BytesField(4, arg) + BytesField(5, arg));
  tetrars::FieldMasks masks;
  masks.Add({"process.binary"}, false);
  EXPECT_EQ(Json(Ours(masks, exec_a + exit + exec_b)), R"({"process_exec":{"process":{}}})");
  for (const bool prune : {false, true}) {
    for (const std::vector<std::string>& paths :
         std::vector<std::vector<std::string>>{{"process.binary"},
                                               {"process.cwd", "process"},
                                               {"args.string_arg", "return.int_arg"},
                                               {"args.int_arg", "return"}}) {
      EXPECT_TRUE(SameAsOracle(exec_a + exit + exec_b, {{paths, prune}}));
      EXPECT_TRUE(SameAsOracle(exec_a + exec_b + exit + exec_a, {{paths, prune}}));
      EXPECT_TRUE(SameAsOracle(kprobe + exec_a + kprobe, {{paths, prune}}));
    }
  }
}

// A path far deeper than any valid message is cut, not followed.
TEST(FieldMaskEdges, VeryDeepPaths) {
  std::string deep = "process";
  for (int i = 0; i < 200000; ++i) deep += ".cwd";
  const std::string bytes = Exec(BytesField(5, "/bin/a") + BytesField(4, "/"));
  for (const bool prune : {false, true}) {
    tetrars::FieldMasks masks;
    masks.Add({deep}, prune);
    tetrars::FieldMasks shallow;
    shallow.Add({"process.cwd.cwd"}, prune);  // cwd with a submask: kept either way
    EXPECT_EQ(Ours(masks, bytes), Ours(shallow, bytes));
    EXPECT_TRUE(SameAsOracle(bytes, {{{"process.cwd.cwd"}, prune}}));
  }
}

// A message longer than 127 bytes after masking: its length takes 2+ bytes.
TEST(FieldMaskEdges, LongMessages) {
  const std::string bytes = Exec(BytesField(5, std::string(300, 'b')) +
                                 BytesField(6, std::string(70000, 'a')) + BytesField(4, "/"));
  for (const bool prune : {false, true}) {
    EXPECT_TRUE(SameAsOracle(bytes, {{{"process.binary", "process.arguments"}, prune}}));
    EXPECT_TRUE(SameAsOracle(bytes, {{{"process.cwd"}, prune}}));
  }
}

}  // namespace
