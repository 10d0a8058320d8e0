// --request-log FILE: every GetEvents and GetVersion request the fake receives,
// appended to FILE as one JSON line written with one write(2), so a test can
// read the file while the fake runs:
//   {"method":"GetEvents","request":{...}}
//   {"method":"GetVersion","request":{}}
//   {"method":"GetEvents","unparsable":"<base64 of the message bytes>"}
// "request" is the message in protobuf's JSON mapping with proto field names
// (enums by name, fields at their default left out). The file is not truncated.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

namespace fake_agent {

class RequestLog {
 public:
  // An empty path logs nothing. False: the file cannot be opened.
  bool Open(const std::string& path, std::string* error);
  ~RequestLog();

  // `method` is "GetEvents" or "GetVersion"; `bytes` the request message
  // (without the gRPC prefix). Safe from several threads (grpc++'s).
  void Log(std::string_view method, const std::string& bytes);

  // The line Log writes, without its newline (for the unit tests).
  static std::string Line(std::string_view method, const std::string& bytes);

 private:
  int fd_ = -1;
  std::mutex mutex_;
};

std::string Base64Encode(const std::string& bytes);

}  // namespace fake_agent
