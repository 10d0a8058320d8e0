#include "request_log.h"

#include <fcntl.h>
#include <google/protobuf/util/json_util.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "tetragon/events.pb.h"

namespace fake_agent {

bool RequestLog::Open(const std::string& path, std::string* error) {
  if (path.empty()) return true;
  fd_ = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) *error = "cannot open --request-log " + path + ": " + std::strerror(errno);
  return fd_ >= 0;
}

RequestLog::~RequestLog() {
  if (fd_ >= 0) close(fd_);
}

void RequestLog::Log(std::string_view method, const std::string& bytes) {
  if (fd_ < 0) return;
  const std::string line = Line(method, bytes) + "\n";
  std::lock_guard lock(mutex_);
  // One write: O_APPEND puts the whole line at the end, never half of it.
  [[maybe_unused]] const ssize_t n = write(fd_, line.data(), line.size());
}

std::string RequestLog::Line(std::string_view method, const std::string& bytes) {
  std::unique_ptr<google::protobuf::Message> request;
  if (method == "GetVersion") {
    request = std::make_unique<tetragon::GetVersionRequest>();
  } else {
    request = std::make_unique<tetragon::GetEventsRequest>();
  }
  // The method is one of ours: a name without characters JSON must escape.
  const std::string head = "{\"method\":\"" + std::string(method) + "\",";
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!request->ParseFromString(bytes) ||
      !google::protobuf::util::MessageToJsonString(*request, &json, options).ok()) {
    return head + "\"unparsable\":\"" + Base64Encode(bytes) + "\"}";
  }
  return head + "\"request\":" + json + "}";
}

std::string Base64Encode(const std::string& bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (size_t j = 0; j < 3; ++j)
      group = (group << 8) | (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0);
    for (size_t j = 0; j < 4; ++j) out += j <= n ? kAlphabet[(group >> (18 - 6 * j)) & 0x3f] : '=';
  }
  return out;
}

}  // namespace fake_agent
