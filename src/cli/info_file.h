// The agent's info file (/var/run/tetragon/tetragon-info.json): tetra reads
// the agent's server_address there when --server-address is not given, and
// so does tetrars.
//
// Contract: only a regular file of at most kMaxInfoFileBytes is read (opened
// O_NONBLOCK, so a FIFO put there cannot hang the start; a directory or
// /dev/zero is refused, not read).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace tetrars {

// Written by the agent. The environment variable TETRARS_TETRAGON_INFO names
// another file (for tests).
inline constexpr const char* kTetragonInfoFile = "/var/run/tetragon/tetragon-info.json";

// The agent's info file is a few hundred bytes of JSON.
inline constexpr size_t kMaxInfoFileBytes = 64 * 1024;

// The server_address of the agent's info file; nothing with an empty
// `error` when the file does not exist, nothing with `error` when it is bad.
std::optional<std::string> ServerAddressFromInfoFile(const std::string& path, std::string* error);

}  // namespace tetrars
