// Issue 22: the default job carries only what it uses. RE2 lives in
// libtetrars-regex.so, beside build/tetrars or in its installed place; these
// tests run a copy of build/tetrars from a folder of their own, with the
// library there, missing, empty, foreign or of another interface version.
// The installed place is hidden behind an empty tmpfs in a private mount
// namespace (root, as CI runs), so a tetrars installed on this host cannot
// stand in for the one missing here.
#include <dlfcn.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "e2e_support.h"

namespace {

namespace fs = std::filesystem;
using e2e::Corpus;
using e2e::Expected;
using e2e::ExpectSameEvents;

const std::string kInstalledDir = TETRARS_REGEX_LIBRARY_DIR;
const std::string kAdvice = ": reinstall the tetrars package\n";

class RegexLibrary : public e2e::EndToEnd {
 protected:
  void SetUp() override {
    EndToEnd::SetUp();
    ASSERT_EQ(unshare(CLONE_NEWNS), 0)
        << "unshare(CLONE_NEWNS): " << std::strerror(errno) << ": these tests need root";
    ASSERT_EQ(mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0) << std::strerror(errno);
    if (fs::is_directory(kInstalledDir)) {
      ASSERT_EQ(mount("tmpfs", kInstalledDir.c_str(), "tmpfs", 0, "mode=0755"), 0)
          << std::strerror(errno);
    }
    bin_ = dir_ + "/bin";
    fs::create_directory(bin_);
    fs::copy_file(e2e::kTetrars, bin_ + "/tetrars");
  }

  // The copy, to its end: exit code; stderr in Err().
  int RunCopy(std::vector<std::string> args) {
    args.insert(args.begin(), bin_ + "/tetrars");
    test_util::ChildProcess child(args, dir_ + "/out.jsonl", dir_ + "/err.txt");
    return child.Wait(20000);
  }

  std::string Library() const { return bin_ + "/libtetrars-regex.so"; }

  std::string bin_;
};

// Every option that needs RE2, each alone, as the message names it.
const std::pair<std::vector<std::string>, std::string> kNeedsRegex[] = {
    {{"--match", "process.binary =~ ^/usr/bin/"}, "--match '=~'"},
    {{"--match", "process.binary !~ ssh"}, "--match '!~'"},
    {{"--process", "ssh"}, "--process"},
    {{"--pod", "web"}, "--pod"},
    {{"--containers", "nginx"}, "--containers"},
    {{"--namespace-regex", "^team-"}, "--namespace-regex"},
};

TEST_F(RegexLibrary, MissingIsAUsageErrorNamingTheOption) {
  for (const auto& [args, option] : kNeedsRegex) {
    std::vector<std::string> argv = args;
    argv.push_back("--server-address=unix://" + socket_);
    EXPECT_EQ(RunCopy(argv), 2) << option;
    EXPECT_EQ(Err(), "tetrars: " + option + " needs libtetrars-regex.so (not in " + bin_ + " or " +
                         kInstalledDir + ")" + kAdvice);
  }
}

TEST_F(RegexLibrary, TheDefaultJobRunsWithoutIt) {
  StartFake({"--replay", test_util::CorpusPath("all.tetra.jsonl")});
  EXPECT_EQ(RunCopy({"--once", "--server-address=unix://" + socket_}), 0) << Err();
  ExpectSameEvents(OutObjects(), Expected(Corpus("all.tetra.jsonl"), {"process_exec"}, true, true));
}

TEST_F(RegexLibrary, AnEmptyFileIsReportedNotSkipped) {
  std::ofstream(Library()).close();
  EXPECT_EQ(RunCopy({"--pod", "web"}), 2);
  EXPECT_EQ(Err(), "tetrars: --pod needs libtetrars-regex.so (" + Library() + ": file too short)" +
                       kAdvice);
}

TEST_F(RegexLibrary, ALibraryWithoutItsFunctionsIsRefused) {
  // Some other shared library under the name: zlib, which this test links.
  Dl_info info{};
  ASSERT_NE(dladdr(reinterpret_cast<void*>(&zlibVersion), &info), 0);
  fs::copy_file(info.dli_fname, Library());
  EXPECT_EQ(RunCopy({"--match", "process.binary =~ x"}), 2);
  EXPECT_EQ(Err(), "tetrars: --match '=~' needs libtetrars-regex.so (" + Library() +
                       " lacks the tetrars_regex_ functions)" + kAdvice);
}

TEST_F(RegexLibrary, AnotherInterfaceVersionIsRefused) {
  fs::copy_file(std::string(TETRARS_BUILD_DIR) + "/tests/libregex_wrong_abi.so", Library());
  EXPECT_EQ(RunCopy({"--process", "ssh"}), 2);
  EXPECT_EQ(Err(), "tetrars: --process needs libtetrars-regex.so (" + Library() +
                       " has interface 2, this tetrars needs 1: another build's copy)" + kAdvice);
}

TEST_F(RegexLibrary, BesideTheBinaryItIsFound) {
  fs::copy_file(std::string(TETRARS_BUILD_DIR) + "/libtetrars-regex.so", Library());
  StartFake({"--replay", test_util::CorpusPath("all.tetra.jsonl")});
  EXPECT_EQ(RunCopy({"--once", "--server-address=unix://" + socket_, "--match",
                     "process.binary =~ ^/usr/bin/(ls|cat)$"}),
            0)
      << Err();
  std::vector<nlohmann::json> expected;
  for (const auto& event : Expected(Corpus("all.tetra.jsonl"), {"process_exec"}, true, true)) {
    const std::string binary = event["process_exec"]["process"].value("binary", "");
    if (binary == "/usr/bin/ls" || binary == "/usr/bin/cat") expected.push_back(event);
  }
  ASSERT_FALSE(expected.empty());
  ExpectSameEvents(OutObjects(), expected);
}

// What the running process maps: the library only while a --match regex needs
// it; --process checks its pattern at start-up and lets the library go.
std::string Maps(pid_t pid) {
  return test_util::ReadFile("/proc/" + std::to_string(pid) + "/maps");
}

using RegexMapped = e2e::EndToEnd;

// The default job never maps RE2; a job with an option that needs it keeps
// it (unloading would strand RE2's process-wide allocations).
TEST_F(RegexMapped, OnlyAJobWithARegexOptionMapsTheLibrary) {
  // The fake logs each request: once GetEvents is there, start-up is over.
  const std::string requests = dir_ + "/requests.jsonl";
  StartFake({"--idle", "--request-log", requests});
  size_t runs = 0;
  for (const auto& [args, mapped] : {std::pair<std::vector<std::string>, bool>{{}, false},
                                     {{"--process", "ssh"}, true},
                                     {{"--match", "process.binary =~ ssh"}, true}}) {
    StartTetrars(args);
    ++runs;
    ASSERT_TRUE(test_util::WaitUntil(
        [&] {
          const std::string log = test_util::ReadFile(requests);
          size_t calls = 0;
          for (size_t at = 0; (at = log.find("GetEvents", at)) != std::string::npos; ++at) ++calls;
          return calls >= runs;
        },
        10000))
        << Err();
    const std::string maps = Maps(tetrars_->pid());
    EXPECT_EQ(maps.find("libtetrars-regex.so") != std::string::npos, mapped) << maps;
    EXPECT_EQ(maps.find("libre2") != std::string::npos, mapped) << maps;
    tetrars_->Signal(SIGTERM);
    EXPECT_EQ(tetrars_->Wait(10000), 0);
  }
}

}  // namespace
