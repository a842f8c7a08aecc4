#include "signals.h"

#include <pthread.h>
#include <signal.h>

#include <thread>

namespace trm::cli {

namespace {
std::atomic<bool> g_graceful{false};        // stop_gracefully() is in force
std::atomic<bool> g_stop_requested{false};  // a signal asked training to stop

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// The one thread that receives SIGINT and SIGTERM.
void wait_for_signals() {
  const sigset_t set = stop_signals();
  for (;;) {
    int signal_number = 0;
    if (sigwait(&set, &signal_number) != 0) continue;
    if (g_graceful.load() && !g_stop_requested.exchange(true)) continue;  // the first: training stops between steps
    // Otherwise, as without this thread: the default action, killed by the signal. Raised here, the only thread
    // where it is not blocked.
    signal(signal_number, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, signal_number);
    pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
    raise(signal_number);
  }
}
}  // namespace

void take_stop_signals() {
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread(wait_for_signals).detach();
}

const std::atomic<bool>& stop_gracefully() {
  g_graceful = true;
  return g_stop_requested;
}

void stop_at_once() { g_graceful = false; }

}  // namespace trm::cli
