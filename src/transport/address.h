// Where the agent listens, parsed from --server-address (tetra's syntax).
//   unix:///abs/path   unix:/abs/path   unix:relative/path   -> a unix socket
//   host:port   [v6addr]:port                              -> TCP
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace tetrars {

// The longest unix socket path connect() takes (108-byte sun_path, less the NUL).
inline constexpr size_t kMaxUnixPathBytes = 107;

struct Address {
  bool is_unix = true;
  std::string path;  // unix socket path
  std::string host;  // TCP host name or address (no brackets)
  std::string port;  // TCP port, digits only
  std::string original;

  // Value of the HTTP/2 :authority header for this address.
  std::string Authority() const;
};

// Returns the address, or nothing with a one-line reason in `error`.
std::optional<Address> ParseAddress(const std::string& text, std::string* error);

}  // namespace tetrars
