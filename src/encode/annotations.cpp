#include "encode/annotations.h"

#include "encode/json_string.h"

namespace tetrars {

std::string Annotations::Member() const {
  if (empty()) return "";
  std::string member = "\"tetrars\":{";
  const auto comma = [&member] {
    if (member.back() != '{') member += ',';
  };
  for (const auto& [key, name] : names) {
    comma();
    AppendJsonString(key, member);
    member += ':';
    AppendJsonString(name, member);
  }
  if (truncated) {
    comma();
    member += "\"truncated\":true";
  }
  if (omitted_bytes > 0) {
    comma();
    member += "\"omitted_bytes\":" + std::to_string(omitted_bytes);
  }
  member += '}';
  return member;
}

void AppendAnnotations(const Annotations& annotations, std::string& line, size_t from) {
  if (annotations.empty() || line.size() < from + 2 || line.back() != '}') return;
  std::string member = annotations.Member();
  if (line.size() > from + 2) member.insert(member.begin(), ',');  // not "{}"
  line.insert(line.size() - 1, member);
}

}  // namespace tetrars
