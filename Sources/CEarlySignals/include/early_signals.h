#ifndef BARNND_EARLY_SIGNALS_H
#define BARNND_EARLY_SIGNALS_H

/// Whether this process catches SIGTERM and SIGINT from its start (`barnnd run`): 1 if so, 0 otherwise.
int barnnd_stop_signals_caught(void);

/// Blocks until a SIGTERM or SIGINT arrives (or has arrived since start-up) and returns its number; -1 if this
/// process does not catch them.
int barnnd_wait_for_stop_signal(void);

#endif
