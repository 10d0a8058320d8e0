// What tetrars reads from the agent's GetVersion answer, and what it decides
// from it (agent_version.h).
#include "transport/agent_version.h"

#include <gtest/gtest.h>

#include <string>

#include "base/diagnostics.h"
#include "tetragon/events.pb.h"

namespace tetrars {
namespace {

TEST(AgentVersion, ReleasesAndGitDescribeSuffixes) {
  struct Case {
    const char* reported;
    bool known;
    bool in_place;  // FiltersFieldsInPlace: up to v1.0.0, and v1.1.0's pre-releases
    bool labels;    // PodFieldThreeIsLabels: before v1.1.0
  };
  const Case cases[] = {
      {"v0.10.0", true, true, true},
      {"v1.0.0", true, true, true},
      {"v1.0.0-17-g0123abc", true, true, true},  // a build after v1.0.0 is v1.0.0
      {"v1.0.1", true, false, true},             // the copy-before-filter backport
      {"v1.0.3", true, false, true},
      {"1.0.3", true, false, true},
      {"v1.1.0-pre.0", true, true, true},  // a pre-release of v1.1.0 still filtered in place
      {"v1.1.0-pre.0-12-gabc1234", true, true, true},
      {"v1.1.0", true, false, false},
      {"v1.1.0-3-g0123abc", true, false, false},
      {"v1.6.0-rc.1", true, false, false},
      {"v1.7.0", true, false, false},
      {"v10.0.0", true, false, false},
      {"", false, false, false},
      {"40b029c1e", false, false, false},  // git describe --always without a tag
      {"v1.7", false, false, false},
      {"v1.7.0x", false, false, false},
      {"version 1.7.0", false, false, false},
  };
  for (const Case& c : cases) {
    const AgentVersion version = AgentVersion::Parse(c.reported);
    EXPECT_EQ(version.known(), c.known) << c.reported;
    EXPECT_EQ(version.text(), c.reported);
    EXPECT_EQ(version.FiltersFieldsInPlace(), c.in_place) << c.reported;
    EXPECT_EQ(version.PodFieldThreeIsLabels(), c.labels) << c.reported;
  }
  EXPECT_FALSE(AgentVersion::Unknown().known());
  EXPECT_FALSE(AgentVersion::Unknown().Before({99, 0, 0}));
}

TEST(AgentVersion, PreReleasesComeBeforeTheirRelease) {
  EXPECT_TRUE(AgentVersion::Parse("v1.6.0-rc.1").Before({1, 6, 0}));
  EXPECT_FALSE(AgentVersion::Parse("v1.6.0-rc.1").Before({1, 5, 9}));
  EXPECT_FALSE(AgentVersion::Parse("v1.6.0").Before({1, 6, 0}));
  EXPECT_TRUE(AgentVersion::Parse("v1.5.9").Before({1, 6, 0}));
  EXPECT_FALSE(AgentVersion::Parse("v2.0.0").Before({1, 99, 99}));
}

TEST(AgentVersion, FiltersAnOlderAgentIgnores) {
  const std::vector<std::string_view> all = {"--policy-names", "--cel-expression", "--containers",
                                             "--namespace-regex"};
  const auto ignored = [&](const char* version, const std::vector<std::string_view>& used) {
    std::string names;
    for (const FilterFeature& f : FiltersTheAgentIgnores(AgentVersion::Parse(version), used)) {
      names += std::string(f.flag) + " ";
    }
    return names;
  };
  EXPECT_EQ(ignored("v0.10.0", all),
            "--policy-names --cel-expression --containers --namespace-regex ");
  EXPECT_EQ(ignored("v1.1.0", all), "--cel-expression --containers --namespace-regex ");
  EXPECT_EQ(ignored("v1.3.0", all), "--containers --namespace-regex ");
  EXPECT_EQ(ignored("v1.6.0", all), "--namespace-regex ");
  EXPECT_EQ(ignored("v1.7.0", all), "");
  EXPECT_EQ(ignored("", all), "");  // unknown: nothing is claimed
  EXPECT_EQ(ignored("v1.0.3", {"--containers"}), "--containers ");
  EXPECT_EQ(ignored("v1.0.3", {}), "");
  // A pre-release of the release that brought a filter is not said to
  // ignore it (v1.6.0-rc.1 has container_name_regex); an earlier one is.
  EXPECT_EQ(ignored("v1.6.0-rc.1", all), "--namespace-regex ");
  EXPECT_EQ(ignored("v1.5.0-rc.1", {"--containers"}), "--containers ");
}

// The GetVersion answer as a gRPC message: built with libprotobuf (the
// oracle), read by tetrars' walker.
std::string Framed(const std::string& message, char flag = 0) {
  std::string framed(1, flag);
  for (int shift = 24; shift >= 0; shift -= 8) framed += char((message.size() >> shift) & 0xff);
  return framed + message;
}

TEST(AgentVersion, ReadFromTheGetVersionAnswer) {
  tetragon::GetVersionResponse response;
  response.set_version("v1.6.0");
  const std::string bytes = response.SerializeAsString();
  EXPECT_EQ(AgentVersion::FromAnswer(Framed(bytes)).text(), "v1.6.0");
  EXPECT_TRUE(AgentVersion::FromAnswer(Framed(bytes)).known());
  // Last occurrence wins, as in protobuf.
  tetragon::GetVersionResponse older;
  older.set_version("v0.10.0");
  EXPECT_EQ(AgentVersion::FromAnswer(Framed(older.SerializeAsString() + bytes)).text(), "v1.6.0");
  // An empty answer (version "") and broken ones are unknown.
  EXPECT_FALSE(AgentVersion::FromAnswer(Framed("")).known());
  EXPECT_FALSE(AgentVersion::FromAnswer("").known());
  EXPECT_FALSE(AgentVersion::FromAnswer(Framed(bytes, 1)).known());            // compressed
  EXPECT_FALSE(AgentVersion::FromAnswer(Framed(bytes).substr(1)).known());     // cut
  EXPECT_FALSE(AgentVersion::FromAnswer(Framed(bytes) + "x").known());         // two messages
  EXPECT_FALSE(AgentVersion::FromAnswer(Framed("\x0a\x02\xff\xfe")).known());  // not UTF-8
}

// Issue 21.4: the agent's words reach diagnostic lines escaped and cut.
TEST(Quoted, EscapesControlBytesAndWhatIsNotUtf8) {
  EXPECT_EQ(Quoted("v1.7.0"), "v1.7.0");
  EXPECT_EQ(Quoted(""), "");
  EXPECT_EQ(Quoted("a\nb\tc\rd\\e\x1b[31m\x7f"), "a\\nb\\tc\\rd\\\\e\\x1b[31m\\x7f");
  EXPECT_EQ(Quoted(std::string("nul\0", 4)), "nul\\x00");
  EXPECT_EQ(Quoted("caf\xc3\xa9 \xff\xc3"), "caf\xc3\xa9 \\xff\\xc3");  // é stays, bad bytes do not
  EXPECT_EQ(Quoted("\xc2\x85\xe2\x80\xa8"), "\\u0085\\u2028");          // C1 NEL, LINE SEPARATOR
}

TEST(Quoted, CutsAt200BytesNeverInsideAnEscapeAndSaysHowMuch) {
  EXPECT_EQ(Quoted(std::string(200, 'a')), std::string(200, 'a'));
  EXPECT_EQ(Quoted(std::string(201, 'a')), std::string(200, 'a') + "...[truncated 1 bytes]");
  // 199 bytes, then an escape of 4 that does not fit: cut before it.
  EXPECT_EQ(Quoted(std::string(199, 'a') + "\x1bzz"),
            std::string(199, 'a') + "...[truncated 3 bytes]");
  // A two-byte character that does not fit whole is left out whole.
  EXPECT_EQ(Quoted(std::string(199, 'a') + "\xc3\xa9"),
            std::string(199, 'a') + "...[truncated 2 bytes]");
  const std::string cut = Quoted(std::string(1000, '\n'));
  EXPECT_EQ(cut, [] {
    std::string expected;
    for (int i = 0; i < 100; ++i) expected += "\\n";
    return expected + "...[truncated 900 bytes]";
  }());
}

TEST(AgentVersion, TextIsEscapedAndTheRulesReadTheNumbers) {
  const AgentVersion forged = AgentVersion::Parse("v1.0.0-\ntetrars: forged line \x1b[31m");
  EXPECT_TRUE(forged.known());
  EXPECT_EQ(forged.text(), "v1.0.0-\\ntetrars: forged line \\x1b[31m");
  EXPECT_TRUE(forged.FiltersFieldsInPlace());  // a pre-release of v1.0.0
  EXPECT_TRUE(forged.PodFieldThreeIsLabels());
  const AgentVersion long_one = AgentVersion::Parse("v1.7.0-" + std::string(300, 'x'));
  EXPECT_TRUE(long_one.known());
  EXPECT_FALSE(long_one.BeforeRelease({1, 7, 0}));
  EXPECT_EQ(long_one.text(), "v1.7.0-" + std::string(193, 'x') + "...[truncated 107 bytes]");
}

}  // namespace
}  // namespace tetrars
