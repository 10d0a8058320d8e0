#include "cli/info_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/json_reader.h"

namespace tetrars {
namespace {

// Reads at most `limit` bytes of a regular file; nothing with `error` set
// when it is not one, is larger, or cannot be read; nothing with `error`
// empty when it does not exist.
std::optional<std::string> ReadSmallRegularFile(const std::string& path, size_t limit,
                                                std::string* error) {
  // O_NONBLOCK: a FIFO put there must not hang the start.
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno != ENOENT && errno != ENOTDIR)
      *error = "cannot open " + path + ": " + strerror(errno);
    return std::nullopt;
  }
  std::string text;
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    *error = "cannot read " + path + ": " + strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    *error = path + " is not a regular file";
  } else if (size_t(st.st_size) > limit) {
    *error = path + " has " + std::to_string(st.st_size) + " bytes, more than the " +
             std::to_string(limit) + " an agent info file can have";
  } else {
    text.resize(limit + 1);
    size_t got = 0;
    while (got < text.size()) {
      const ssize_t n = read(fd, text.data() + got, text.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        *error = "cannot read " + path + ": " + strerror(errno);
        break;
      }
      if (n == 0) break;
      got += size_t(n);
    }
    if (error->empty() && got > limit) {
      *error = path + " is larger than the " + std::to_string(limit) +
               " bytes an agent info file can have";
    }
    text.resize(got);
  }
  close(fd);
  if (!error->empty()) return std::nullopt;
  return text;
}

}  // namespace

std::optional<std::string> ServerAddressFromInfoFile(const std::string& path, std::string* error) {
  error->clear();
  const auto text = ReadSmallRegularFile(path, kMaxInfoFileBytes, error);
  if (!text) return std::nullopt;  // no agent info (error empty): the default address
  bool valid = false;
  std::optional<std::string> address = JsonObjectString(*text, "server_address", &valid);
  if (!valid) {
    *error = "cannot read " + path + " as JSON";
    return std::nullopt;
  }
  if (!address || address->empty()) {
    *error = path + " has no server_address";
    return std::nullopt;
  }
  return address;
}

}  // namespace tetrars
