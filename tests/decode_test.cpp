#include "decode/decode.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "wire_builder.h"

namespace {

using wire::BytesField;

tetrars::Decoder::Result Decode(tetrars::Decoder& decoder, const std::string& bytes) {
  return decoder.Decode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// A string of the decoded event at an event-relative path ("" when absent).
// The event points into the bytes given to Decode: they must still live.
std::string Text(tetrars::Decoder& decoder, const char* path) {
  tetrars::wire::EventPath compiled;
  EXPECT_TRUE(tetrars::wire::CompileEventPath(path, &compiled)) << path;
  const tetrars::Event& event = decoder.event();
  return std::string(
      tetrars::wire::FindInEvent(decoder.walker(), event.data, event.size, compiled).text);
}

TEST(Decoder, ExecEvent) {
  tetrars::Decoder decoder;
  const std::string bytes = BytesField(1, BytesField(1, BytesField(5, "/bin/ls")));
  ASSERT_EQ(Decode(decoder, bytes), tetrars::Decoder::Result::kEvent);
  EXPECT_EQ(decoder.event().kind, 1u);  // PROCESS_EXEC
  EXPECT_EQ(Text(decoder, "process.binary"), "/bin/ls");
}

TEST(Decoder, KindsWeDoNotModelAreReportedNotGuessed) {
  tetrars::Decoder decoder;
  // Fields 30 and 13 are no event kind of our schema (a newer agent's?):
  // parsed, but not ours to print.
  EXPECT_EQ(Decode(decoder, BytesField(30, BytesField(3, "x")) + BytesField(1000, "n")),
            tetrars::Decoder::Result::kUnmodelled);
  EXPECT_EQ(Decode(decoder, BytesField(13, "")), tetrars::Decoder::Result::kUnmodelled);
  // A kprobe event is one of ours now.
  EXPECT_EQ(Decode(decoder, BytesField(9, BytesField(3, "do_sys_open"))),
            tetrars::Decoder::Result::kEvent);
}

TEST(Decoder, InvalidUtf8InAStringFieldIsMalformed) {
  tetrars::Decoder decoder;
  EXPECT_EQ(Decode(decoder, BytesField(1, BytesField(1, BytesField(6, "ok \xff\xfe")))),
            tetrars::Decoder::Result::kMalformed);
  EXPECT_EQ(decoder.problem(), "field tetragon.Process.arguments is not valid UTF-8");
}

TEST(Decoder, TruncatedBytesAreMalformed) {
  tetrars::Decoder decoder;
  const std::string whole = BytesField(1, BytesField(1, BytesField(5, "/bin/ls")));
  EXPECT_EQ(Decode(decoder, whole.substr(0, whole.size() - 2)),
            tetrars::Decoder::Result::kMalformed);
}

TEST(Decoder, NothingOfAPreviousEventSurvives) {
  tetrars::Decoder decoder;
  ASSERT_EQ(Decode(decoder, BytesField(1, BytesField(1, BytesField(5, "/bin/ls"))) +
                                BytesField(1000, "node")),
            tetrars::Decoder::Result::kEvent);
  const std::string exit_bytes = BytesField(5, BytesField(3, "SIGKILL"));
  ASSERT_EQ(Decode(decoder, exit_bytes), tetrars::Decoder::Result::kEvent);
  EXPECT_EQ(decoder.event().kind, 5u);  // PROCESS_EXIT
  EXPECT_EQ(Text(decoder, "process.binary"), "");
  EXPECT_EQ(Text(decoder, "signal"), "SIGKILL");
}

}  // namespace

namespace {

// Every recorded event (`singles` of them), then merged pairs of them
// (protobuf's merge rules are where a one-pass reading could go wrong).
std::vector<std::string> RecordedEventsAndMergedPairs(size_t* singles) {
  std::vector<std::string> events;
  for (const char* set : {"all.wire.b64", "seed.wire.b64"}) {
    for (const std::string& line : test_util::ReadLines(test_util::CorpusPath(set))) {
      events.push_back(test_util::Base64Decode(line));
    }
  }
  *singles = events.size();
  for (size_t i = 0; i + 1 < *singles; i += 3) events.push_back(events[i] + events[i + 1]);
  return events;
}

// The facts read while validating (kind, process.auid) against the walker's
// full reading, on the corpus and on merged pairs of its events (protobuf's
// merge rules are where a one-pass reading could go wrong).
TEST(Decoder, FactsReadWhileValidatingAgreeWithTheWalker) {
  size_t singles = 0;
  const std::vector<std::string> events = RecordedEventsAndMergedPairs(&singles);
  tetrars::wire::EventPath auid_path;
  ASSERT_TRUE(tetrars::wire::CompileEventPath("process.auid", &auid_path));
  size_t simple = 0;
  for (const std::string& bytes : events) {
    tetrars::Decoder decoder;
    ASSERT_EQ(Decode(decoder, bytes), tetrars::Decoder::Result::kEvent);
    const tetrars::Event& event = decoder.event();
    tetrars::wire::Walker walker;
    EXPECT_EQ(event.kind, walker.EventKind(event.data, event.size));
    if (!event.simple) continue;
    ++simple;
    const auto auid = tetrars::wire::FindInEvent(walker, event.data, event.size, auid_path);
    EXPECT_EQ(event.has_auid, auid.present);
    if (auid.present) {
      EXPECT_EQ(event.auid, uint32_t(auid.bits));
    }
  }
  EXPECT_EQ(simple, singles) << "every single recorded event is simple; merged pairs are not";
}

TEST(Decoder, MergedOrRepeatedEventFieldsAreNotSimple) {
  const std::string exec =
      BytesField(1, BytesField(1, BytesField(9, "\x08\xe8\x07")));  // auid 1000
  const std::string exit = BytesField(5, BytesField(1, BytesField(9, "\x08\x01")));
  const std::string process_twice =
      BytesField(1, BytesField(1, BytesField(9, "\x08\x01")) + BytesField(1, BytesField(5, "x")));
  const std::string auid_twice =
      BytesField(1, BytesField(1, BytesField(9, "\x08\x01") + BytesField(9, "\x08\x02")));
  for (const std::string& bytes : {exec + exit, exec + exec, process_twice, auid_twice}) {
    tetrars::Decoder decoder;
    ASSERT_EQ(Decode(decoder, bytes), tetrars::Decoder::Result::kEvent);
    EXPECT_FALSE(decoder.event().simple);
  }
  tetrars::Decoder decoder;
  ASSERT_EQ(Decode(decoder, exec), tetrars::Decoder::Result::kEvent);
  EXPECT_TRUE(decoder.event().simple);
  EXPECT_TRUE(decoder.event().has_auid);
  EXPECT_EQ(decoder.event().auid, 1000u);
}

// Issue 22.2: the skim (kind and process.auid without validating) knows the
// facts of every recorded event, and they are the validated decode's; merged
// pairs are left to the full decode, as protobuf's merge rules apply.
TEST(Decoder, SkimAgreesWithTheValidatedDecode) {
  size_t singles = 0;
  const std::vector<std::string> events = RecordedEventsAndMergedPairs(&singles);
  size_t skimmed = 0;
  for (const std::string& bytes : events) {
    tetrars::Decoder skimmer;
    tetrars::Decoder decoder;
    ASSERT_EQ(Decode(decoder, bytes), tetrars::Decoder::Result::kEvent);
    const bool known = skimmer.Skim(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    EXPECT_EQ(known, decoder.event().simple);
    if (!known) continue;
    ++skimmed;
    EXPECT_EQ(skimmer.event().kind, decoder.event().kind);
    EXPECT_EQ(skimmer.event().has_auid, decoder.event().has_auid);
    EXPECT_EQ(skimmer.event().auid, decoder.event().auid);
  }
  EXPECT_EQ(skimmed, singles);
}

TEST(Decoder, SkimLeavesWhatProtobufWouldMergeToTheDecode) {
  const std::string exec = BytesField(1, BytesField(1, BytesField(9, "\x08\xe8\x07")));
  const std::string exit = BytesField(5, BytesField(1, BytesField(9, "\x08\x01")));
  const std::string process_twice =
      BytesField(1, BytesField(1, BytesField(9, "\x08\x01")) + BytesField(1, BytesField(5, "x")));
  const std::string auid_twice =
      BytesField(1, BytesField(1, BytesField(9, "\x08\x01") + BytesField(9, "\x08\x02")));
  const std::string group = BytesField(1, BytesField(1, std::string("\x5b\x5c")));  // field 11
  const std::string cut = exec.substr(0, exec.size() - 1);
  for (const std::string& bytes :
       {exec + exit, exec + exec, process_twice, auid_twice, group, cut}) {
    tetrars::Decoder skimmer;
    EXPECT_FALSE(skimmer.Skim(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }
  // The wrapper's value: last wins inside one wrapper, absent is 0.
  const std::string two_values =
      BytesField(1, BytesField(1, BytesField(9, "\x08\x01\x08\xe8\x07")));
  const std::string no_value = BytesField(1, BytesField(1, BytesField(9, "")));
  for (const std::string& bytes : {exec, two_values, no_value}) {
    tetrars::Decoder skimmer;
    tetrars::Decoder decoder;
    ASSERT_TRUE(skimmer.Skim(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    ASSERT_EQ(Decode(decoder, bytes), tetrars::Decoder::Result::kEvent);
    EXPECT_TRUE(skimmer.event().has_auid);
    EXPECT_EQ(skimmer.event().auid, decoder.event().auid);
  }
}

}  // namespace
