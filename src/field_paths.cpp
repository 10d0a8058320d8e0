#include "field_paths.h"

#include <algorithm>
#include <set>

namespace tetrars {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

constexpr int kMaxDepth = 6;  // deep enough for process.process_credentials.user_ns.ns.inum

const Descriptor* EventMessage(tetragon::EventType type) {
  const FieldDescriptor* field = tetragon::GetEventsResponse::descriptor()->FindFieldByNumber(type);
  return field != nullptr && field->message_type() != nullptr ? field->message_type() : nullptr;
}

bool Resolves(const Descriptor* type, const std::string& path) {
  size_t start = 0;
  while (type != nullptr) {
    const size_t dot = path.find('.', start);
    const FieldDescriptor* field = type->FindFieldByName(path.substr(start, dot - start));
    if (field == nullptr) return false;
    if (dot == std::string::npos) return true;
    type = field->message_type();
    start = dot + 1;
  }
  return false;  // a path that goes on below a scalar
}

void AllPaths(const Descriptor* type, const std::string& prefix, int depth,
              std::set<std::string>* out) {
  if (depth > kMaxDepth) return;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    const std::string path = prefix.empty() ? field->name() : prefix + "." + field->name();
    out->insert(path);
    if (field->message_type() != nullptr && !field->is_map()) {
      AllPaths(field->message_type(), path, depth + 1, out);
    }
  }
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

bool FieldPathExists(const std::string& path, const std::vector<tetragon::EventType>& types,
                     std::string* closest) {
  std::set<std::string> valid;
  for (tetragon::EventType type : types) {
    const Descriptor* message = EventMessage(type);
    if (message == nullptr) continue;
    if (Resolves(message, path)) return true;
    AllPaths(message, "", 0, &valid);
  }
  size_t best = SIZE_MAX;
  for (const std::string& candidate : valid) {
    const size_t distance = EditDistance(path, candidate);
    if (distance < best) {
      best = distance;
      *closest = candidate;
    }
  }
  return false;
}

}  // namespace tetrars
