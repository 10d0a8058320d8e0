#include "predicate.h"

#include <charconv>
#include <string_view>

#include "schema.h"

namespace tetrars {
namespace {

using schema::Kind;

bool IsWrapper(const schema::Message& type) {
  return type.well_known >= schema::WellKnown::kDoubleValue &&
         type.well_known <= schema::WellKnown::kBytesValue;
}

template <typename T>
bool Number(const std::string& text, T* value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && end == text.data() + text.size();
}

template <typename T>
bool Holds(const T& a, const T& b, int op) {
  switch (op) {
    case 0:
      return a == b;
    case 1:
      return a != b;
    case 2:
      return a < b;
    case 3:
      return a <= b;
    case 4:
      return a > b;
    default:
      return a >= b;
  }
}

// An enum's own name, as protobuf's EnumDescriptor::name() gives it for the
// error text ("tetragon.KprobeAction" -> "KprobeAction").
std::string_view ShortName(std::string_view full_name) {
  const size_t dot = full_name.rfind('.');
  return dot == std::string_view::npos ? full_name : full_name.substr(dot + 1);
}

// Whether every message on `route` below the event member is set (protobuf's
// HasField along the way, a oneof member only while it is the set one). Only
// asked when the scalar reads as unset: FindInEvent then cannot tell a default
// in a set message (compared as a value) from an unset message on the way
// (absent), and protobuf's reflection could. Restores the walker's arena.
bool Reached(wire::Walker& walker, const Event& event, const wire::Path& route) {
  const wire::Walker::Mark mark = walker.Save();
  const wire::Span top{event.data, event.size};
  std::span<const wire::Span> spans(&top, 1);
  const schema::Message* type = &schema::EventsResponse();
  bool reached = true;
  // steps[0] is the event member, steps[size - 1] the scalar.
  for (int i = 0; i + 1 < route.size && reached; ++i) {
    const schema::Field& field = *route.steps[i];
    const wire::Walker::Index index = walker.Build(*type, spans);
    const wire::Slot slot = walker.slot(index, field);
    reached = slot.first != wire::kNone && walker.Selected(index, field);
    if (reached) spans = walker.Spans(slot);  // Build() below does not move them
    type = &schema::TypeOf(field);
  }
  walker.Restore(mark);
  return reached;
}

}  // namespace

std::optional<Predicate> Predicate::Parse(const std::string& text,
                                          const std::vector<EventKind>& types, std::string* error,
                                          std::string* advice) {
  Predicate p;
  const size_t first_space = text.find(' ');
  const size_t op_end =
      first_space == std::string::npos ? std::string::npos : text.find(' ', first_space + 1);
  if (op_end == std::string::npos) {
    *error = "invalid --match '" + text + "': expected 'PATH OP VALUE'";
    return std::nullopt;
  }
  p.path_ = text.substr(0, first_space);
  const std::string op = text.substr(first_space + 1, op_end - first_space - 1);
  const std::string value = text.substr(op_end + 1);
  static const std::pair<const char*, Op> kOps[] = {
      {"==", Op::kEq}, {"!=", Op::kNe}, {"<", Op::kLt},  {"<=", Op::kLe},
      {">", Op::kGt},  {">=", Op::kGe}, {"=~", Op::kRe}, {"!~", Op::kNotRe}};
  bool known = false;
  for (const auto& [name, code] : kOps) {
    if (op == name) {
      p.op_ = code;
      known = true;
    }
  }
  if (!known) {
    *error =
        "invalid --match '" + text + "': unknown operator '" + op + "' (use == != < <= > >= =~ !~)";
    return std::nullopt;
  }
  // Resolve the path in every selected event type where it exists. The first
  // repeated field or non-wrapper message at the end refuses the predicate
  // even if another type would take it, as the libprotobuf version did.
  const schema::Field* leaf = nullptr;
  Type leaf_type = Type::kInt32;
  for (EventKind type : types) {
    const schema::Field* event = schema::EventType(type);
    if (event == nullptr || event->kind != Kind::kMessage) continue;
    wire::Path route;
    route.steps[route.size++] = event;
    const schema::Message* message = &schema::TypeOf(*event);
    size_t start = 0;
    bool ok = true;
    while (ok) {
      const size_t dot = p.path_.find('.', start);
      const schema::Field* field =
          message == nullptr
              ? nullptr
              : schema::FieldByName(*message, std::string_view(p.path_).substr(start, dot - start));
      // A wire::Path holds at most kMaxSteps; our schema nests far less (a
      // path that long names no field, as the test over all paths shows).
      if (field == nullptr || field->Is(schema::kRepeated) ||
          route.size + 2 > wire::Path::kMaxSteps) {
        ok = false;
        if (field != nullptr && field->Is(schema::kRepeated)) {  // maps are repeated too
          *error = "invalid --match '" + text + "': " + std::string(field->name) +
                   " is a repeated field: --match reads single values";
          return std::nullopt;
        }
        break;
      }
      route.steps[route.size++] = field;
      if (dot == std::string::npos) break;
      message = field->kind == Kind::kMessage ? &schema::TypeOf(*field) : nullptr;
      start = dot + 1;
    }
    if (!ok) continue;
    const schema::Field* last = route.steps[route.size - 1];
    if (last->kind == Kind::kMessage) {
      if (!IsWrapper(schema::TypeOf(*last))) {
        *error = "invalid --match '" + text + "': " + p.path_ + " is a message, not a value";
        return std::nullopt;
      }
      route.steps[route.size++] = schema::FieldByNumber(schema::TypeOf(*last), 1);  // its value
      route.through_wrapper = true;
    }
    last = route.steps[route.size - 1];
    Type last_type;
    switch (last->kind) {
      case Kind::kInt32:
      case Kind::kSint32:
      case Kind::kSfixed32:
        last_type = Type::kInt32;
        break;
      case Kind::kInt64:
      case Kind::kSint64:
      case Kind::kSfixed64:
        last_type = Type::kInt64;
        break;
      case Kind::kUint32:
      case Kind::kFixed32:
        last_type = Type::kUint32;
        break;
      case Kind::kUint64:
      case Kind::kFixed64:
        last_type = Type::kUint64;
        break;
      case Kind::kDouble:
        last_type = Type::kDouble;
        break;
      case Kind::kFloat:
        last_type = Type::kFloat;
        break;
      case Kind::kBool:
        last_type = Type::kBool;
        break;
      case Kind::kEnum:
        last_type = Type::kEnum;
        break;
      default:  // string, bytes (a message ended in a wrapper above)
        last_type = Type::kString;
    }
    if (leaf != nullptr && leaf_type != last_type) {
      *error = "invalid --match '" + text + "': " + p.path_ +
               " has different types in the selected events";
      return std::nullopt;
    }
    leaf = last;
    leaf_type = last_type;
    p.routes_.by_kind.emplace_back(event->number, route);
  }
  if (leaf == nullptr) {
    *error = "invalid --match '" + text + "': no field " + p.path_ + " in the selected event types";
    return std::nullopt;
  }
  p.type_ = leaf_type;
  p.is_string_ = leaf->kind == Kind::kString;
  const bool regex_op = p.op_ == Op::kRe || p.op_ == Op::kNotRe;
  const bool order_op =
      p.op_ == Op::kLt || p.op_ == Op::kLe || p.op_ == Op::kGt || p.op_ == Op::kGe;
  const auto fail = [&](const std::string& why) -> std::optional<Predicate> {
    *error = "invalid --match '" + text + "': " + why;
    return std::nullopt;
  };
  if (regex_op) {
    if (!p.is_string_) return fail(op + " needs a string field; " + p.path_ + " is not one");
    RegexError why;
    p.regex_ = Regex::Compile(value, &why);
    if (p.regex_) return p;
    if (why.kind == RegexError::kPattern) return fail("bad regular expression: " + why.text);
    *error = RegexLibraryMissing("--match '" + op + "'", why);
    if (advice != nullptr) *advice = kRegexLibraryAdvice;
    return std::nullopt;
  }
  switch (p.type_) {
    case Type::kString:
      if (order_op) return fail(op + " needs a number field; " + p.path_ + " is a string");
      p.text_ = value;
      break;
    case Type::kBool:
      if (order_op || (value != "true" && value != "false")) {
        return fail(p.path_ + " is true or false, compared with == or !=");
      }
      p.boolean_ = value == "true";
      break;
    case Type::kEnum: {
      // The enum of the last selected type's field, as before. The tables keep
      // one name per number; protobuf would also find an alias's other names,
      // but no enum of our schema has aliases (allow_alias).
      const schema::Enum& named = schema::EnumAt(leaf->type);
      bool found = false;
      for (const schema::EnumValue& v : named.values) {
        if (v.name == value) {
          p.signed_ = v.number;
          found = true;
          break;
        }
      }
      if (!found && !Number(value, &p.signed_)) {
        return fail("'" + value + "' is not a value of " + std::string(ShortName(named.full_name)));
      }
      break;
    }
    case Type::kUint32:
    case Type::kUint64:
      if (!Number(value, &p.unsigned_) || (p.type_ == Type::kUint32 && p.unsigned_ > UINT32_MAX)) {
        return fail("'" + value + "' is not a number " + p.path_ + " can hold");
      }
      break;
    default:
      if (!Number(value, &p.signed_) ||
          (p.type_ == Type::kInt32 && (p.signed_ < INT32_MIN || p.signed_ > INT32_MAX))) {
        return fail("'" + value + "' is not a number " + p.path_ + " can hold");
      }
  }
  return p;
}

bool Predicate::Compare(const wire::Scalar& value) const {
  const int op = int(op_);
  switch (type_) {
    case Type::kString: {
      if (op_ == Op::kRe) return regex_->PartialMatch(value.text);
      if (op_ == Op::kNotRe) return !regex_->PartialMatch(value.text);
      return Holds(value.text, std::string_view(text_), op);
    }
    case Type::kBool:
      return Holds(wire::AsUint64(value.kind, value.bits) != 0, boolean_, op);
    case Type::kEnum:
    case Type::kInt32:
    case Type::kInt64:
      return Holds<int64_t>(wire::AsInt64(value.kind, value.bits), signed_, op);
    case Type::kUint32:
    case Type::kUint64:
      return Holds<uint64_t>(wire::AsUint64(value.kind, value.bits), unsigned_, op);
    default:
      return false;  // float/double never matched (none in the schema): kept so
  }
}

bool Predicate::Matches(const Event& event, wire::Walker& walker) const {
  const bool negative = op_ == Op::kNe || op_ == Op::kNotRe;
  const wire::Path* route = nullptr;
  for (const auto& [number, path] : routes_.by_kind) {
    if (number == event.kind) {
      route = &path;
      break;
    }
  }
  if (route == nullptr) return negative;  // the event type has no such field: absent
  const wire::Scalar value = wire::FindInEvent(walker, event.data, event.size, routes_);
  if (value.present) return Compare(value);
  // A wrapper's `present` is "the wrapper and every message above it are set".
  if (route->through_wrapper) return negative;
  // Otherwise unset reads as the default, unless a message on the way is
  // unset. Only look when it changes the answer and there is such a message.
  const bool verdict = Compare(value);
  if (verdict != negative && route->size > 2 && !Reached(walker, event, *route)) return negative;
  return verdict;
}

}  // namespace tetrars
