/* ref-futex: the futex ping-pong of ctxbench's thread-futex, thread-futex-shared and
 * process-futex ids, with nothing else in the loop.
 *
 * One 32-bit word says whose turn it is. The driver hands the turn to the peer, wakes
 * it and sleeps until the turn comes back; the peer does the same the other way. Every
 * wait is untimed. The word lives in a MAP_SHARED anonymous mapping in all three modes
 * (as in ctxbench), so the modes differ only in who the peer is and in the futex flag:
 *   thread         a peer thread, FUTEX_WAIT_PRIVATE / FUTEX_WAKE_PRIVATE
 *   thread-shared  a peer thread, FUTEX_WAIT / FUTEX_WAKE (shared operations)
 *   process        a fork()ed peer, FUTEX_WAIT / FUTEX_WAKE
 *
 * Usage: ref-futex thread|thread-shared|process LOOPS CPU */
#include "common.h"

#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>

enum { DRIVER = 0, PEER = 1, STOP = 2 };
enum { THREAD, THREAD_SHARED, PROCESS };

static _Atomic uint32_t *turn;
static int wait_op, wake_op;
static int cpu;

static long futex(int op, uint32_t val)
{
    return syscall(SYS_futex, (uint32_t *)turn, op, val, NULL, NULL, 0);
}

/* A wait that returns early (the word already changed, or a signal) is not an error:
 * the caller loads the word again. */
static int wait_failed(long rc)
{
    return rc < 0 && errno != EAGAIN && errno != EINTR;
}

static void round_trips(long n)
{
    for (long i = 0; i < n; i++) {
        atomic_store_explicit(turn, PEER, memory_order_release);
        if (futex(wake_op, 1) < 0)
            die("FUTEX_WAKE");
        while (atomic_load_explicit(turn, memory_order_acquire) != DRIVER)
            if (wait_failed(futex(wait_op, PEER)))
                die("FUTEX_WAIT");
    }
}

/* Returns 0 when told to stop, 2 when a futex call failed. */
static int peer_loop(void)
{
    for (;;) {
        uint32_t v = atomic_load_explicit(turn, memory_order_acquire);
        if (v == PEER) {
            atomic_store_explicit(turn, DRIVER, memory_order_release);
            if (futex(wake_op, 1) < 0)
                return 2;
        } else if (v == STOP) {
            return 0;
        } else if (wait_failed(futex(wait_op, v))) {
            return 2;
        }
    }
}

static void stop(void)
{
    atomic_store_explicit(turn, STOP, memory_order_release);
    if (futex(wake_op, 1) < 0)
        die("FUTEX_WAKE (stop)");
}

int main(int argc, char **argv)
{
    static const char *const modes[] = { "thread", "thread-shared", "process", NULL };
    struct args a = parse_args(argc, argv, "ref-futex", modes, "thread|thread-shared|process");
    struct peer peer;
    cpu = a.cpu;
    pin(cpu);

    void *map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        die("mmap");
    turn = map;
    atomic_store(turn, DRIVER);
    wait_op = a.mode == THREAD ? FUTEX_WAIT_PRIVATE : FUTEX_WAIT;
    wake_op = a.mode == THREAD ? FUTEX_WAKE_PRIVATE : FUTEX_WAKE;

    uint64_t ns = start_peer_and_time(&peer, a.mode == PROCESS, cpu, a.loops, peer_loop,
                                      round_trips);
    stop_peer(&peer, stop);
    report(modes[a.mode], a.loops, cpu, ns);
    return 0;
}
