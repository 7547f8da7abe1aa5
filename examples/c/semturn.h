/*
 * semturn.h: how Mrs. Premise and Mrs. Conclusion (premise.c, conclusion.c)
 * take and pass the turn on the semaphore. With LIVE_DANGEROUSLY set they
 * skip the semaphore, as posix_ipc's demo does.
 */
#ifndef IPCFS_EXAMPLES_SEMTURN_H
#define IPCFS_EXAMPLES_SEMTURN_H

#include <errno.h>
#include <semaphore.h>
#include <stdio.h>

static int live_dangerously;

static int release(sem_t *sem) {
    __asm__ volatile("" ::: "memory"); /* memory may change: reread it */
    if (live_dangerously || sem_post(sem) == 0)
        return 0;
    perror("sem_post");
    return -1;
}

static int acquire(sem_t *sem) {
    while (!live_dangerously && sem_wait(sem) != 0) {
        if (errno != EINTR) {
            perror("sem_wait");
            return -1;
        }
    }
    return 0;
}

#endif
