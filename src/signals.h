// Signal flags: the only globals in tetrars. Handlers just set a flag; the
// loop blocks these signals and waits with ppoll(), which unblocks them
// atomically, so a signal is never lost between a check and a wait.
#pragma once

#include <csignal>

namespace tetrars {

extern volatile sig_atomic_t g_stop_signal;   // SIGINT or SIGTERM number, else 0
extern volatile sig_atomic_t g_report_stats;  // SIGUSR1 seen

// Installs the handlers, blocks the signals, ignores SIGPIPE (a closed stdout
// becomes an EPIPE error we report), and fills `wait_mask` for ppoll().
void InstallSignalHandlers(sigset_t* wait_mask);

}  // namespace tetrars
