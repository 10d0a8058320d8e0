// Signal flags: the only globals in tetrars. Handlers just set a flag; the
// loop blocks these signals and waits with ppoll(), which unblocks them
// atomically, so a signal is never lost between a check and a wait.
//
// What each signal does (the man page's SIGNALS section says the same):
//   SIGINT, SIGTERM           stop: read what the agent already sent, flush
//                             within the stop budget, print the counters, exit
//   SIGHUP                    reload (`systemctl reload`): end the stream as a
//                             stop would, nothing lost, and connect again at
//                             once; no exit, no gap. On a terminal (stdout or
//                             stderr is one) a hangup means the terminal is
//                             gone: there it stops, as SIGTERM.
//   SIGUSR1                   print the counters
//   SIGUSR2, SIGALRM, SIGPIPE ignored (SIGPIPE: a closed stdout is an EPIPE
//                             error we report; SIGALRM: the journal sink arms
//                             its own handler while it needs one)
#pragma once

#include <csignal>

namespace tetrars {

extern volatile sig_atomic_t g_stop_signal;   // SIGINT or SIGTERM number, else 0
extern volatile sig_atomic_t g_reload;        // SIGHUP seen
extern volatile sig_atomic_t g_report_stats;  // SIGUSR1 seen

// Installs the handlers, blocks the signals, and fills `wait_mask` for
// ppoll() (the current mask without the handled signals).
void InstallSignalHandlers(sigset_t* wait_mask);

// Whether a signal with a handler above (stop, reload, SIGUSR1) is pending: blocked
// and waiting for the next ppoll() that lets it through.
bool HandledSignalPending();

}  // namespace tetrars
