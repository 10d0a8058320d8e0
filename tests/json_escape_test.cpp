// String escaping, byte class by byte class, as Go's protojson does it: only
// '"', '\' and U+0000..U+001F are escaped; everything else valid is raw UTF-8;
// invalid UTF-8 becomes U+FFFD so every line stays valid JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "json_writer.h"

namespace {

std::string Escaped(std::string_view text) {
  std::string out;
  tetrars::AppendJsonString(text, out);
  return out;
}

TEST(JsonEscape, EveryControlCharacter) {
  const char* expected[32] = {
      R"(\u0000)", R"(\u0001)", R"(\u0002)", R"(\u0003)", R"(\u0004)", R"(\u0005)", R"(\u0006)",
      R"(\u0007)", R"(\b)",     R"(\t)",     R"(\n)",     R"(\u000b)", R"(\f)",     R"(\r)",
      R"(\u000e)", R"(\u000f)", R"(\u0010)", R"(\u0011)", R"(\u0012)", R"(\u0013)", R"(\u0014)",
      R"(\u0015)", R"(\u0016)", R"(\u0017)", R"(\u0018)", R"(\u0019)", R"(\u001a)", R"(\u001b)",
      R"(\u001c)", R"(\u001d)", R"(\u001e)", R"(\u001f)"};
  for (int c = 0; c < 32; ++c) {
    EXPECT_EQ(Escaped(std::string(1, char(c))), std::string("\"") + expected[c] + "\"") << c;
  }
}

TEST(JsonEscape, QuoteAndBackslash) {
  EXPECT_EQ(Escaped(R"(He said "hi" \o/)"), R"("He said \"hi\" \\o/")");
}

TEST(JsonEscape, HtmlCharactersSlashAndDelStayRaw) {
  EXPECT_EQ(Escaped("<a href='x'>&amp;</a>"), "\"<a href='x'>&amp;</a>\"");
  EXPECT_EQ(Escaped("a/b"), "\"a/b\"");
  EXPECT_EQ(Escaped("\x7f"), "\"\x7f\"");
}

TEST(JsonEscape, ValidUtf8StaysRawIncludingLineSeparators) {
  const std::string text =
      "caf\xC3\xA9 \xE2\x80\xA8 \xE2\x80\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80 \xEF\xBF\xBF";
  EXPECT_EQ(Escaped(text), "\"" + text + "\"");
}

TEST(JsonEscape, InvalidUtf8BecomesReplacementCharacters) {
  const std::string fffd = "\xEF\xBF\xBD";
  const std::pair<std::string, std::string> cases[] = {
      {"a\x80z", "a" + fffd + "z"},                     // lone continuation byte
      {"\xC0\xAF", fffd + fffd},                        // overlong '/'
      {"\xE0\x80\xAF", fffd + fffd + fffd},             // overlong, 3 bytes
      {"\xED\xA0\x80", fffd + fffd + fffd},             // UTF-16 surrogate
      {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},  // above U+10FFFF
      {"x\xE2\x82", "x" + fffd + fffd},                 // truncated at the end
      {"\xFF\xFE", fffd + fffd},                        // never valid
  };
  for (const auto& [input, output] : cases) {
    EXPECT_EQ(Escaped(input), "\"" + output + "\"");
  }
}

// Whatever the bytes, the result parses as a JSON string (nlohmann rejects
// invalid UTF-8), and valid input comes back unchanged.
TEST(JsonEscape, RandomBytesAlwaysGiveValidJson) {
  std::mt19937 random(12345);
  for (int round = 0; round < 5000; ++round) {
    std::string bytes(random() % 40, '\0');
    for (char& c : bytes) c = char(random() % 256);
    const std::string json = Escaped(bytes);
    nlohmann::json parsed;
    ASSERT_NO_THROW(parsed = nlohmann::json::parse(json)) << json;
    ASSERT_TRUE(parsed.is_string());
    const std::string back = parsed.get<std::string>();
    if (back.find("\xEF\xBF\xBD") == std::string::npos) {
      EXPECT_EQ(back, bytes);
    }
  }
}

}  // namespace
