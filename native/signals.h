#pragma once
// Ctrl-C (SIGINT) and SIGTERM, taken by a thread of their own.
//
// A signal handler runs on whichever thread the signal lands on, in the middle of whatever that thread was doing.
// Inside oneDNN's JIT-compiled GEMM kernels that was not harmless: interrupted training runs corrupted the heap (3
// of 40 runs stopped by SIGINT, `corrupted size vs. prev_size`). So no thread runs a handler: main blocks both
// signals before any other thread exists (every thread started later, OpenMP's and MPI's, inherits the mask), and
// one thread waits for them with sigwait().
#include <atomic>

namespace trm::cli {

// Called first in main. Until stop_gracefully(), a signal ends the process as it would have by default (killed by
// that signal: exit status 130 for Ctrl-C in a shell).
void take_stop_signals();

// From now on the first SIGINT or SIGTERM only sets the returned flag (training stops between two steps and saves
// its checkpoint); a second one ends the process at once. stop_at_once() goes back to that.
const std::atomic<bool>& stop_gracefully();
void stop_at_once();

}  // namespace trm::cli
