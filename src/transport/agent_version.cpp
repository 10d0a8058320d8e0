#include "transport/agent_version.h"

#include <array>
#include <charconv>

#include "base/diagnostics.h"
#include "decode/schema.h"
#include "decode/wire.h"

namespace tetrars {
namespace {

// Reads "<digits>" at `p`; false when there are none or too many.
bool Number(std::string_view text, size_t& p, int* out) {
  const char* begin = text.data() + p;
  const char* end = text.data() + text.size();
  const auto [next, error] = std::from_chars(begin, end, *out);
  if (error != std::errc() || next == begin) return false;
  p += size_t(next - begin);
  return true;
}

// The flags whose Filter members are younger than the oldest agent tetrars
// talks to (v0.10.0), with the release that brought each.
constexpr FilterFeature kYoungFilters[] = {
    {"--policy-names", {1, 1, 0}},
    {"--cel-expression", {1, 3, 0}},
    {"--containers", {1, 6, 0}},
    {"--namespace-regex", {1, 7, 0}},
};

}  // namespace

AgentVersion AgentVersion::Parse(std::string_view reported) {
  AgentVersion version;
  version.text_ = Quoted(reported);
  std::string_view text = reported;
  if (!text.empty() && (text.front() == 'v' || text.front() == 'V')) text.remove_prefix(1);
  ReleaseNumber release;
  size_t p = 0;
  if (!Number(text, p, &release.major) || p >= text.size() || text[p++] != '.' ||
      !Number(text, p, &release.minor) || p >= text.size() || text[p++] != '.' ||
      !Number(text, p, &release.patch)) {
    return version;  // not a release number: unknown
  }
  if (p < text.size()) {
    const std::string_view suffix = text.substr(p);
    if (suffix.front() != '-' && suffix.front() != '+') return version;
    // "-12-gabc1234" (git describe after the tag) is that release; any other
    // "-..." is a pre-release of it ("-pre.0", "-rc.1", "-dev").
    const std::string_view rest = suffix.substr(1);
    size_t q = 0;
    int commits = 0;
    const bool after_tag =
        suffix.front() == '-' && Number(rest, q, &commits) && rest.substr(q).starts_with("-g");
    version.prerelease_ = suffix.front() == '-' && !after_tag;
  }
  version.release_ = release;
  return version;
}

AgentVersion AgentVersion::FromAnswer(std::string_view grpc_data) {
  if (grpc_data.size() < 5 || grpc_data[0] != 0) return Unknown();
  size_t length = 0;
  for (size_t i = 1; i < 5; ++i) length = (length << 8) | uint8_t(grpc_data[i]);
  if (length != grpc_data.size() - 5) return Unknown();
  const auto* data = reinterpret_cast<const uint8_t*>(grpc_data.data() + 5);
  const schema::Message* type = schema::FindMessage("tetragon.GetVersionResponse");
  const schema::Field* field = type ? schema::FieldByName(*type, "version") : nullptr;
  if (field == nullptr || !wire::Validate(*type, data, length)) return Unknown();
  const std::array<wire::Span, 1> spans{wire::Span{data, length}};
  wire::Occurrence version{};
  if (!wire::LastOccurrence(spans, *field, &version)) return Unknown();
  return Parse({reinterpret_cast<const char*>(version.data), size_t(version.bits)});
}

bool AgentVersion::Before(ReleaseNumber release) const {
  if (!release_) return false;
  if (*release_ != release) return *release_ < release;
  return prerelease_;
}

std::vector<FilterFeature> FiltersTheAgentIgnores(const AgentVersion& agent,
                                                  const std::vector<std::string_view>& used) {
  std::vector<FilterFeature> ignored;
  for (const FilterFeature& feature : kYoungFilters) {
    if (!agent.BeforeRelease(feature.since)) continue;
    for (std::string_view flag : used) {
      if (flag == feature.flag) ignored.push_back(feature);
    }
  }
  return ignored;
}

}  // namespace tetrars
