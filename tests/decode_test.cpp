#include "decode.h"

#include <gtest/gtest.h>

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
