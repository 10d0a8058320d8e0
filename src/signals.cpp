#include "signals.h"

namespace tetrars {

volatile sig_atomic_t g_stop_signal = 0;
volatile sig_atomic_t g_report_stats = 0;

namespace {
void OnStop(int signo) {
  g_stop_signal = signo;
}
void OnUsr1(int) {
  g_report_stats = 1;
}
}  // namespace

void InstallSignalHandlers(sigset_t* wait_mask) {
  struct sigaction action {};
  sigemptyset(&action.sa_mask);
  action.sa_handler = OnStop;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  action.sa_handler = OnUsr1;
  sigaction(SIGUSR1, &action, nullptr);
  action.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &action, nullptr);

  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGUSR1);
  sigprocmask(SIG_BLOCK, &blocked, wait_mask);
  sigdelset(wait_mask, SIGINT);
  sigdelset(wait_mask, SIGTERM);
  sigdelset(wait_mask, SIGUSR1);
}

}  // namespace tetrars
