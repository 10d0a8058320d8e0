#include "daemon/signals.h"

namespace tetrars {

volatile sig_atomic_t g_stop_signal = 0;
volatile sig_atomic_t g_reload = 0;
volatile sig_atomic_t g_report_stats = 0;

namespace {

void OnStop(int signo) {
  g_stop_signal = signo;
}
void OnHup(int) {
  g_reload = 1;
}
void OnUsr1(int) {
  g_report_stats = 1;
}

constexpr int kStopSignals[] = {SIGINT, SIGTERM};
constexpr int kFlagSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1};  // blocked, waited for
constexpr int kIgnoredSignals[] = {SIGPIPE, SIGUSR2, SIGALRM};

}  // namespace

bool HandledSignalPending() {
  sigset_t pending;
  if (sigpending(&pending) != 0) return false;
  for (int signo : kFlagSignals) {
    if (sigismember(&pending, signo) == 1) return true;
  }
  return false;
}

void InstallSignalHandlers(sigset_t* wait_mask) {
  struct sigaction action {};
  sigemptyset(&action.sa_mask);
  action.sa_handler = OnStop;
  for (int signo : kStopSignals) sigaction(signo, &action, nullptr);
  action.sa_handler = OnHup;
  sigaction(SIGHUP, &action, nullptr);
  action.sa_handler = OnUsr1;
  sigaction(SIGUSR1, &action, nullptr);
  action.sa_handler = SIG_IGN;
  for (int signo : kIgnoredSignals) sigaction(signo, &action, nullptr);

  sigset_t blocked;
  sigemptyset(&blocked);
  for (int signo : kFlagSignals) sigaddset(&blocked, signo);
  sigprocmask(SIG_BLOCK, &blocked, wait_mask);
  for (int signo : kFlagSignals) sigdelset(wait_mask, signo);
}

}  // namespace tetrars
