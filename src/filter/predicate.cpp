#include "filter/predicate.h"

#include <charconv>
#include <string_view>

#include "decode/schema.h"

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

// The comparison class of a scalar field of `kind` (a message field has
// ended in its wrapper's value before this is asked).
Predicate::Type Predicate::TypeOf(schema::Kind kind) {
  switch (kind) {
    case Kind::kInt32:
    case Kind::kSint32:
    case Kind::kSfixed32:
      return Type::kInt32;
    case Kind::kInt64:
    case Kind::kSint64:
    case Kind::kSfixed64:
      return Type::kInt64;
    case Kind::kUint32:
    case Kind::kFixed32:
      return Type::kUint32;
    case Kind::kUint64:
    case Kind::kFixed64:
      return Type::kUint64;
    case Kind::kDouble:
      return Type::kDouble;
    case Kind::kFloat:
      return Type::kFloat;
    case Kind::kBool:
      return Type::kBool;
    case Kind::kEnum:
      return Type::kEnum;
    default:  // string, bytes
      return Type::kString;
  }
}

bool Predicate::ParseOp(const std::string& op) {
  static const std::pair<const char*, Op> kOps[] = {
      {"==", Op::kEq}, {"!=", Op::kNe}, {"<", Op::kLt},  {"<=", Op::kLe},
      {">", Op::kGt},  {">=", Op::kGe}, {"=~", Op::kRe}, {"!~", Op::kNotRe}};
  for (const auto& [name, code] : kOps) {
    if (op == name) {
      op_ = code;
      return true;
    }
  }
  return false;
}

// PATH from the event member `event` down to a scalar (through a wrapper's
// value): false when the type has no such path; `why` set when the path is
// there but cannot be matched (a repeated field, a message).
bool Predicate::Route(const schema::Field& event, wire::Path* route, std::string* why) const {
  route->steps[route->size++] = &event;
  const schema::Message* message = &schema::TypeOf(event);
  for (size_t start = 0;;) {
    const size_t dot = path_.find('.', start);
    const schema::Field* field =
        message == nullptr
            ? nullptr
            : schema::FieldByName(*message, std::string_view(path_).substr(start, dot - start));
    if (field != nullptr && field->Is(schema::kRepeated)) {  // maps are repeated too
      *why = std::string(field->name) + " is a repeated field: --match reads single values";
      return false;
    }
    // A wire::Path holds at most kMaxSteps; our schema nests far less (a
    // path that long names no field, as the test over all paths shows).
    if (field == nullptr || route->size + 2 > wire::Path::kMaxSteps) return false;
    route->steps[route->size++] = field;
    if (dot == std::string::npos) break;
    message = field->kind == Kind::kMessage ? &schema::TypeOf(*field) : nullptr;
    start = dot + 1;
  }
  const schema::Field* last = route->steps[route->size - 1];
  if (last->kind != Kind::kMessage) return true;
  if (!IsWrapper(schema::TypeOf(*last))) {
    *why = path_ + " is a message, not a value";
    return false;
  }
  route->steps[route->size++] = schema::FieldByNumber(schema::TypeOf(*last), 1);  // its value
  route->through_wrapper = true;
  return true;
}

// The path in every selected event type where it exists; the leaf field, or
// nothing with `why`. The first repeated field or non-wrapper message at the
// end refuses the predicate even if another type would take it, as the
// libprotobuf version did.
const schema::Field* Predicate::ResolveRoutes(const std::vector<EventKind>& types,
                                              std::string* why) {
  const schema::Field* leaf = nullptr;
  for (EventKind type : types) {
    const schema::Field* event = schema::EventType(type);
    if (event == nullptr || event->kind != Kind::kMessage) continue;
    wire::Path route;
    if (!Route(*event, &route, why)) {
      if (!why->empty()) return nullptr;
      continue;
    }
    const schema::Field* last = route.steps[route.size - 1];
    if (leaf != nullptr && type_ != TypeOf(last->kind)) {
      *why = path_ + " has different types in the selected events";
      return nullptr;
    }
    leaf = last;
    type_ = TypeOf(last->kind);
    routes_.by_kind.emplace_back(event->number, route);
  }
  if (leaf == nullptr) *why = "no field " + path_ + " in the selected event types";
  return leaf;
}

// The value to compare with, as the leaf's type reads it; "" or why not.
std::string Predicate::ParseValue(const std::string& op, const std::string& value,
                                  const schema::Field& leaf) {
  const bool order_op = op_ == Op::kLt || op_ == Op::kLe || op_ == Op::kGt || op_ == Op::kGe;
  switch (type_) {
    case Type::kString:
      if (order_op) return op + " needs a number field; " + path_ + " is a string";
      text_ = value;
      return "";
    case Type::kBool:
      if (order_op || (value != "true" && value != "false")) {
        return path_ + " is true or false, compared with == or !=";
      }
      boolean_ = value == "true";
      return "";
    case Type::kEnum:
      return ParseEnumValue(value, leaf);
    case Type::kUint32:
    case Type::kUint64:
      if (!Number(value, &unsigned_) || (type_ == Type::kUint32 && unsigned_ > UINT32_MAX)) {
        return "'" + value + "' is not a number " + path_ + " can hold";
      }
      return "";
    default:
      if (!Number(value, &signed_) ||
          (type_ == Type::kInt32 && (signed_ < INT32_MIN || signed_ > INT32_MAX))) {
        return "'" + value + "' is not a number " + path_ + " can hold";
      }
      return "";
  }
}

// An enum value by name or number. The enum of the last selected type's
// field, as before. The tables keep one name per number; protobuf would also
// find an alias's other names, but no enum of our schema has aliases.
std::string Predicate::ParseEnumValue(const std::string& value, const schema::Field& leaf) {
  const schema::Enum& named = schema::EnumAt(leaf.type);
  for (const schema::EnumValue& v : named.values) {
    if (v.name == value) {
      signed_ = v.number;
      return "";
    }
  }
  if (Number(value, &signed_)) return "";
  return "'" + value + "' is not a value of " + std::string(ShortName(named.full_name));
}

std::optional<Predicate> Predicate::Parse(const std::string& text,
                                          const std::vector<EventKind>& types, std::string* error,
                                          std::string* advice) {
  const auto fail = [&](const std::string& why) -> std::optional<Predicate> {
    *error = "invalid --match '" + text + "': " + why;
    return std::nullopt;
  };
  const size_t first_space = text.find(' ');
  const size_t op_end =
      first_space == std::string::npos ? std::string::npos : text.find(' ', first_space + 1);
  if (op_end == std::string::npos) return fail("expected 'PATH OP VALUE'");
  Predicate p;
  p.path_ = text.substr(0, first_space);
  const std::string op = text.substr(first_space + 1, op_end - first_space - 1);
  const std::string value = text.substr(op_end + 1);
  if (!p.ParseOp(op)) return fail("unknown operator '" + op + "' (use == != < <= > >= =~ !~)");
  std::string why;
  const schema::Field* leaf = p.ResolveRoutes(types, &why);
  if (leaf == nullptr) return fail(why);
  p.is_string_ = leaf->kind == Kind::kString;
  if (p.op_ != Op::kRe && p.op_ != Op::kNotRe) {
    why = p.ParseValue(op, value, *leaf);
    if (!why.empty()) return fail(why);
    return p;
  }
  if (!p.is_string_) return fail(op + " needs a string field; " + p.path_ + " is not one");
  RegexError regex_error;
  p.regex_ = Regex::Compile(value, &regex_error);
  if (p.regex_) return p;
  if (regex_error.kind == RegexError::kPattern) {
    return fail("bad regular expression: " + regex_error.text);
  }
  *error = RegexLibraryMissing("--match '" + op + "'", regex_error);
  if (advice != nullptr) *advice = kRegexLibraryAdvice;
  return std::nullopt;
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
