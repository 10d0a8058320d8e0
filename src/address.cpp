#include "address.h"

#include <algorithm>
#include <cctype>

#include "diagnostics.h"
#include "utf8.h"

namespace tetrars {

std::string Address::Authority() const {
  if (is_unix) return "localhost";  // what grpc-go sends for unix targets
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
  return host + ":" + port;
}

std::optional<Address> ParseAddress(const std::string& text, std::string* error) {
  Address address;
  address.original = text;
  const auto fail = [&](const std::string& why) -> std::optional<Address> {
    *error = "invalid --server-address '" + Quoted(text) + "': " + why +
             ": use unix:///path/to/socket or host:port";
    return std::nullopt;
  };
  // The address is in every connection line, and may come from the agent's
  // info file: one that would have to be escaped there is refused instead.
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return uint8_t(c) < 0x20 || uint8_t(c) == 0x7f; }) ||
      !IsValidUtf8(text)) {
    return fail("it holds control characters or bytes that are not UTF-8");
  }
  if (text.rfind("unix:", 0) == 0) {
    std::string path = text.substr(5);
    if (path.rfind("//", 0) == 0) {
      path = path.substr(2);  // unix://ABSOLUTE: the path keeps its own leading '/'
      if (path.empty() || path[0] != '/')
        return fail("unix:// must be followed by an absolute path");
    }
    if (path.empty()) return fail("the socket path is empty");
    // The kernel's limit (sizeof sockaddr_un::sun_path, less the NUL): a longer
    // path can never connect, so it is a usage error, not something to retry.
    if (path.size() > kMaxUnixPathBytes) {
      return fail("the socket path has " + std::to_string(path.size()) + " bytes, more than the " +
                  std::to_string(kMaxUnixPathBytes) + " a unix socket address holds");
    }
    address.path = path;
    return address;
  }
  if (text.find("://") != std::string::npos) return fail("unsupported scheme");
  address.is_unix = false;
  std::string host;
  std::string port;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return fail("expected [address]:port");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos) return fail("missing :port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string::npos) return fail("put an IPv6 address in brackets");
  }
  if (host.empty()) return fail("missing host");
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }) ||
      std::stoi(port) == 0 || std::stoi(port) > 65535) {
    return fail("port must be a number from 1 to 65535");
  }
  address.host = host;
  address.port = port;
  return address;
}

}  // namespace tetrars
