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

}  // namespace
