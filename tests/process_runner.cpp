#include "process_runner.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace test_util {

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
                           const std::string& stderr_path) {
  const int out = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  Start(argv, out, stderr_path);
  close(out);
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, int out,
                           const std::string& stderr_path) {
  Start(argv, out, stderr_path);
}

void ChildProcess::Start(const std::vector<std::string>& argv, int out,
                         const std::string& stderr_path) {
  pid_ = fork();
  if (pid_ == 0) {
    const int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const Setup& setup) {
  Start(argv, setup);
}

void ChildProcess::Start(const std::vector<std::string>& argv, const Setup& setup) {
  pid_ = fork();
  if (pid_ != 0) return;
  // Move the wanted descriptors out of the way first, then place or close each.
  const int wanted[3] = {setup.stdin_fd, setup.stdout_fd, setup.stderr_fd};
  int moved[3];
  for (int i = 0; i < 3; ++i)
    moved[i] = wanted[i] == kClosed ? kClosed : fcntl(wanted[i], F_DUPFD, 10);
  for (int i = 0; i < 3; ++i) {
    if (moved[i] == kClosed) {
      close(i);
    } else {
      dup2(moved[i], i);
      close(moved[i]);
    }
  }
  for (const std::string& assignment : setup.environment) putenv(strdup(assignment.c_str()));
  if (setup.uid >= 0 && (setgid(gid_t(setup.uid)) != 0 || setuid(uid_t(setup.uid)) != 0))
    _exit(126);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

ChildProcess::~ChildProcess() {
  if (Running()) {
    kill(pid_, SIGKILL);
    Wait(5000);
  }
}

bool ChildProcess::Running() {
  if (pid_ <= 0 || status_ != -1) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = status;
    return false;
  }
  return true;
}

int ChildProcess::Wait(int timeout_ms) {
  if (!WaitUntil([this] { return !Running(); }, timeout_ms)) return -1;
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -1;
}

void ChildProcess::Signal(int signo) {
  if (Running()) kill(pid_, signo);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool WaitUntil(const std::function<bool()>& condition, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

bool CanConnectUnix(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  close(fd);
  return ok;
}

bool CanConnectTcp(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  close(fd);
  return ok;
}

int FreeTcpPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  socklen_t len = sizeof sa;
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  close(fd);
  return ntohs(sa.sin_port);
}

std::string MakeTempDir() {
  char path[] = "/tmp/tetrars-test-XXXXXX";
  return mkdtemp(path) ? path : "";
}

}  // namespace test_util
