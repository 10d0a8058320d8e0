#include "transport/address.h"

#include <algorithm>
#include <cctype>

#include "base/diagnostics.h"
#include "base/utf8.h"

namespace tetrars {

std::string Address::Authority() const {
  if (is_unix) return "localhost";  // what grpc-go sends for unix targets
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
  return host + ":" + port;
}

namespace {

// The address is in every connection line, and may come from the agent's
// info file: one that would have to be escaped there is refused instead.
bool IsPlainText(const std::string& text) {
  return std::none_of(text.begin(), text.end(),
                      [](char c) { return uint8_t(c) < 0x20 || uint8_t(c) == 0x7f; }) &&
         IsValidUtf8(text);
}

// The socket path of "unix:<rest>" into `path`; why there is none, or "".
std::string ParseUnixPath(std::string rest, std::string* path) {
  if (rest.rfind("//", 0) == 0) {
    rest = rest.substr(2);  // unix://ABSOLUTE: the path keeps its own leading '/'
    if (rest.empty() || rest[0] != '/') return "unix:// must be followed by an absolute path";
  }
  if (rest.empty()) return "the socket path is empty";
  // The kernel's limit (sizeof sockaddr_un::sun_path, less the NUL): a longer
  // path can never connect, so it is a usage error, not something to retry.
  if (rest.size() > kMaxUnixPathBytes) {
    return "the socket path has " + std::to_string(rest.size()) + " bytes, more than the " +
           std::to_string(kMaxUnixPathBytes) + " a unix socket address holds";
  }
  *path = rest;
  return {};
}

// "host:port" or "[v6address]:port" cut in two; why it is neither, or "".
std::string SplitHostPort(const std::string& text, std::string* host, std::string* port) {
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return "expected [address]:port";
    }
    *host = text.substr(1, close - 1);
    *port = text.substr(close + 2);
    return {};
  }
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return "missing :port";
  *host = text.substr(0, colon);
  *port = text.substr(colon + 1);
  if (host->find(':') != std::string::npos) return "put an IPv6 address in brackets";
  return {};
}

// 1 to 65535 in decimal digits (up to five, so stoi cannot overflow).
bool IsPort(const std::string& port) {
  return !port.empty() && port.size() <= 5 &&
         std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }) &&
         std::stoi(port) != 0 && std::stoi(port) <= 65535;
}

// The host and port of a TCP address into `address`; why not, or "".
std::string ParseHostPort(const std::string& text, Address* address) {
  std::string host;
  std::string port;
  if (std::string why = SplitHostPort(text, &host, &port); !why.empty()) return why;
  if (host.empty()) return "missing host";
  if (!IsPort(port)) return "port must be a number from 1 to 65535";
  address->is_unix = false;
  address->host = host;
  address->port = port;
  return {};
}

}  // namespace

std::optional<Address> ParseAddress(const std::string& text, std::string* error) {
  Address address;
  address.original = text;
  std::string why;
  if (!IsPlainText(text)) {
    why = "it holds control characters or bytes that are not UTF-8";
  } else if (text.rfind("unix:", 0) == 0) {
    why = ParseUnixPath(text.substr(5), &address.path);
  } else if (text.find("://") != std::string::npos) {
    why = "unsupported scheme";
  } else {
    why = ParseHostPort(text, &address);
  }
  if (why.empty()) return address;
  *error = "invalid --server-address '" + Quoted(text) + "': " + why +
           ": use unix:///path/to/socket or host:port";
  return std::nullopt;
}

}  // namespace tetrars
