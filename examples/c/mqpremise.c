/*
 * mqpremise.c: Mrs. Premise of posix_ipc's demo2 in C, for ipcfs's examples.
 *
 * Creates the message queue named MESSAGE_QUEUE_NAME in params.txt (O_EXCL,
 * 2 messages of up to 256 bytes), sends the current time, then for
 * ITERATIONS round trips: receives (a message of her own goes back on the
 * queue for Mrs. Conclusion), checks the reply is the MD5 hex digest of what
 * she sent and sends its digest. Messages carry no NUL. Removes the queue at
 * the end. Pairs with mqconclusion.c, examples/mqconclusion (Go) and
 * posix_ipc's demo2 conclusion.py. Start her first.
 *
 *     gcc -O2 -pthread -o mqpremise mqpremise.c -lrt && ./mqpremise [-params file] [-q]
 */
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <time.h>

#include "common.h"
#include "mqturn.h"

static const char WHO[] = "mqpremise";

int main(int argc, char **argv) {
    struct params p;
    struct mq_attr attr = {.mq_maxmsg = 2, .mq_msgsize = 256};
    char sent[256], want[33], *buf;
    mqd_t q;
    int i, rc = 1;
    time_t now;

    if (read_params(parse_args(argc, argv), &p))
        return 1;
    say(WHO, "Oooo 'ello, I'm Mrs. Premise!");
    q = mq_open(p.message_queue_name, O_RDWR | O_CREAT | O_EXCL, p.permissions, &attr);
    if (q == (mqd_t)-1) {
        fprintf(stderr, "%s: creating the message queue %s: %s\n", WHO, p.message_queue_name, strerror(errno));
        return 1;
    }
    buf = malloc((size_t)attr.mq_msgsize + 1);
    say(WHO, "created mq %s (%ld messages of up to %ld bytes)", p.message_queue_name, attr.mq_maxmsg, attr.mq_msgsize);

    now = time(NULL);
    strcpy(sent, asctime(localtime(&now)));
    sent[strcspn(sent, "\n")] = '\0';
    if (mq_send(q, sent, strlen(sent), 0) == -1) {
        perror("mq_send");
        goto out;
    }
    for (i = 0; i < p.iterations; i++) {
        if (receive_new(q, buf, (size_t)attr.mq_msgsize, sent))
            goto out;
        md5_hex(sent, want);
        if (strcmp(buf, want) != 0) {
            fprintf(stderr, "%s: corruption after %d iterations: received '%.64s', want '%s'\n", WHO, i, buf, want);
            goto out;
        }
        md5_hex(buf, sent);
        if (mq_send(q, sent, strlen(sent), 0) == -1) {
            perror("mq_send");
            goto out;
        }
    }
    say(WHO, "%d iterations complete; removing the message queue", p.iterations);
    rc = 0;
out:
    free(buf);
    mq_close(q);
    if (mq_unlink(p.message_queue_name) == -1) {
        perror("mq_unlink");
        rc = 1;
    }
    return rc;
}
