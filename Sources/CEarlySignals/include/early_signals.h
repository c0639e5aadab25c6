#ifndef BARNND_EARLY_SIGNALS_H
#define BARNND_EARLY_SIGNALS_H

/// Whether this process catches SIGTERM and SIGINT from its start (`barnnd run`): 1 if so, 0 otherwise.
int barnnd_stop_signals_caught(void);

/// Blocks until a SIGTERM or SIGINT arrives (or has arrived since start-up) and returns its number; -1 if this
/// process does not catch them.
int barnnd_wait_for_stop_signal(void);

/// Before this process re-executes itself: blocks SIGTERM and SIGINT in every thread (the exec ends the others, and
/// the calling thread's mask and the pending signals survive execve) and keeps the stop pipe open across the exec with its descriptors in the environment, so
/// a stop signal that arrives before, during or after the exec reaches the new image. 0 on success.
int barnnd_hold_stop_signals_for_exec(void);

/// Blocks SIGTERM and SIGINT in every thread of the process, each asked in turn with a real-time signal whose handler
/// blocks them on its return; waits (up to 2 s) until no thread takes them. 0 on success, -1 when a thread did not
/// comply (its signals may still reach it).
int barnnd_block_stop_signals_in_every_thread(void);

/// Undoes barnnd_hold_stop_signals_for_exec when the exec failed; pending stop signals are then delivered.
void barnnd_release_stop_signals_after_failed_exec(void);

#endif
