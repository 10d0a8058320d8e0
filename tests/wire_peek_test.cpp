#include "wire_peek.h"

#include <gtest/gtest.h>

#include "filter/event_filter.h"
#include "pb_decode.h"
#include "process_of.h"
#include "test_util.h"
#include "tetragon/events.pb.h"
#include "wire_builder.h"

namespace {

std::string Field(int number, const std::string& bytes) {
  return wire::BytesField(number, bytes);
}
std::string Auid(uint64_t value) {
  return Field(9, wire::VarintField(1, value));
}
tetrars::WirePeek Peek(const std::string& bytes) {
  return tetrars::PeekEvent(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

TEST(WirePeek, AgreesWithTheFullParseOnEveryRecordedEvent) {
  for (const char* file : {"all.wire.b64", "seed.wire.b64"}) {
    for (const auto& line : test_util::ReadLines(test_util::CorpusPath(file))) {
      const std::string bytes = test_util::Base64Decode(line);
      const auto peek = Peek(bytes);
      ASSERT_TRUE(peek.valid) << peek.problem;
      ASSERT_TRUE(peek.simple);
      tetrars::reference::PbDecoder decoder;
      ASSERT_EQ(decoder.Decode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
                tetrars::reference::PbDecoder::Result::kEvent);
      EXPECT_EQ(peek.kind, decoder.event().event_case());
      const tetragon::Process* process = tetrars::SubjectProcess(decoder.event());
      ASSERT_NE(process, nullptr);
      EXPECT_EQ(peek.has_auid, process->has_auid());
      EXPECT_EQ(peek.auid, process->auid().value());
    }
  }
}

TEST(WirePeek, ReadsKindAndAuid) {
  auto peek = Peek(Field(5, Field(1, Field(5, "/bin/ls") + Auid(60000))));
  EXPECT_TRUE(peek.valid && peek.simple);
  EXPECT_EQ(peek.kind, 5);
  EXPECT_TRUE(peek.has_auid);
  EXPECT_EQ(peek.auid, 60000u);
  // An auid message without a value is auid 0, as protobuf parses it.
  peek = Peek(Field(1, Field(1, Field(9, ""))));
  EXPECT_TRUE(peek.simple && peek.has_auid);
  EXPECT_EQ(peek.auid, 0u);
  // No auid at all.
  peek = Peek(Field(1, Field(1, Field(5, "/bin/ls"))) + Field(1000, "node"));
  EXPECT_TRUE(peek.simple);
  EXPECT_FALSE(peek.has_auid);
  // A parent's auid is not the process's.
  peek = Peek(Field(1, Field(2, Auid(1000))));
  EXPECT_TRUE(peek.simple);
  EXPECT_FALSE(peek.has_auid);
}

TEST(WirePeek, AnythingProtobufWouldMergeIsNotSimple) {
  // Two auid values: protobuf keeps the last; the peek leaves it to the parse.
  EXPECT_FALSE(Peek(Field(1, Field(1, Auid(0) + Auid(1000)))).simple);
  EXPECT_FALSE(Peek(Field(1, Field(1, Auid(1000))) + Field(1, Field(1, Auid(0)))).simple);
  EXPECT_FALSE(Peek(Field(1, Field(1, Auid(1000)) + Field(1, Auid(0)))).simple);
  EXPECT_FALSE(Peek(Field(1, Field(1, Auid(1000))) + Field(5, Field(1, Auid(0)))).simple);
  // The peek follows the auid of exec and exit events only: a kprobe event
  // (and one of a kind newer than the schema) goes to the full parse.
  EXPECT_FALSE(Peek(Field(9, Field(1, Auid(1000)))).simple);
  EXPECT_FALSE(Peek(Field(30, Field(1, Auid(1000)))).simple);
  // An exec followed by a kprobe is a kprobe for protobuf (last oneof wins).
  EXPECT_FALSE(Peek(Field(1, Field(1, Auid(0))) + Field(9, Field(1, Auid(1000)))).simple);
}

TEST(WirePeek, NamesWhatIsInvalid) {
  auto peek = Peek(Field(1, Field(1, Field(5, "/bin/\xff"))));
  EXPECT_FALSE(peek.valid);
  EXPECT_EQ(peek.problem, "field tetragon.Process.binary is not valid UTF-8");
  peek = Peek(Field(1, Field(1, Field(5, "/bin/ls"))).substr(0, 6));
  EXPECT_FALSE(peek.valid);
  EXPECT_EQ(
      peek.problem,
      "field tetragon.GetEventsResponse.process_exec announces 11 bytes but 4 remain at byte 2");
  peek = Peek(std::string("\x0a", 1));
  EXPECT_FALSE(peek.valid);
  EXPECT_EQ(peek.problem, "a length is cut short at byte 1");
}

}  // namespace
