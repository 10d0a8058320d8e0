// Replays through the fuzz harnesses every input kept in tests/fuzz_regressions/
// (findings of earlier fuzzing) and the recorded corpus, so the harness
// invariants hold on real data as well as on what the fuzzers found.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness.h"
#include "process_runner.h"
#include "test_util.h"
#include "wire_builder.h"

namespace {

using wire::Frame;

void ReplayDirectory(const std::string& name, void (*harness)(const uint8_t*, size_t)) {
  const std::filesystem::path dir =
      std::filesystem::path(TETRARS_TEST_DATA) / ".." / "fuzz_regressions" / name;
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
    SCOPED_TRACE(entry.path().string());
    const std::string bytes = test_util::ReadFile(entry.path().string());
    harness(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
}

TEST(FuzzRegressions, DeframerInputs) {
  ReplayDirectory("deframer", tetrars_fuzz::Deframer);
}

TEST(FuzzRegressions, DecodeEncodeInputs) {
  ReplayDirectory("decode_encode", tetrars_fuzz::DecodeEncode);
}

TEST(FuzzRegressions, FieldMaskInputs) {
  ReplayDirectory("field_mask", tetrars_fuzz::FieldMask);
}

TEST(FuzzRegressions, HarnessesHoldOnTheRecordedCorpus) {
  const auto lines = test_util::ReadLines(test_util::CorpusPath("all.wire.b64"));
  ASSERT_EQ(lines.size(), 274u);
  std::string stream(1, '\x05');
  for (const auto& line : lines) {
    const std::string event = test_util::Base64Decode(line);
    tetrars_fuzz::DecodeEncode(reinterpret_cast<const uint8_t*>(event.data()), event.size());
    stream += Frame(event);
  }
  tetrars_fuzz::Deframer(reinterpret_cast<const uint8_t*>(stream.data()), stream.size());
}

// The field mask harness on every recorded event behind the mask lists of
// scripts/fuzz.py's seeds (fuzz/harness.cpp's FieldMaskInput): include
// process and a map key; exclude a map key, a list's field, a scalar's
// submask; include then exclude; three filters, empty segments, unknown
// names and a joined path.
TEST(FuzzRegressions, FieldMaskHarnessHoldsOnTheRecordedCorpus) {
  const std::string headers[] = {
      std::string("\x00\x02\x00\x00\x03\x00", 6),
      std::string("\x04\x03\x03\x00\x06\x00\x07\x00", 8),
      std::string("\x09\x02\x00\x00\x05\x00\x03\x01\x00\x02\x00\x18\x00", 13),
      std::string("\x16\x01\x00\x00\x03\x0a\x00\x05\x80\x0b\x00\x09\x00\x03\x08\x00"
                  "\x10\x00\x15\x00",
                  20),
  };
  const auto lines = test_util::ReadLines(test_util::CorpusPath("all.wire.b64"));
  ASSERT_EQ(lines.size(), 274u);
  for (const auto& line : lines) {
    for (const std::string& header : headers) {
      const std::string input = header + test_util::Base64Decode(line);
      tetrars_fuzz::FieldMask(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    }
  }
}

}  // namespace
