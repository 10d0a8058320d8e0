#include "filter/auid_filter.h"

#include <gtest/gtest.h>

namespace {

tetrars::AuidFilter Parse(const std::string& spec) {
  std::string error;
  auto filter = tetrars::AuidFilter::Parse(spec, &error);
  EXPECT_TRUE(filter.has_value()) << error;
  return filter.value_or(tetrars::AuidFilter());
}

TEST(AuidFilter, DefaultKeepsHumansIncludingFiveDigitUids) {
  const auto filter = Parse(tetrars::AuidFilter::kDefaultSpec);
  ASSERT_TRUE(filter.enabled());
  EXPECT_FALSE(filter.Matches(0));
  EXPECT_FALSE(filter.Matches(999));
  EXPECT_TRUE(filter.Matches(1000));
  EXPECT_TRUE(filter.Matches(9999));
  EXPECT_TRUE(filter.Matches(10000));  // the grep pipeline's blind spot
  EXPECT_TRUE(filter.Matches(60000));
  EXPECT_TRUE(filter.Matches(4294967294u));
  EXPECT_FALSE(filter.Matches(4294967295u));  // never logged in
}

TEST(AuidFilter, ValuesAndRanges) {
  const auto filter = Parse("1000-59999,0,65534");
  EXPECT_TRUE(filter.Matches(0));
  EXPECT_FALSE(filter.Matches(1));
  EXPECT_TRUE(filter.Matches(1000));
  EXPECT_TRUE(filter.Matches(59999));
  EXPECT_FALSE(filter.Matches(60000));
  EXPECT_TRUE(filter.Matches(65534));
  EXPECT_FALSE(filter.Matches(4294967295u));
}

TEST(AuidFilter, AnyTurnsTheRuleOff) {
  const auto filter = Parse("any");
  EXPECT_FALSE(filter.enabled());
  EXPECT_TRUE(filter.Matches(4294967295u));
  EXPECT_TRUE(filter.Matches(0));
}

TEST(AuidFilter, MalformedSpecsAreRejectedWithTheReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "it is empty"},
      {"abc", "'abc' is not a uid"},
      {"5-3", "range '5-3' ends before it starts"},
      {"1000-", "'1000-' is not a uid"},
      {"-5", "'-5' is not a uid"},
      {"4294967296", "'4294967296' is not a uid"},
      {"1,,2", "'' is not a uid"},
      {" 1000", "' 1000' is not a uid"},
      {"ANY", "'ANY' is not a uid"},
  };
  for (const auto& [spec, why] : cases) {
    std::string error;
    EXPECT_FALSE(tetrars::AuidFilter::Parse(spec, &error).has_value()) << spec;
    EXPECT_NE(error.find(why), std::string::npos) << spec << ": " << error;
    EXPECT_EQ(error.rfind("invalid --auid '", 0), 0u) << error;
    EXPECT_NE(error.find(": use values and ranges"), std::string::npos) << error;
  }
}

}  // namespace
