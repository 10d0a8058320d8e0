// RE2 through libtetrars-regex.so (src/filter/regex_library.h): the same verdicts and the
// same error texts as RE2 itself, which the agent and the libprotobuf-era
// tetrars used. These tests link the library (as the tests link everything
// they use), so Regex finds it already loaded; the end-to-end tests
// (regex_e2e_test.cpp) run build/tetrars, which loads it with dlopen.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <random>

#include "filter/regex_library.h"
#include "filter/regex_shim.h"

namespace {

using tetrars::Regex;
using tetrars::RegexError;

TEST(Regex, UsesTheLibraryOfThisBuild) {
  // A direct call: the library these tests link is the one Regex finds.
  EXPECT_EQ(tetrars_regex_abi(), TETRARS_REGEX_ABI);
  RegexError error;
  EXPECT_TRUE(Regex::Compile("x", &error)) << error.text;
}

bool Re2Verdict(const std::string& pattern, const std::string& text) {
  const re2::RE2 re(pattern, re2::RE2::Quiet);
  return re2::RE2::PartialMatch(text, re);
}

TEST(Regex, MatchesAsRe2Does) {
  const std::string patterns[] = {
      "bash$", "^bash",   "^/usr/bin/(ls|cat)$", "(?i)SUDO",  ".", "^$", "\\pL+",
      "^.$",   "a\\x00b", "[[:digit:]]+",        "\\bssh\\b", "é"};
  const std::string texts[] = {
      "",     "/bin/bash", "bash -c x", "/usr/bin/ls",          "/usr/bin/lsof",
      "sudo", "é",         "\xff",      std::string("a\0b", 3), "openssh-server ssh",
      "1234"};
  for (const std::string& pattern : patterns) {
    RegexError error;
    const auto regex = Regex::Compile(pattern, &error);
    ASSERT_TRUE(regex) << pattern << ": " << error.text;
    for (const std::string& text : texts) {
      EXPECT_EQ(regex->PartialMatch(text), Re2Verdict(pattern, text))
          << "'" << pattern << "' on '" << text << "'";
    }
  }
}

TEST(Regex, RandomPatternsAndTextsAgreeWithRe2) {
  std::mt19937 random(22);
  const std::string alphabet = "ab.*+?|()[]^$\\x-";
  for (int i = 0; i < 2000; ++i) {
    std::string pattern, text;
    for (int n = int(random() % 8); n > 0; --n) pattern += alphabet[random() % alphabet.size()];
    for (int n = int(random() % 12); n > 0; --n) text += "abx-."[random() % 5];
    const re2::RE2 re(pattern, re2::RE2::Quiet);
    RegexError error;
    const auto regex = Regex::Compile(pattern, &error);
    ASSERT_EQ(bool(regex), re.ok()) << pattern;
    if (!regex) {
      EXPECT_EQ(error.kind, RegexError::kPattern);
      EXPECT_EQ(error.text, re.error()) << pattern;
      continue;
    }
    EXPECT_EQ(regex->PartialMatch(text), re2::RE2::PartialMatch(text, re))
        << "'" << pattern << "' on '" << text << "'";
  }
}

TEST(Regex, ARefusedPatternSaysWhyInRe2sWordsUncut) {
  RegexError error;
  EXPECT_FALSE(Regex::Compile("^/usr/bin/(ls", &error));
  EXPECT_EQ(error.kind, RegexError::kPattern);
  EXPECT_EQ(error.text, "missing ): ^/usr/bin/(ls");
  // RE2 quotes the pattern: a long one is not cut.
  const std::string long_pattern = std::string(5000, 'a') + "(";
  EXPECT_FALSE(Regex::Compile(long_pattern, &error));
  EXPECT_EQ(error.text, re2::RE2(long_pattern, re2::RE2::Quiet).error());
}

TEST(Regex, CopiesShareTheCompiledPattern) {
  RegexError error;
  auto regex = Regex::Compile("^ab+$", &error);
  ASSERT_TRUE(regex);
  const Regex copy = *regex;
  regex.reset();
  EXPECT_TRUE(copy.PartialMatch("abbb"));
  EXPECT_FALSE(copy.PartialMatch("a"));
}

TEST(Regex, TheMessageNamesTheOptionAndTheLibrary) {
  EXPECT_EQ(tetrars::RegexLibraryMissing("--pod", {RegexError::kLibrary, "not in /x or /y"}),
            "--pod needs libtetrars-regex.so (not in /x or /y)");
}

}  // namespace
