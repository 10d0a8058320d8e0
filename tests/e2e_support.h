// Support for the end-to-end tests: build/tetrars against build/tetragon-fake
// over real sockets. Expected output is computed here from tetra's own JSON
// lines in the corpus, without any of tetrars' code: project each event to the
// requested fields and keep the human users' ones.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <thread>

#include "process_runner.h"
#include "test_util.h"

namespace e2e {

using nlohmann::json;
using test_util::ChildProcess;

inline const std::string kTetrars = std::string(TETRARS_BUILD_DIR) + "/tetrars";
inline const std::string kFake = std::string(TETRARS_BUILD_DIR) + "/tetragon-fake";

// The seed field list, written out here on purpose (not taken from tetrars).
inline const std::set<std::string> kSeedProcessFields = {
    "pid", "uid", "auid", "cwd", "binary", "arguments", "process_credentials", "binary_properties"};
inline const std::set<std::string> kSeedParentFields = {"pid", "binary", "cwd"};

inline json Keep(const json& object, const std::set<std::string>& keys) {
  json kept = json::object();
  for (const auto& [key, value] : object.items()) {
    if (keys.count(key)) kept[key] = value;
  }
  return kept;
}

inline bool IsHuman(const json& process) {
  if (!process.contains("auid")) return false;
  const uint64_t auid = process["auid"].get<uint64_t>();
  return auid >= 1000 && auid != 4294967295u;
}

// What tetrars must print for tetra's lines, for the given event kinds.
inline std::vector<json> Expected(const std::vector<json>& tetra,
                                  const std::set<std::string>& kinds, bool seed_fields,
                                  bool humans_only) {
  std::vector<json> expected;
  for (const json& event : tetra) {
    std::string kind;
    for (const char* k : {"process_exec", "process_exit"}) {
      if (event.contains(k)) kind = k;
    }
    if (!kinds.count(kind)) continue;
    if (humans_only && !(event[kind].contains("process") && IsHuman(event[kind]["process"]))) {
      continue;
    }
    json out = event;
    if (seed_fields) {
      json body = json::object();
      if (event[kind].contains("process"))
        body["process"] = Keep(event[kind]["process"], kSeedProcessFields);
      if (event[kind].contains("parent"))
        body["parent"] = Keep(event[kind]["parent"], kSeedParentFields);
      out[kind] = body;
    }
    expected.push_back(out);
  }
  return expected;
}

// Equal lists of events; on failure, names the first difference instead of
// dumping hundreds of events.
inline void ExpectSameEvents(const std::vector<json>& actual, const std::vector<json>& expected) {
  EXPECT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < std::min(actual.size(), expected.size()); ++i) {
    if (actual[i] != expected[i]) {
      ADD_FAILURE() << "event " << i + 1 << " differs:\n  got:      " << actual[i].dump()
                    << "\n  expected: " << expected[i].dump();
      return;
    }
  }
}

// The counter NAME of the last stats line in tetrars' stderr `err`, or -1.
inline long long StatsCounter(const std::string& err, const std::string& name) {
  const size_t line = err.rfind("tetrars: stats: ");
  if (line == std::string::npos) return -1;
  const size_t at = err.find(" " + name + "=", line);
  return at == std::string::npos ? -1 : std::stoll(err.substr(at + name.size() + 2));
}

inline std::vector<json> Corpus(const std::string& name) {
  return test_util::ParseJsonLines(test_util::ReadFile(test_util::CorpusPath(name)));
}

class EndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_util::MakeTempDir();
    ASSERT_FALSE(dir_.empty());
    socket_ = dir_ + "/tetragon.sock";
  }
  void TearDown() override {
    tetrars_.reset();
    fake_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartFake(std::vector<std::string> args, const std::string& listen = "") {
    args.insert(args.begin(), {kFake, "--listen", listen.empty() ? "unix:" + socket_ : listen});
    fake_ = std::make_unique<ChildProcess>(args, dir_ + "/fake.out", dir_ + "/fake.err");
    if (listen.empty()) {
      ASSERT_TRUE(test_util::WaitUntil([&] { return test_util::CanConnectUnix(socket_); }, 10000))
          << test_util::ReadFile(dir_ + "/fake.err");
    }
  }

  void StartTetrars(std::vector<std::string> args, bool with_address = true) {
    args.insert(args.begin(), kTetrars);
    if (with_address) args.push_back("--server-address=unix://" + socket_);
    tetrars_ = std::make_unique<ChildProcess>(args, dir_ + "/out.jsonl", dir_ + "/err.txt");
  }

  int OpenFile(const std::string& path, int flags = O_WRONLY | O_CREAT | O_TRUNC) {
    const int fd = open(path.c_str(), flags | O_CLOEXEC, 0644);
    EXPECT_GE(fd, 0) << path << ": " << std::strerror(errno);
    return fd;
  }
  // tetrars (or the `binary` given) with the given descriptors (the test
  // closes its copies).
  void StartWith(std::vector<std::string> args, ChildProcess::Setup setup,
                 const std::string& binary = kTetrars) {
    args.insert(args.begin(), binary);
    tetrars_ = std::make_unique<ChildProcess>(args, setup);
    for (int fd : {setup.stdin_fd, setup.stdout_fd, setup.stderr_fd}) {
      if (fd != ChildProcess::kClosed) close(fd);
    }
  }
  std::string Address() const { return "--server-address=unix://" + socket_; }
  // stdin on /dev/null, stdout and stderr as given (kClosed: closed).
  static ChildProcess::Setup Descriptors(int out, int err, std::vector<std::string> env = {},
                                         int uid = -1) {
    ChildProcess::Setup setup;
    setup.stdin_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    setup.stdout_fd = out;
    setup.stderr_fd = err;
    setup.environment = std::move(env);
    setup.uid = uid;
    return setup;
  }

  int RunTetrars(std::vector<std::string> args) {
    StartTetrars(std::move(args));
    return tetrars_->Wait(60000);
  }

  std::string Out() { return test_util::ReadFile(dir_ + "/out.jsonl"); }
  std::string Err() { return test_util::ReadFile(dir_ + "/err.txt"); }
  std::vector<json> OutObjects() { return test_util::ParseJsonLines(Out()); }
  size_t OutLines() {
    const std::string out = Out();
    return size_t(std::count(out.begin(), out.end(), '\n'));
  }

  std::string dir_;
  std::string socket_;
  std::unique_ptr<ChildProcess> fake_;
  std::unique_ptr<ChildProcess> tetrars_;
};

}  // namespace e2e
