/* ref-condvar: the condvar ping-pong of ctxbench's thread-condvar id, with nothing else
 * in the loop.
 *
 * A pthread mutex guards an int turn; one condvar wakes the peer, one wakes the driver.
 * Each side changes the turn under the lock, unlocks, and only then signals (signalling
 * with the lock held wakes the other side into a lock it cannot take). Waits are
 * untimed. glibc's pthread condvar is not the same code as Rust's std Condvar (both
 * are futex-based), so this is the same protocol, not the same library.
 *
 * Usage: ref-condvar thread LOOPS CPU */
#include "common.h"

enum { DRIVER = 0, PEER = 1, STOP = 2 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_driver = PTHREAD_COND_INITIALIZER;
static pthread_cond_t wake_peer = PTHREAD_COND_INITIALIZER;
static int turn = DRIVER;
static int cpu;

/* pthread calls return an error number; 0 is success. */
static void check(int rc, const char *what)
{
    if (rc != 0)
        die_err(what, rc);
}

static void round_trips(long n)
{
    for (long i = 0; i < n; i++) {
        check(pthread_mutex_lock(&lock), "pthread_mutex_lock");
        turn = PEER;
        check(pthread_mutex_unlock(&lock), "pthread_mutex_unlock");
        check(pthread_cond_signal(&wake_peer), "pthread_cond_signal");
        check(pthread_mutex_lock(&lock), "pthread_mutex_lock");
        while (turn == PEER)
            check(pthread_cond_wait(&wake_driver, &lock), "pthread_cond_wait");
        check(pthread_mutex_unlock(&lock), "pthread_mutex_unlock");
    }
}

static void *peer_thread(void *arg)
{
    (void)arg;
    pin(cpu);
    check(pthread_mutex_lock(&lock), "pthread_mutex_lock (peer)");
    for (;;) {
        while (turn == DRIVER)
            check(pthread_cond_wait(&wake_peer, &lock), "pthread_cond_wait (peer)");
        if (turn == STOP)
            break;
        turn = DRIVER;
        check(pthread_mutex_unlock(&lock), "pthread_mutex_unlock (peer)");
        check(pthread_cond_signal(&wake_driver), "pthread_cond_signal (peer)");
        check(pthread_mutex_lock(&lock), "pthread_mutex_lock (peer)");
    }
    check(pthread_mutex_unlock(&lock), "pthread_mutex_unlock (peer)");
    return NULL;
}

int main(int argc, char **argv)
{
    static const char *const modes[] = { "thread", NULL };
    struct args a = parse_args(argc, argv, "ref-condvar", modes, "thread");
    pthread_t peer;
    cpu = a.cpu;
    pin(cpu);

    check(pthread_create(&peer, NULL, peer_thread, NULL), "pthread_create");

    round_trips(WARMUP);
    uint64_t start = now_ns();
    round_trips(a.loops);
    uint64_t ns = now_ns() - start;

    check(pthread_mutex_lock(&lock), "pthread_mutex_lock (stop)");
    turn = STOP;
    check(pthread_mutex_unlock(&lock), "pthread_mutex_unlock (stop)");
    check(pthread_cond_signal(&wake_peer), "pthread_cond_signal (stop)");
    join_peer(peer);
    report(modes[a.mode], a.loops, cpu, ns);
    return 0;
}
