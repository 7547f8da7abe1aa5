/*
 * mqconclusion.c: Mrs. Conclusion of posix_ipc's demo2 in C, for ipcfs's
 * examples.
 *
 * Opens the message queue Mrs. Premise created, then for ITERATIONS round
 * trips: receives (a message of her own goes back on the queue), checks it
 * is the MD5 hex digest of what she sent last (the first message, Premise's
 * time, is taken as it is) and sends its digest. Pairs with mqpremise.c,
 * examples/mqpremise (Go) and posix_ipc's demo2 premise.py. Start the premise
 * first.
 *
 *     gcc -O2 -pthread -o mqconclusion mqconclusion.c -lrt && ./mqconclusion [-params file] [-q]
 */
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>

#include "common.h"
#include "mqturn.h"

static const char WHO[] = "mqconclusion";

int main(int argc, char **argv) {
    struct params p;
    struct mq_attr attr;
    char sent[256] = "", want[33], *buf;
    mqd_t q;
    int i, rc = 1;

    if (read_params(parse_args(argc, argv), &p))
        return 1;
    say(WHO, "Oooo 'ello, I'm Mrs. Conclusion!");
    q = mq_open(p.message_queue_name, O_RDWR);
    if (q == (mqd_t)-1) {
        fprintf(stderr, "%s: opening the message queue %s (is mqpremise running?): %s\n", WHO, p.message_queue_name, strerror(errno));
        return 1;
    }
    if (mq_getattr(q, &attr) == -1) {
        perror("mq_getattr");
        mq_close(q);
        return 1;
    }
    buf = malloc((size_t)attr.mq_msgsize + 1);
    for (i = 0; i < p.iterations; i++) {
        if (receive_new(q, buf, (size_t)attr.mq_msgsize, sent))
            goto out;
        md5_hex(sent, want);
        if (i > 0 && strcmp(buf, want) != 0) {
            fprintf(stderr, "%s: corruption after %d iterations: received '%.64s', want '%s'\n", WHO, i, buf, want);
            goto out;
        }
        md5_hex(buf, sent);
        if (mq_send(q, sent, strlen(sent), 0) == -1) {
            perror("mq_send");
            goto out;
        }
    }
    say(WHO, "%d iterations complete", p.iterations);
    rc = 0;
out:
    free(buf);
    mq_close(q);
    return rc;
}
