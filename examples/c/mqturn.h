/*
 * mqturn.h: how mqpremise.c and mqconclusion.c wait for the other's message
 * on their one shared queue, putting back their own.
 */
#ifndef IPCFS_EXAMPLES_MQTURN_H
#define IPCFS_EXAMPLES_MQTURN_H

#include <errno.h>
#include <mqueue.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

/* receive_new receives into buf until a message other than last arrives,
 * sending copies of last back; returns 0 or -1. */
static int receive_new(mqd_t q, char *buf, size_t size, const char *last) {
    for (;;) {
        ssize_t n = mq_receive(q, buf, size, NULL);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            perror("mq_receive");
            return -1;
        }
        buf[n] = '\0';
        if (strcmp(buf, last) != 0)
            return 0;
        if (mq_send(q, buf, (size_t)n, 0) == -1) {
            perror("mq_send");
            return -1;
        }
        sched_yield(); /* politer than posix_ipc's demo: let her run */
    }
}

#endif
