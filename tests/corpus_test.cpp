// Every recorded event of the real Tetragon v0.10.0 agent, decoded from its
// exact wire bytes with our schema, prints the same JSON object as the real
// tetra client printed for it.
#include <gtest/gtest.h>

#include "decode/decode.h"
#include "decode/schema.h"
#include "encode/wire_json.h"
#include "test_util.h"

namespace {

// What tetrars prints for a decoded event (its wire bytes, no libprotobuf).
bool Print(const tetrars::Event& event, std::string& out, std::string* error = nullptr) {
  tetrars::WireJsonWriter writer;
  return writer.Append(tetrars::schema::EventsResponse(), event.data, event.size, out, error);
}

struct CorpusSet {
  const char* name;
  size_t events;  // as the corpus README counts them
};

class CorpusTest : public ::testing::TestWithParam<CorpusSet> {};

TEST_P(CorpusTest, WireBytesPrintAsTetraPrintedThem) {
  const CorpusSet set = GetParam();
  const auto wire =
      test_util::ReadLines(test_util::CorpusPath(std::string(set.name) + ".wire.b64"));
  const auto tetra =
      test_util::ReadLines(test_util::CorpusPath(std::string(set.name) + ".tetra.jsonl"));
  ASSERT_EQ(wire.size(), set.events);
  ASSERT_EQ(tetra.size(), set.events);

  tetrars::Decoder decoder;
  for (size_t i = 0; i < wire.size(); ++i) {
    SCOPED_TRACE("line " + std::to_string(i + 1));
    const std::string bytes = test_util::Base64Decode(wire[i]);
    ASSERT_EQ(decoder.Decode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
              tetrars::Decoder::Result::kEvent);
    std::string ours;
    std::string error;
    ASSERT_TRUE(Print(decoder.event(), ours, &error)) << error;
    EXPECT_EQ(ours.find('\n'), std::string::npos) << "a JSON line must not contain a newline";
    EXPECT_EQ(nlohmann::json::parse(ours), nlohmann::json::parse(tetra[i]));
  }
}

INSTANTIATE_TEST_SUITE_P(TetragonV010, CorpusTest,
                         ::testing::Values(CorpusSet{"all", 274}, CorpusSet{"seed", 145}),
                         [](const auto& info) { return std::string(info.param.name); });

// Removes the whitespace Go's protojson inserts at random between tokens
// (never inside strings), giving its canonical compact form.
std::string WithoutInsignificantSpace(const std::string& json) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\') {
        out += json[++i];
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out += c;
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      out += c;
    }
  }
  return out;
}

// Beyond equal objects: the same bytes as tetra once its random spaces are
// removed, so key order and every string escape are Go's too.
TEST(CorpusBytes, SameBytesAsTetraApartFromSpaces) {
  const auto wire = test_util::ReadLines(test_util::CorpusPath("all.wire.b64"));
  const auto tetra = test_util::ReadLines(test_util::CorpusPath("all.tetra.jsonl"));
  ASSERT_EQ(wire.size(), tetra.size());
  tetrars::Decoder decoder;
  for (size_t i = 0; i < wire.size(); ++i) {
    const std::string bytes = test_util::Base64Decode(wire[i]);
    ASSERT_EQ(decoder.Decode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
              tetrars::Decoder::Result::kEvent);
    std::string ours;
    ASSERT_TRUE(Print(decoder.event(), ours));
    EXPECT_EQ(ours, WithoutInsignificantSpace(tetra[i])) << "line " << i + 1;
  }
}

}  // namespace
