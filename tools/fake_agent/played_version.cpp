#include "played_version.h"

#include <cctype>
#include <vector>

namespace fake_agent {
namespace {

// Reads a number of at most 6 digits at `*at`.
std::optional<int> Number(const std::string& text, size_t* at) {
  size_t end = *at;
  while (end < text.size() && end - *at < 6 && std::isdigit(static_cast<unsigned char>(text[end])))
    ++end;
  if (end == *at) return std::nullopt;
  const int value = std::stoi(text.substr(*at, end - *at));
  *at = end;
  return value;
}

}  // namespace

std::optional<AgentVersion> ParseAgentVersion(const std::string& text) {
  size_t at = !text.empty() && (text[0] == 'v' || text[0] == 'V') ? 1 : 0;
  AgentVersion version;
  const auto major = Number(text, &at);
  if (!major || at >= text.size() || text[at] != '.') return std::nullopt;
  ++at;
  const auto minor = Number(text, &at);
  if (!minor) return std::nullopt;
  version.major = *major;
  version.minor = *minor;
  if (at < text.size() && text[at] == '.') {
    ++at;
    const auto patch = Number(text, &at);
    if (!patch) return std::nullopt;
    version.patch = *patch;
  }
  // What may follow: a pre-release or build suffix ("-rc.1", "+dirty").
  if (at < text.size() && text[at] != '-' && text[at] != '+') return std::nullopt;
  return version;
}

bool KnowsFilterField(const std::optional<AgentVersion>& version, int number) {
  if (!version) return true;
  struct Since {
    int first_field, major, minor;
  };
  // The first Filter field of each release that added some (all at patch 0).
  static const Since kHistory[] = {{19, 1, 7}, {18, 1, 6}, {17, 1, 4},
                                   {13, 1, 3}, {12, 1, 2}, {10, 1, 1}};
  for (const Since& since : kHistory) {
    if (number >= since.first_field) return version->AtLeast(since.major, since.minor, 0);
  }
  return true;
}

void ForgetUnknownFilterFields(const std::optional<AgentVersion>& version,
                               tetragon::GetEventsRequest* request) {
  for (auto* list : {request->mutable_allow_list(), request->mutable_deny_list()}) {
    for (tetragon::Filter& filter : *list) {
      const google::protobuf::Reflection* r = filter.GetReflection();
      r->MutableUnknownFields(&filter)->Clear();
      std::vector<const google::protobuf::FieldDescriptor*> fields;
      r->ListFields(filter, &fields);
      for (const auto* field : fields) {
        if (!KnowsFilterField(version, field->number())) r->ClearField(&filter, field);
      }
    }
  }
}

}  // namespace fake_agent
