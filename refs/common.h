/* What every reference loop shares: argument parsing, pinning, the clock, the report
 * line, and a forked peer that cannot outlive the driver. Included first by each loop. */
#ifndef REFS_COMMON_H
#define REFS_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Round trips run before the timed loop, so both sides are on their CPU and warm. */
#define WARMUP 500

static const char *prog = "ref";
/* The forked peer, or 0: killed and reaped on every way out of the driver. */
static volatile pid_t peer_pid;

static inline void kill_peer(void)
{
    if (peer_pid > 0) {
        kill(peer_pid, SIGKILL);
        waitpid(peer_pid, NULL, 0);
        peer_pid = 0;
    }
}

/* Prints "prog: what: message" and exits 1; err is an errno value. */
static inline void die_err(const char *what, int err)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(err));
    kill_peer();
    exit(1);
}

static inline void die(const char *what)
{
    die_err(what, errno);
}

struct args {
    int mode;   /* index into the modes list */
    long loops; /* timed round trips */
    int cpu;    /* the one CPU both sides run on */
};

/* Parses "MODE LOOPS CPU"; modes is NULL-terminated, usage names them. */
static inline struct args parse_args(int argc, char **argv, const char *name,
                                     const char *const *modes, const char *usage)
{
    struct args a = { -1, 0, 0 };
    char *end;
    prog = name;
    if (argc != 4)
        goto bad;
    for (int i = 0; modes[i]; i++)
        if (strcmp(argv[1], modes[i]) == 0)
            a.mode = i;
    if (a.mode < 0)
        goto bad;
    errno = 0;
    a.loops = strtol(argv[2], &end, 10);
    if (errno || *end || end == argv[2] || a.loops < 1)
        goto bad;
    long cpu = strtol(argv[3], &end, 10);
    if (errno || *end || end == argv[3] || cpu < 0 || cpu >= CPU_SETSIZE)
        goto bad;
    a.cpu = (int)cpu;
    return a;
bad:
    fprintf(stderr, "usage: %s %s LOOPS CPU\n", name, usage);
    exit(2);
}

/* Pins the calling thread (not the whole process) to cpu and checks it runs there. */
static inline void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        die("sched_setaffinity");
    if (sched_getcpu() != cpu)
        die_err("sched_getcpu after pinning", EINVAL);
}

static inline uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static inline void report(const char *mode, long loops, int cpu, uint64_t ns)
{
    printf("%s %s: %ld round trips on CPU %d, %.1f ns/rt\n", prog, mode, loops, cpu,
           (double)ns / (double)loops);
}

/* A peer that dies before it was told to stop would leave the driver asleep for ever:
 * end the driver too. Only async-signal-safe calls here. */
static inline void on_sigchld(int sig)
{
    static const char msg[] = ": the peer process ended during the run\n";
    (void)sig;
    if (write(2, prog, strlen(prog)) < 0 || write(2, msg, sizeof msg - 1) < 0)
        _exit(1);
    _exit(1);
}

/* Forks the peer process; returns 0 in the child, which dies with its parent. */
static inline pid_t fork_peer(void)
{
    pid_t parent = getpid();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sa.sa_flags = SA_NOCLDSTOP;
    if (sigaction(SIGCHLD, &sa, NULL) != 0)
        die("sigaction SIGCHLD");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        peer_pid = 0;
        /* The parent may have died before prctl took effect: check after it. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(3);
        return 0;
    }
    peer_pid = pid;
    return pid;
}

/* Called just before the peer process is told to stop: from then on its exit is
 * expected, and reap_peer checks how it ended. */
static inline void peer_may_leave(void)
{
    signal(SIGCHLD, SIG_DFL);
}

/* After the peer was told to stop: gives it a second to leave with status 0, then
 * kills it; reaped either way. Exits 1 when it did not leave cleanly. */
static inline void reap_peer(void)
{
    int status = 0;
    pid_t pid = peer_pid;
    for (int i = 0; i < 1000; i++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            peer_pid = 0;
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return;
            fprintf(stderr, "%s: the peer process ended with status %#x\n", prog, status);
            exit(1);
        }
        if (r < 0)
            die("waitpid");
        usleep(1000);
    }
    fprintf(stderr, "%s: the peer process did not stop; killed it\n", prog);
    kill_peer();
    exit(1);
}

/* Joins a peer thread that was told to stop, waiting two seconds at most; exits 1 when
 * it did not return 0 (process exit then ends the thread). */
static inline void join_peer(pthread_t t)
{
    struct timespec deadline;
    void *ret;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 2;
    int rc = pthread_timedjoin_np(t, &ret, &deadline);
    if (rc != 0)
        die_err("joining the peer thread", rc);
    if (ret != NULL) {
        fprintf(stderr, "%s: the peer thread failed (%ld)\n", prog, (long)(intptr_t)ret);
        exit(1);
    }
}


/* The peer thread's entry: pins itself to the CPU it is given, then runs the loop. */
struct peer_start {
    int cpu;
    int (*loop)(void);
};

static inline void *peer_thread_entry(void *arg)
{
    const struct peer_start *s = arg;
    pin(s->cpu);
    return (void *)(intptr_t)s->loop();
}

/* A peer process or thread running `peer_loop` on `cpu`. */
struct peer {
    int process;
    pthread_t thread;
    struct peer_start start;
};

/* Starts the peer (a forked child or a thread, pinned to `cpu`, running `peer_loop`),
 * warms up, and times `loops` round trips of `round_trips`; returns the nanoseconds they
 * took. */
static inline uint64_t start_peer_and_time(struct peer *p, int process, int cpu, long loops,
                                           int (*peer_loop)(void), void (*round_trips)(long))
{
    p->process = process;
    p->start.cpu = cpu;
    p->start.loop = peer_loop;
    if (process) {
        if (fork_peer() == 0) {
            pin(cpu);
            _exit(peer_loop());
        }
    } else {
        int rc = pthread_create(&p->thread, NULL, peer_thread_entry, &p->start);
        if (rc != 0)
            die_err("pthread_create", rc);
    }
    round_trips(WARMUP);
    uint64_t start = now_ns();
    round_trips(loops);
    return now_ns() - start;
}

/* Tells the peer to stop with `stop` and waits for it to leave cleanly. */
static inline void stop_peer(struct peer *p, void (*stop)(void))
{
    if (p->process)
        peer_may_leave();
    stop();
    if (p->process)
        reap_peer();
    else
        join_peer(p->thread);
}

#endif
