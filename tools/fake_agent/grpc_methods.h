// The methods the fake serves, by HTTP/2 :path, and the UNIMPLEMENTED message
// grpc-go (the real agent's server) gives for any other path.
#pragma once

#include <string>
#include <string_view>

namespace fake_agent {

inline constexpr std::string_view kService = "tetragon.FineGuidanceSensors";
inline constexpr std::string_view kGetEventsPath = "/tetragon.FineGuidanceSensors/GetEvents";
inline constexpr std::string_view kGetVersionPath = "/tetragon.FineGuidanceSensors/GetVersion";
inline constexpr int kUnimplemented = 12;

// grpc-go server.go's wording: "unknown method M for service S", "unknown
// service S", or a malformed name.
inline std::string UnknownMethodMessage(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (path.empty() || path[0] != '/' || slash == 0 || slash == std::string_view::npos)
    return "malformed method name: \"" + std::string(path) + "\"";
  const std::string_view service = path.substr(1, slash - 1);
  if (service != kService) return "unknown service " + std::string(service);
  return "unknown method " + std::string(path.substr(slash + 1)) + " for service " +
         std::string(service);
}

}  // namespace fake_agent
