// Runs a program for an end-to-end test, its stdout and stderr going to files.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace test_util {

class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
               const std::string& stderr_path);
  // Stdout goes to an open descriptor (such as a pipe the test holds).
  ChildProcess(const std::vector<std::string>& argv, int stdout_fd, const std::string& stderr_path);

  // Full control, for the tests of a hostile start: each descriptor is the
  // given one, or closed when kClosed; `environment` adds NAME=value pairs;
  // `uid` >= 0 runs the program as that user (and its group).
  static constexpr int kClosed = -1;
  struct Setup {
    int stdin_fd = kClosed;
    int stdout_fd = kClosed;
    int stderr_fd = kClosed;
    std::vector<std::string> environment;
    int uid = -1;
  };
  ChildProcess(const std::vector<std::string>& argv, const Setup& setup);
  ~ChildProcess();  // kills it if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Exit code (128+N if killed by signal N), or -1 if it did not end in time.
  int Wait(int timeout_ms);
  void Signal(int signo);
  bool Running();
  pid_t pid() const { return pid_; }

 private:
  void Start(const std::vector<std::string>& argv, int stdout_fd, const std::string& stderr_path);
  void Start(const std::vector<std::string>& argv, const Setup& setup);
  pid_t pid_ = -1;
  int status_ = -1;
};

std::string ReadFile(const std::string& path);
bool WaitUntil(const std::function<bool()>& condition, int timeout_ms);
bool CanConnectUnix(const std::string& path);
bool CanConnectTcp(int port);
int FreeTcpPort();
std::string MakeTempDir();

}  // namespace test_util
