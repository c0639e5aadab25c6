// Catches stop signals from the first moment `barnnd run` executes its own code: an ELF constructor runs after the
// shared libraries are loaded and before any Swift code, so a SIGTERM while the runtime, the argument parser or the
// configuration loader start up is recorded instead of killing the process. Other subcommands keep the default
// dispositions.
//
// The handler stays for the life of the process and writes each signal into a pipe that the daemon reads: there is
// no hand-over to a second mechanism. Handing over to dispatch signal sources once lost a SIGINT that came 30 ms after
// start-up (the daemon ran on for 36 min): a signal that reached this handler after the daemon had taken its record
// went nowhere.
#define _GNU_SOURCE
#include "early_signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_pipe_read = -1;
static volatile sig_atomic_t stop_pipe_write = -1;

static void record_stop_signal(int signal_number) {
    int saved = errno;
    unsigned char byte = (unsigned char)signal_number;
    // Non-blocking: a full pipe (thousands of unread signals) drops the surplus, never the process.
    if (stop_pipe_write >= 0) (void)!write(stop_pipe_write, &byte, 1);
    errno = saved;
}

// glibc passes the program's argc and argv to the constructors of the main executable.
__attribute__((constructor)) static void barnnd_catch_early_stop_signals(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc < 2 || argv == 0 || argv[1] == 0 || strcmp(argv[1], "run") != 0) return;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    (void)fcntl(fds[1], F_SETFL, O_NONBLOCK);
    stop_pipe_read = fds[0];
    stop_pipe_write = fds[1];
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = record_stop_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, 0);
    sigaction(SIGINT, &action, 0);
}

int barnnd_stop_signals_caught(void) { return stop_pipe_read >= 0; }

int barnnd_wait_for_stop_signal(void) {
    if (stop_pipe_read < 0) return -1;
    for (;;) {
        unsigned char byte = 0;
        ssize_t count = read(stop_pipe_read, &byte, 1);
        if (count == 1) return byte;
        if (count < 0 && errno == EINTR) continue;
        return -1;
    }
}
