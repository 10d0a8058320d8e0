#include "replay_source.h"

#include <google/protobuf/util/json_util.h>

#include <fstream>

#include "tetragon/events.pb.h"

namespace fake_agent {

std::string Base64Decode(const std::string& text, bool* ok) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t bits = 0;
  int nbits = 0;
  *ok = text.size() % 4 == 0;
  for (size_t i = 0; i < text.size() && *ok; ++i) {
    if (text[i] == '=') {
      *ok = i + 2 >= text.size();
      break;
    }
    const int v = value(text[i]);
    if (v < 0) {
      *ok = false;
      break;
    }
    bits = (bits << 6) | uint32_t(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out += char((bits >> nbits) & 0xff);
    }
  }
  return out;
}

bool LoadReplayFile(const std::string& path, std::vector<std::string>* events, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot open " + path;
    return false;
  }
  const bool wire = path.size() > 9 && path.compare(path.size() - 9, 9, ".wire.b64") == 0;
  const bool json = path.size() > 12 && path.compare(path.size() - 12, 12, ".tetra.jsonl") == 0;
  if (!wire && !json) {
    *error = path + ": expected a *.wire.b64 or *.tetra.jsonl file";
    return false;
  }
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    if (wire) {
      bool ok = false;
      events->push_back(Base64Decode(line, &ok));
      if (!ok) {
        *error = path + ":" + std::to_string(number) + ": invalid base64";
        return false;
      }
    } else {
      tetragon::GetEventsResponse event;
      const auto status = google::protobuf::util::JsonStringToMessage(line, &event);
      if (!status.ok()) {
        *error = path + ":" + std::to_string(number) + ": " + status.ToString();
        return false;
      }
      events->push_back(event.SerializeAsString());
    }
  }
  return true;
}

}  // namespace fake_agent
