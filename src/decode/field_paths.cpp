#include "decode/field_paths.h"

#include <algorithm>
#include <set>

#include "decode/schema.h"

namespace tetrars {
namespace {

constexpr int kMaxDepth = 6;  // deep enough for process.process_credentials.user_ns.ns.inum

const schema::Message* EventMessage(EventKind type) {
  const schema::Field* field = schema::EventType(type);
  return field != nullptr && field->kind == schema::Kind::kMessage ? &schema::TypeOf(*field)
                                                                   : nullptr;
}

// A message field's type, or nullptr (scalars, maps: a path stops there).
const schema::Message* Inner(const schema::Field& field) {
  return field.kind == schema::Kind::kMessage && !field.Is(schema::kMap) ? &schema::TypeOf(field)
                                                                         : nullptr;
}

bool Resolves(const schema::Message* type, const std::string& path) {
  size_t start = 0;
  while (type != nullptr) {
    const size_t dot = path.find('.', start);
    const schema::Field* field =
        schema::FieldByName(*type, std::string_view(path).substr(start, dot - start));
    if (field == nullptr) return false;
    if (dot == std::string::npos) return true;
    type = field->kind == schema::Kind::kMessage ? &schema::TypeOf(*field) : nullptr;
    start = dot + 1;
  }
  return false;  // a path that goes on below a scalar
}

void AllPaths(const schema::Message& type, const std::string& prefix, int depth,
              std::set<std::string>* out) {
  if (depth > kMaxDepth) return;
  for (const schema::Field& field : type.fields) {
    const std::string path =
        prefix.empty() ? std::string(field.name) : prefix + "." + std::string(field.name);
    out->insert(path);
    if (const schema::Message* inner = Inner(field)) AllPaths(*inner, path, depth + 1, out);
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

bool FieldPathExists(const std::string& path, const std::vector<EventKind>& types,
                     std::string* closest) {
  std::set<std::string> valid;
  for (EventKind type : types) {
    const schema::Message* message = EventMessage(type);
    if (message == nullptr) continue;
    if (Resolves(message, path)) return true;
    AllPaths(*message, "", 0, &valid);
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

bool PathAtOrAbove(std::string_view outer, std::string_view path) {
  return path.starts_with(outer) && (path.size() == outer.size() || path[outer.size()] == '.');
}

}  // namespace tetrars
