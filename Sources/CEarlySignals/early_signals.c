// Catches stop signals from the first moment `barnnd run` executes its own code: an ELF constructor runs after the
// shared libraries are loaded and before any Swift code, so a SIGTERM while the runtime, the argument parser or the
// configuration loader start up is recorded instead of killing the process. The daemon takes the record once its
// own signal sources exist and stops in order. Other subcommands keep the default dispositions.
#include "early_signals.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t early_stop_signal = 0;

static void record_stop_signal(int signal_number) { early_stop_signal = signal_number; }

// glibc passes the program's argc and argv to the constructors of the main executable.
__attribute__((constructor)) static void barnnd_catch_early_stop_signals(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc < 2 || argv == 0 || argv[1] == 0 || strcmp(argv[1], "run") != 0) return;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = record_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, 0);
    sigaction(SIGINT, &action, 0);
}

int barnnd_take_early_stop_signal(void) {
    int signal_number = early_stop_signal;
    early_stop_signal = 0;
    return signal_number;
}
