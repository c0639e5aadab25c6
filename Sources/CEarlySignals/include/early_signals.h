#ifndef BARNND_EARLY_SIGNALS_H
#define BARNND_EARLY_SIGNALS_H

/// The SIGTERM or SIGINT that arrived before the daemon's own signal sources existed (0 for none); clears it.
int barnnd_take_early_stop_signal(void);

#endif
