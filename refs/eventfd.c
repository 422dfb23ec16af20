/* ref-eventfd: the eventfd ping-pong of ctxbench's thread-eventfd and process-eventfd
 * ids, with nothing else in the loop.
 *
 * Two blocking eventfds in counter mode: the driver adds 1 to to_peer and blocks in
 * read on from_peer; the peer blocks in read on to_peer and adds 1 to from_peer. No
 * poll, no timeout. A value of 1 << 40 or more read by the peer tells it to leave.
 *   thread   a peer thread
 *   process  a fork()ed peer
 *
 * Usage: ref-eventfd thread|process LOOPS CPU */
#include "common.h"

#include <sys/eventfd.h>

#define STOP ((uint64_t)1 << 40)
enum { THREAD, PROCESS };

static int to_peer, from_peer;
static int cpu;

/* Adds v to an eventfd's counter; -1 on failure. */
static int put(int fd, uint64_t v)
{
    for (;;) {
        ssize_t r = write(fd, &v, sizeof v);
        if (r == (ssize_t)sizeof v)
            return 0;
        if (r < 0 && errno == EINTR)
            continue;
        return -1;
    }
}

/* Blocks until the counter is not 0, then reads and resets it; -1 on failure. */
static int take(int fd, uint64_t *v)
{
    for (;;) {
        ssize_t r = read(fd, v, sizeof *v);
        if (r == (ssize_t)sizeof *v)
            return 0;
        if (r < 0 && errno == EINTR)
            continue;
        return -1;
    }
}

static void round_trips(long n)
{
    uint64_t v;
    for (long i = 0; i < n; i++) {
        if (put(to_peer, 1) != 0)
            die("write to_peer");
        if (take(from_peer, &v) != 0)
            die("read from_peer");
    }
}

/* Returns 0 when told to stop, 2 when a read or write failed. */
static int peer_loop(void)
{
    uint64_t v;
    for (;;) {
        if (take(to_peer, &v) != 0)
            return 2;
        if (v >= STOP)
            return 0;
        if (put(from_peer, 1) != 0)
            return 2;
    }
}

static void stop(void)
{
    if (put(to_peer, STOP) != 0)
        die("write to_peer (stop)");
}

int main(int argc, char **argv)
{
    static const char *const modes[] = { "thread", "process", NULL };
    struct args a = parse_args(argc, argv, "ref-eventfd", modes, "thread|process");
    struct peer peer;
    cpu = a.cpu;
    pin(cpu);

    to_peer = eventfd(0, EFD_CLOEXEC);
    from_peer = eventfd(0, EFD_CLOEXEC);
    if (to_peer < 0 || from_peer < 0)
        die("eventfd");

    uint64_t ns = start_peer_and_time(&peer, a.mode == PROCESS, cpu, a.loops, peer_loop,
                                      round_trips);
    stop_peer(&peer, stop);
    report(modes[a.mode], a.loops, cpu, ns);
    return 0;
}
