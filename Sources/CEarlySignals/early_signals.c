// Catches stop signals from the first moment `barnnd run` executes its own code: an ELF constructor runs after the
// shared libraries are loaded and before any Swift code, so a SIGTERM while the runtime, the argument parser or the
// configuration loader start up is recorded instead of killing the process. Other subcommands keep the default
// dispositions.
//
// The handler stays for the life of the process and writes each signal into a pipe that the daemon reads: there is
// no hand-over to a second mechanism. Handing over to dispatch signal sources once lost a SIGINT that came 30 ms after
// start-up (the daemon ran on for 36 min): a signal that reached this handler after the daemon had taken its record
// went nowhere.
//
// barnnd re-executes itself at start-up when OpenBLAS chose generic kernels (BLASCore in BARNN). Across that exec the
// stop signals are blocked, not caught (an exec resets handlers, and a blocked signal stays pending through it), and
// the pipe stays open, so a signal recorded before the exec is still read after it. They are blocked in every thread,
// not only the one that execs: OpenBLAS starts its worker threads before this constructor runs, and a signal the
// kernel hands to a worker is lost when the exec ends that worker before its handler has written the byte (a SIGINT
// 1 ms after start-up once went nowhere that way).
#define _GNU_SOURCE
#include "early_signals.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
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

// Set on a process that re-executes itself (barnnd_hold_stop_signals_for_exec): the pipe's descriptors, so signals
// recorded before the exec are read after it, and a marker that SIGTERM/SIGINT were blocked across it.
#define STOP_PIPE_VARIABLE "BARNND_STOP_PIPE"
#define STOP_HELD_VARIABLE "BARNND_STOP_SIGNALS_HELD"

static void stop_signal_set(sigset_t *set) {
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
}

// The real-time signal that asks one thread to block the stop signals (glibc keeps the first few for itself).
static int mask_request_signal(void) { return SIGRTMIN + 4; }

// Runs in the thread asked: the kernel restores a thread's mask from this context when the handler returns, so adding
// the stop signals here blocks them in that thread, which no call can do from outside it.
static void block_stop_signals_in_this_thread(int signal_number, siginfo_t *info, void *context) {
    (void)signal_number;
    (void)info;
    ucontext_t *state = context;
    sigaddset(&state->uc_sigmask, SIGTERM);
    sigaddset(&state->uc_sigmask, SIGINT);
}

// Whether thread `tid` of this process already blocks both stop signals (`SigBlk:` of its /proc status).
static int thread_blocks_stop_signals(pid_t tid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/status", (int)tid);
    FILE *file = fopen(path, "re");
    if (file == 0) return 1;  // gone: it cannot take a signal any more
    char line[256];
    unsigned long long blocked = 0;
    while (fgets(line, sizeof line, file) != 0) {
        if (strncmp(line, "SigBlk:", 7) == 0) {
            blocked = strtoull(line + 7, 0, 16);
            break;
        }
    }
    fclose(file);
    unsigned long long stop = (1ULL << (SIGTERM - 1)) | (1ULL << (SIGINT - 1));
    return (blocked & stop) == stop;
}

int barnnd_block_stop_signals_in_every_thread(void) {
    sigset_t set;
    stop_signal_set(&set);
    if (pthread_sigmask(SIG_BLOCK, &set, 0) != 0) return -1;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = block_stop_signals_in_this_thread;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    // A stop signal cannot interrupt the request's handler, so it is either taken before (and recorded) or held.
    action.sa_mask = set;
    if (sigaction(mask_request_signal(), &action, 0) != 0) return -1;
    pid_t self = (pid_t)syscall(SYS_gettid);
    pid_t process = getpid();
    // A thread asked once is not asked again; a thread may start others meanwhile, so the list is read until it
    // holds no thread that still takes stop signals.
    enum { most = 1024 };
    static pid_t asked[most];
    int asked_count = 0;
    struct timespec now, deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += 2;
    for (;;) {
        DIR *tasks = opendir("/proc/self/task");
        if (tasks == 0) return -1;
        int unmasked = 0;
        struct dirent *entry;
        while ((entry = readdir(tasks)) != 0) {
            pid_t tid = (pid_t)atoi(entry->d_name);
            if (tid <= 0 || tid == self || thread_blocks_stop_signals(tid)) continue;
            unmasked++;
            int known = 0;
            for (int i = 0; i < asked_count; i++) known |= asked[i] == tid;
            if (known || asked_count == most) continue;
            asked[asked_count++] = tid;
            (void)syscall(SYS_tgkill, process, tid, mask_request_signal());
        }
        closedir(tasks);
        if (unmasked == 0) return 0;
        // A thread that never runs the request (it blocks real-time signals) leaves the exec to be cancelled.
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > deadline.tv_sec || (now.tv_sec == deadline.tv_sec && now.tv_nsec > deadline.tv_nsec)) {
            return -1;
        }
        // Give the asked threads a moment to run their handler (its mask shows in their status while it runs).
        struct timespec pause = {0, 100000};
        nanosleep(&pause, 0);
    }
}

// The pipe a re-executing process left open for its new image, if the variable names two open descriptors.
static int inherited_pipe(int fds[2]) {
    const char *text = getenv(STOP_PIPE_VARIABLE);
    if (text == 0 || sscanf(text, "%d %d", &fds[0], &fds[1]) != 2) return 0;
    if (fds[0] < 0 || fds[1] < 0 || fcntl(fds[0], F_GETFD) < 0 || fcntl(fds[1], F_GETFD) < 0) return 0;
    (void)fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    (void)fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 1;
}

// glibc passes the program's argc and argv to the constructors of the main executable.
__attribute__((constructor)) static void barnnd_catch_early_stop_signals(int argc, char **argv, char **envp) {
    (void)envp;
    // Signals blocked across a re-execution are released at the end, once they have somewhere to go.
    int held = getenv(STOP_HELD_VARIABLE) != 0;
    int fds[2];
    int inherited = inherited_pipe(fds);
    unsetenv(STOP_PIPE_VARIABLE);
    unsetenv(STOP_HELD_VARIABLE);
    int run = argc >= 2 && argv != 0 && argv[1] != 0 && strcmp(argv[1], "run") == 0;
    if (run && (inherited || pipe2(fds, O_CLOEXEC) == 0)) {
        (void)fcntl(fds[1], F_SETFL, O_NONBLOCK);
        stop_pipe_read = fds[0];
        stop_pipe_write = fds[1];
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = record_stop_signal;
        action.sa_flags = SA_RESTART;
        sigemptyset(&action.sa_mask);
        // A thread asked to block the stop signals first finishes recording one it has taken.
        sigaddset(&action.sa_mask, mask_request_signal());
        sigaction(SIGTERM, &action, 0);
        sigaction(SIGINT, &action, 0);
    }
    if (held) {
        sigset_t set;
        stop_signal_set(&set);
        sigprocmask(SIG_UNBLOCK, &set, 0);
    }
}

int barnnd_hold_stop_signals_for_exec(void) {
    if (barnnd_block_stop_signals_in_every_thread() != 0) return -1;
    if (setenv(STOP_HELD_VARIABLE, "1", 1) != 0) return -1;
    if (stop_pipe_read >= 0) {
        char text[32];
        snprintf(text, sizeof text, "%d %d", (int)stop_pipe_read, (int)stop_pipe_write);
        (void)fcntl(stop_pipe_read, F_SETFD, 0);
        (void)fcntl(stop_pipe_write, F_SETFD, 0);
        if (setenv(STOP_PIPE_VARIABLE, text, 1) != 0) return -1;
    }
    return 0;
}

void barnnd_release_stop_signals_after_failed_exec(void) {
    if (stop_pipe_read >= 0) {
        (void)fcntl(stop_pipe_read, F_SETFD, FD_CLOEXEC);
        (void)fcntl(stop_pipe_write, F_SETFD, FD_CLOEXEC);
    }
    unsetenv(STOP_PIPE_VARIABLE);
    unsetenv(STOP_HELD_VARIABLE);
    sigset_t set;
    stop_signal_set(&set);
    pthread_sigmask(SIG_UNBLOCK, &set, 0);
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
