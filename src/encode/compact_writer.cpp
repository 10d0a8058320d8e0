// See compact_writer.h. Mirrors the libprotobuf-based writer it replaced
// (tests/reference/compact_reference.cpp) step by step: where that one called
// a generated accessor, this one reads the walker's index of the message.
#include "encode/compact_writer.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iterator>

#include "base/escaped_text.h"
#include "base/utf8.h"
#include "decode/schema.h"
#include "encode/line_limit.h"

namespace tetrars {
namespace {

using schema::Field;
using wire::Walker;

constexpr char kHex[] = "0123456789abcdef";

// How an event kind is printed.
enum class Shape : uint8_t {
  kExec,       // process, then its arguments
  kExit,       // process, its arguments, then the signal or the status
  kLoader,     // process, the build id in hex (if any) and the path
  kHook,       // process, then the event's `texts`
  kThrottle,   // START/STOP and the cgroup
  kRateLimit,  // the number of dropped events
  kTest,
};

struct FormSpec {
  std::string_view member;  // in GetEventsResponse's `event` oneof
  Shape shape;
  std::string_view emoji;
  std::string_view kind;
  std::string_view texts[3];  // the event's fields printed, by name
};

// tetra's forms, one per member of the `event` oneof.
constexpr FormSpec kForms[] = {
    {"process_exec", Shape::kExec, "🚀", "process", {}},
    {"process_exit", Shape::kExit, "💥", "exit", {}},
    {"process_throttle", Shape::kThrottle, "🧬", "throttle", {}},
    {"process_loader", Shape::kLoader, "🧬", "loader", {}},
    // tetra's form for a hook it has no special form for.
    {"process_kprobe", Shape::kHook, "❓", "syscall", {"function_name"}},
    {"process_tracepoint", Shape::kHook, "⁉️", "tracepoint", {"subsys", "event"}},
    {"process_uprobe", Shape::kHook, "🕵️", "uprobe", {"path", "symbol"}},
    {"process_lsm", Shape::kHook, "🔒", "LSM", {"function_name"}},
    {"process_usdt", Shape::kHook, "🕵️", "usdt", {"path", "provider", "name"}},
    {"rate_limit_info", Shape::kRateLimit, "🧬", "rate_limit", {}},
    {"test", Shape::kTest, "", "", {}},
};
constexpr size_t kFormCount = std::size(kForms);

struct Form {
  const FormSpec* spec = nullptr;
  const Field* member = nullptr;   // in GetEventsResponse
  const Field* process = nullptr;  // in the member's message (the subject process)
  const Field* texts[3] = {};      // kHook
  // Of the member's message, by shape: kExit signal, status; kLoader buildid,
  // path; kThrottle type, cgroup; kRateLimit number_of_dropped_process_events.
  const Field* first = nullptr;
  const Field* second = nullptr;
};

// The fields the writer reads, resolved by name once.
struct Fields {
  const Field* node_name;
  const Field* time;
  const Field* seconds;  // google.protobuf.Timestamp
  const Field* nanos;
  const Field* binary;  // tetragon.Process
  const Field* arguments;
  const Field* pod;
  const Field* cap;
  const Field* pod_namespace;  // tetragon.Pod
  const Field* pod_name;
  const Field* effective;  // tetragon.Capabilities
  int32_t cap_sys_admin;
  int32_t throttle_start;
  int32_t throttle_stop;
  Form forms[kFormCount];
};

[[noreturn]] void SchemaMismatch(std::string_view what) {
  // The schema is ours and compiled in: only a change to proto/ gets here,
  // and the tests catch it.
  fprintf(stderr, "tetrars: compact writer: the schema lacks %.*s\n", int(what.size()),
          what.data());
  std::abort();
}

const Field* Need(const schema::Message& message, std::string_view name) {
  const Field* field = schema::FieldByName(message, name);
  if (field == nullptr) SchemaMismatch(name);
  return field;
}

int32_t EnumNumber(const Field& field, std::string_view name) {
  for (const schema::EnumValue& value : schema::EnumAt(field.type).values) {
    if (value.name == name) return value.number;
  }
  SchemaMismatch(name);
}

Fields Resolve() {
  Fields f{};
  const schema::Message& top = schema::EventsResponse();
  f.node_name = Need(top, "node_name");
  f.time = Need(top, "time");
  f.seconds = Need(schema::TypeOf(*f.time), "seconds");
  f.nanos = Need(schema::TypeOf(*f.time), "nanos");
  for (size_t i = 0; i < kFormCount; ++i) {
    const FormSpec& spec = kForms[i];
    Form& form = f.forms[i];
    form.spec = &spec;
    form.member = Need(top, spec.member);
    const schema::Message& type = schema::TypeOf(*form.member);
    switch (spec.shape) {
      case Shape::kExit:
        form.first = Need(type, "signal");
        form.second = Need(type, "status");
        break;
      case Shape::kLoader:
        form.first = Need(type, "buildid");
        form.second = Need(type, "path");
        break;
      case Shape::kThrottle:
        form.first = Need(type, "type");
        form.second = Need(type, "cgroup");
        break;
      case Shape::kRateLimit:
        form.first = Need(type, "number_of_dropped_process_events");
        break;
      case Shape::kHook:
        for (size_t t = 0; t < std::size(spec.texts) && !spec.texts[t].empty(); ++t) {
          form.texts[t] = Need(type, spec.texts[t]);
        }
        break;
      case Shape::kExec:
      case Shape::kTest:
        break;
    }
    if (spec.shape != Shape::kThrottle && spec.shape != Shape::kRateLimit &&
        spec.shape != Shape::kTest) {
      form.process = Need(type, "process");
    }
    if (spec.shape == Shape::kThrottle) {
      f.throttle_start = EnumNumber(*form.first, "THROTTLE_START");
      f.throttle_stop = EnumNumber(*form.first, "THROTTLE_STOP");
    }
  }
  const schema::Message& process = schema::TypeOf(*f.forms[0].process);
  f.binary = Need(process, "binary");
  f.arguments = Need(process, "arguments");
  f.pod = Need(process, "pod");
  f.cap = Need(process, "cap");
  f.pod_namespace = Need(schema::TypeOf(*f.pod), "namespace");
  f.pod_name = Need(schema::TypeOf(*f.pod), "name");
  f.effective = Need(schema::TypeOf(*f.cap), "effective");
  f.cap_sys_admin = EnumNumber(*f.effective, "CAP_SYS_ADMIN");
  return f;
}

const Fields& Resolved() {
  static const Fields fields = Resolve();
  return fields;
}

const Form* FormOf(EventKind kind) {
  for (const Form& form : Resolved().forms) {
    if (form.member->number == kind) return &form;
  }
  return nullptr;
}

// tetra's CapTrailorPrinter: the capability in a column ending at 120 bytes,
// as Go's "%s %*s" pads it (the width counts characters: the 🛑 is one).
void AppendCapsTrailer(size_t line_size, std::string& out) {
  static constexpr std::string_view kCaps = "🛑 CAP_SYS_ADMIN";
  constexpr size_t kCapsCharacters = 15;
  const size_t width = line_size < 120 ? 120 - line_size : 0;
  out += ' ';
  if (width > kCapsCharacters) out.append(width - kCapsCharacters, ' ');
  out += kCaps;
}

// Pads like Go's "%-7s".
void AppendKind(std::string_view emoji, std::string_view kind, std::string& out) {
  out += emoji;
  out += ' ';
  out += kind;
  if (kind.size() < 7) out.append(7 - kind.size(), ' ');
}

}  // namespace

std::string_view CompactWriter::Text(const Walker::Index& index, const Field& field) const {
  const wire::Slot& slot = walker_.slot(index, field);
  if (slot.last == wire::kNone || !walker_.Selected(index, field)) return {};
  const wire::Occurrence& o = walker_.occurrence(slot.last);
  return {reinterpret_cast<const char*>(o.data), size_t(o.bits)};
}

uint64_t CompactWriter::Bits(const Walker::Index& index, const Field& field) const {
  const wire::Slot& slot = walker_.slot(index, field);
  if (slot.last == wire::kNone || !walker_.Selected(index, field)) return 0;
  return walker_.occurrence(slot.last).bits;
}

bool CompactWriter::Has(const Walker::Index& index, const Field& field) const {
  return walker_.slot(index, field).first != wire::kNone && walker_.Selected(index, field);
}

// The message field `field` (its occurrences merged), indexed; empty when absent.
Walker::Index CompactWriter::Open(const Walker::Index& index, const Field& field) {
  const wire::Slot slot = Has(index, field) ? walker_.slot(index, field) : wire::Slot{};
  return walker_.Build(schema::TypeOf(field), walker_.Spans(slot));
}

// The event time as tetra's --timestamps prints it: always nine digits.
void CompactWriter::AppendTime(const Walker::Index& top, std::string& out) {
  const Fields& f = Resolved();
  const Walker::Index time = Open(top, *f.time);
  const int64_t seconds = wire::AsInt64(f.seconds->kind, Bits(time, *f.seconds));
  const int32_t nanos = int32_t(wire::AsInt64(f.nanos->kind, Bits(time, *f.nanos)));
  const time_t t = time_t(seconds);
  tm utc{};
  char text[64] = "0000-00-00T00:00:00";
  if (gmtime_r(&t, &utc) != nullptr) strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char fraction[16];
  snprintf(fraction, sizeof fraction, ".%09dZ", std::clamp(nanos, 0, 999999999));
  out += text;
  out += fraction;
}

// "<kind> <node or namespace/pod> <binary>", as tetra prints them, and
// whether the process holds CAP_SYS_ADMIN.
void CompactWriter::WithProcess(std::string_view emoji, std::string_view kind,
                                std::string_view node, const Walker::Index& process) {
  const Fields& f = Resolved();
  AppendKind(emoji, kind, head_);
  head_ += ' ';
  if (Has(process, *f.pod)) {
    const Walker::Index pod = Open(process, *f.pod);
    scratch_.assign(Text(pod, *f.pod_namespace));
    scratch_ += '/';
    scratch_ += Text(pod, *f.pod_name);
    AppendEscapedText(scratch_, head_);
  } else {
    AppendEscapedText(node, head_);
  }
  head_ += ' ';
  AppendEscapedText(Text(process, *f.binary), head_);

  // Any element of the effective set (packed or not) that is CAP_SYS_ADMIN.
  const Walker::Index cap = Open(process, *f.cap);
  const wire::Slot effective = walker_.slot(cap, *f.effective);
  const schema::Kind enum_kind = f.effective->kind;
  for (uint32_t i = effective.first; i != wire::kNone && !sys_admin_;
       i = walker_.occurrence(i).next) {
    const wire::Occurrence& o = walker_.occurrence(i);
    if (o.wire_type != 2) {
      sys_admin_ = wire::AsInt64(enum_kind, o.bits) == f.cap_sys_admin;
      continue;
    }
    const uint8_t* p = o.data;
    const uint8_t* const end = p + o.bits;
    uint64_t bits;
    while (!sys_admin_ && p < end && wire::ReadVarint(p, end, &bits)) {
      sys_admin_ = wire::AsInt64(enum_kind, bits) == f.cap_sys_admin;
    }
  }
}

void CompactWriter::Describe(const Event& event, const Walker::Index& top) {
  const Fields& f = Resolved();
  const Form* form = FormOf(event.kind);
  if (form == nullptr || !Has(top, *form->member)) {
    head_ = "(event without a kind)";
    return;
  }
  const FormSpec& spec = *form->spec;
  const std::string_view node = Text(top, *f.node_name);
  const Walker::Index body = Open(top, *form->member);
  const auto with_process = [&]() -> Walker::Index {
    const Walker::Index process = Open(body, *form->process);
    WithProcess(spec.emoji, spec.kind, node, process);
    return process;
  };
  switch (spec.shape) {
    case Shape::kExec:
      AppendArguments(with_process());
      break;
    case Shape::kExit:
      AppendArguments(with_process());
      AppendExitStatus(body, *form->first, *form->second);
      break;
    case Shape::kThrottle:
      AppendKind(spec.emoji, spec.kind, head_);
      AppendThrottle(body, *form->first, *form->second);
      break;
    case Shape::kLoader:
      with_process();
      AppendLoaded(body, *form->first, *form->second);
      break;
    case Shape::kHook:
      with_process();
      AppendHookTexts(body, form->texts);
      break;
    case Shape::kRateLimit:
      AppendKind(spec.emoji, spec.kind, head_);
      head_ += " dropped ";
      head_ += std::to_string(wire::AsUint64(form->first->kind, Bits(body, *form->first)));
      head_ += " events";
      break;
    case Shape::kTest:
      head_ = "TEST EVENT";
      break;
  }
}

void CompactWriter::AppendArguments(const Walker::Index& process) {
  args_ += ' ';
  AppendEscapedText(Text(process, *Resolved().arguments), args_);
}

// The signal's name if the process died of one, else its exit status.
void CompactWriter::AppendExitStatus(const Walker::Index& exit, const Field& signal,
                                     const Field& status) {
  tail_ += ' ';
  const std::string_view name = Text(exit, signal);
  if (name.empty()) {
    tail_ += std::to_string(uint32_t(wire::AsUint64(status.kind, Bits(exit, status))));
  } else {
    AppendEscapedText(name, tail_);
  }
}

// START or STOP (padded to one width), then the cgroup.
void CompactWriter::AppendThrottle(const Walker::Index& throttle, const Field& type,
                                   const Field& cgroup) {
  const Fields& f = Resolved();
  const int64_t number = wire::AsInt64(type.kind, Bits(throttle, type));
  head_ += ' ';
  head_ += number == f.throttle_start ? "START" : number == f.throttle_stop ? "STOP " : "";
  head_ += ' ';
  AppendEscapedText(Text(throttle, cgroup), head_);
}

// The build id in hex (and a space) if there is one, then the path loaded.
void CompactWriter::AppendLoaded(const Walker::Index& loader, const Field& buildid,
                                 const Field& path) {
  args_ += ' ';
  const std::string_view id = Text(loader, buildid);
  for (const char c : id) {
    args_ += kHex[uint8_t(c) >> 4];
    args_ += kHex[uint8_t(c) & 15];
  }
  if (!id.empty()) args_ += ' ';
  AppendEscapedText(Text(loader, path), args_);
}

// The hook's `texts` (up to the first null), each after a space.
void CompactWriter::AppendHookTexts(const Walker::Index& hook,
                                    std::span<const Field* const> texts) {
  for (const Field* text : texts) {
    if (text == nullptr) break;
    args_ += ' ';
    AppendEscapedText(Text(hook, *text), args_);
  }
}

bool CompactWriter::Append(const Event& event, bool timestamps, size_t budget, std::string& out) {
  head_.clear();
  args_.clear();
  tail_.clear();
  sys_admin_ = false;
  const Walker::Mark arena = walker_.Save();
  const wire::Span whole{event.data, event.size};
  const Walker::Index top = walker_.Build(schema::EventsResponse(), std::span(&whole, 1));
  Describe(event, top);
  if (sys_admin_) AppendCapsTrailer(head_.size() + args_.size() + tail_.size(), tail_);
  if (timestamps) {
    scratch_.clear();
    AppendTime(top, scratch_);
    scratch_ += ' ';
    head_.insert(0, scratch_);
  }
  walker_.Restore(arena);

  const auto size = [&] { return head_.size() + args_.size() + tail_.size(); };
  bool truncated = false;
  if (budget > 0 && size() > budget) {
    truncated = true;
    // The arguments go first: keep what fits of them, marked.
    const size_t others = head_.size() + tail_.size();
    const size_t removable = args_.size();
    if (others + MarkerSize(removable) + 1 <= budget) {
      const size_t keep = SafeCut(args_, budget - others - MarkerSize(removable));
      args_.resize(keep);
      args_ += TruncationMarker(removable - keep);
    } else {
      // Even without arguments it does not fit (a huge path): cut the line.
      head_ += args_;
      head_ += tail_;
      const size_t marker = MarkerSize(head_.size());
      const size_t keep = SafeCut(head_, budget > marker ? budget - marker : 0);
      const size_t removed = head_.size() - keep;
      head_.resize(keep);
      head_ += TruncationMarker(removed);
      args_.clear();
      tail_.clear();
    }
  }
  out += head_;
  out += args_;
  out += tail_;
  return truncated;
}

}  // namespace tetrars
