// Verbatim copy of src/encode/compact_writer.cpp at commit 69ff717 (see
// compact_reference.h); only the include and the namespace differ.
#include "compact_reference.h"

#include <algorithm>
#include <cstdint>
#include <ctime>

#include "base/utf8.h"
#include "encode/line_limit.h"

namespace reference {

using tetrars::MarkerSize;
using tetrars::SafeCut;
using tetrars::TruncationMarker;
using tetrars::ValidUtf8Length;
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendByteEscape(uint8_t c, std::string& out) {
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

std::string Escaped(std::string_view text) {
  std::string out;
  AppendEscapedText(text, out);
  return out;
}

// "<node>" or "<namespace>/<pod>", then the binary, as tetra prints them.
std::string ProcessInfo(const std::string& node, const tetragon::Process& process) {
  std::string source =
      process.has_pod() ? process.pod().namespace_() + "/" + process.pod().name() : node;
  return Escaped(source) + " " + Escaped(process.binary());
}

bool HoldsSysAdmin(const tetragon::Process& process) {
  const auto& effective = process.cap().effective();
  return std::find(effective.begin(), effective.end(), tetragon::CAP_SYS_ADMIN) != effective.end();
}

// The event time as tetra's --timestamps prints it: always nine digits.
std::string TimeText(const tetragon::GetEventsResponse& event) {
  const int64_t seconds = event.time().seconds();
  const time_t t = time_t(seconds);
  tm utc{};
  char text[64] = "0000-00-00T00:00:00";
  if (gmtime_r(&t, &utc) != nullptr) strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char nanos[16];
  snprintf(nanos, sizeof nanos, ".%09dZ", std::clamp(event.time().nanos(), 0, 999999999));
  return std::string(text) + nanos;
}

struct Parts {
  std::string head;  // emoji, kind, process
  std::string args;  // escaped arguments (shortened first)
  std::string tail;  // status, hook
  bool sys_admin = false;
};

// tetra's CapTrailorPrinter: the capability in a column ending at 120 bytes,
// as Go's "%s %*s" pads it (the width counts characters: the 🛑 is one).
std::string CapsTrailer(size_t line_size) {
  static constexpr std::string_view kCaps = "🛑 CAP_SYS_ADMIN";
  constexpr size_t kCapsCharacters = 15;
  const size_t width = line_size < 120 ? 120 - line_size : 0;
  std::string trailer = " ";
  if (width > kCapsCharacters) trailer.append(width - kCapsCharacters, ' ');
  trailer += kCaps;
  return trailer;
}

// Pads like Go's "%-7s".
std::string Kind(const char* emoji, std::string_view kind) {
  std::string text = std::string(emoji) + " " + std::string(kind);
  if (kind.size() < 7) text.append(7 - kind.size(), ' ');
  return text;
}

Parts Describe(const tetragon::GetEventsResponse& event) {
  Parts parts;
  const std::string& node = event.node_name();
  const auto with_process = [&](const char* emoji, std::string_view kind,
                                const tetragon::Process& process) {
    parts.head = Kind(emoji, kind) + " " + ProcessInfo(node, process);
    parts.sys_admin = HoldsSysAdmin(process);
  };
  switch (event.event_case()) {
    case tetragon::GetEventsResponse::kProcessExec: {
      const auto& process = event.process_exec().process();
      with_process("🚀", "process", process);
      parts.args = " " + Escaped(process.arguments());
      break;
    }
    case tetragon::GetEventsResponse::kProcessExit: {
      const auto& exit = event.process_exit();
      with_process("💥", "exit", exit.process());
      parts.args = " " + Escaped(exit.process().arguments());
      parts.tail.insert(0, " " + (exit.signal().empty() ? std::to_string(exit.status())
                                                        : Escaped(exit.signal())));
      break;
    }
    case tetragon::GetEventsResponse::kProcessThrottle: {
      const auto& throttle = event.process_throttle();
      const char* type = throttle.type() == tetragon::THROTTLE_START  ? "START"
                         : throttle.type() == tetragon::THROTTLE_STOP ? "STOP "
                                                                      : "";
      parts.head = Kind("🧬", "throttle") + " " + type + " " + Escaped(throttle.cgroup());
      break;
    }
    case tetragon::GetEventsResponse::kProcessLoader: {
      const auto& loader = event.process_loader();
      with_process("🧬", "loader", loader.process());
      std::string buildid;
      for (unsigned char c : loader.buildid()) {
        buildid += kHex[c >> 4];
        buildid += kHex[c & 15];
      }
      parts.args = " " + (buildid.empty() ? "" : buildid + " ") + Escaped(loader.path());
      break;
    }
    case tetragon::GetEventsResponse::kProcessKprobe:
      // tetra's form for a hook it has no special form for.
      with_process("❓", "syscall", event.process_kprobe().process());
      parts.args = " " + Escaped(event.process_kprobe().function_name());
      break;
    case tetragon::GetEventsResponse::kProcessTracepoint: {
      const auto& tp = event.process_tracepoint();
      with_process("⁉️", "tracepoint", tp.process());
      parts.args = " " + Escaped(tp.subsys()) + " " + Escaped(tp.event());
      break;
    }
    case tetragon::GetEventsResponse::kProcessUprobe: {
      const auto& uprobe = event.process_uprobe();
      with_process("🕵️", "uprobe", uprobe.process());
      parts.args = " " + Escaped(uprobe.path()) + " " + Escaped(uprobe.symbol());
      break;
    }
    case tetragon::GetEventsResponse::kProcessLsm:
      with_process("🔒", "LSM", event.process_lsm().process());
      parts.args = " " + Escaped(event.process_lsm().function_name());
      break;
    case tetragon::GetEventsResponse::kProcessUsdt: {
      const auto& usdt = event.process_usdt();
      with_process("🕵️", "usdt", usdt.process());
      parts.args =
          " " + Escaped(usdt.path()) + " " + Escaped(usdt.provider()) + " " + Escaped(usdt.name());
      break;
    }
    case tetragon::GetEventsResponse::kRateLimitInfo:
      parts.head = Kind("🧬", "rate_limit") + " dropped " +
                   std::to_string(event.rate_limit_info().number_of_dropped_process_events()) +
                   " events";
      break;
    case tetragon::GetEventsResponse::kTest:
      parts.head = "TEST EVENT";
      break;
    case tetragon::GetEventsResponse::EVENT_NOT_SET:
      parts.head = "(event without a kind)";
      break;
  }
  return parts;
}

}  // namespace

void AppendEscapedText(std::string_view text, std::string& out) {
  size_t plain_from = 0;
  for (size_t i = 0; i < text.size();) {
    const uint8_t c = uint8_t(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      ++i;
      continue;
    }
    size_t length = 1;
    if (c >= 0x80) {
      length = ValidUtf8Length(text, i);
      const bool c1 = length == 2 && c == 0xC2 && uint8_t(text[i + 1]) < 0xA0;
      const bool separator = length == 3 && c == 0xE2 && uint8_t(text[i + 1]) == 0x80 &&
                             (uint8_t(text[i + 2]) == 0xA8 || uint8_t(text[i + 2]) == 0xA9);
      if (length > 0 && !c1 && !separator) {
        i += length;  // printable UTF-8
        continue;
      }
      out.append(text.substr(plain_from, i - plain_from));
      if (length == 0) {
        AppendByteEscape(c, out);  // not UTF-8
        length = 1;
      } else {
        const unsigned code = c1 ? uint8_t(text[i + 1]) : 0x2028 + (uint8_t(text[i + 2]) - 0xA8);
        out += "\\u";
        for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(code >> shift) & 15];
      }
      i += length;
      plain_from = i;
      continue;
    }
    out.append(text.substr(plain_from, i - plain_from));
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        AppendByteEscape(c, out);
    }
    plain_from = ++i;
  }
  out.append(text.substr(plain_from));
}

bool AppendCompactLine(const tetragon::GetEventsResponse& event, bool timestamps, size_t budget,
                       std::string& out) {
  Parts parts = Describe(event);
  if (parts.sys_admin) {
    parts.tail += CapsTrailer(parts.head.size() + parts.args.size() + parts.tail.size());
  }
  if (timestamps) parts.head.insert(0, TimeText(event) + " ");
  const auto size = [&] { return parts.head.size() + parts.args.size() + parts.tail.size(); };
  bool truncated = false;
  if (budget > 0 && size() > budget) {
    truncated = true;
    // The arguments go first: keep what fits of them, marked.
    const size_t others = parts.head.size() + parts.tail.size();
    const size_t removable = parts.args.size();
    if (others + MarkerSize(removable) + 1 <= budget) {
      const size_t keep = SafeCut(parts.args, budget - others - MarkerSize(removable));
      parts.args = parts.args.substr(0, keep) + TruncationMarker(removable - keep);
    } else {
      // Even without arguments it does not fit (a huge path): cut the line.
      std::string line = parts.head + parts.args + parts.tail;
      const size_t marker = MarkerSize(line.size());
      const size_t keep = SafeCut(line, budget > marker ? budget - marker : 0);
      parts = Parts{line.substr(0, keep) + TruncationMarker(line.size() - keep), "", ""};
    }
  }
  out += parts.head;
  out += parts.args;
  out += parts.tail;
  return truncated;
}

}  // namespace reference
