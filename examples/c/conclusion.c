/*
 * conclusion.c: Mrs. Conclusion of posix_ipc's demo1 in C, for ipcfs's
 * examples.
 *
 * Opens the shared memory segment and the semaphore Mrs. Premise created,
 * then for ITERATIONS round trips: waits to acquire the semaphore, and once
 * the segment holds something new checks that it is the MD5 hex digest of
 * what she wrote last (the first message, Premise's time, is taken as it is),
 * writes its digest back and releases. Pairs with premise.c,
 * examples/premise (Go) and posix_ipc's premise.py. Start the premise first.
 *
 *     gcc -O2 -pthread -o conclusion conclusion.c -lrt && ./conclusion [-params file] [-q]
 */
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"
#include "semturn.h"

static const char WHO[] = "conclusion";

int main(int argc, char **argv) {
    struct params p;
    char wrote[256] = "", want[33];
    char *mem;
    sem_t *sem;
    int fd, i, rc = 1;

    if (read_params(parse_args(argc, argv), &p))
        return 1;
    live_dangerously = p.live_dangerously;
    say(WHO, "Oooo 'ello, I'm Mrs. Conclusion!");

    sem = sem_open(p.semaphore_name, 0);
    if (sem == SEM_FAILED) {
        fprintf(stderr, "%s: opening the semaphore %s (is premise running?): %s\n", WHO, p.semaphore_name, strerror(errno));
        return 1;
    }
    fd = shm_open(p.shared_memory_name, O_RDWR, 0);
    if (fd == -1) {
        fprintf(stderr, "%s: opening the shared memory %s: %s\n", WHO, p.shared_memory_name, strerror(errno));
        sem_close(sem);
        return 1;
    }
    mem = mmap(NULL, (size_t)p.shm_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (mem == MAP_FAILED) {
        perror("mmap");
        sem_close(sem);
        return 1;
    }

    for (i = 0; i < p.iterations; i++) {
        if (acquire(sem))
            goto out;
        /* Nothing new yet: give Mrs. Premise another chance. */
        while (strcmp(mem, wrote) == 0) {
            if (release(sem))
                goto out;
            sched_yield(); /* politer than posix_ipc's demo: let her run */
            if (acquire(sem))
                goto out;
        }
        md5_hex(wrote, want);
        if (i > 0 && strcmp(mem, want) != 0) {
            fprintf(stderr, "%s: corruption after %d iterations: read '%.64s', want '%s'\n", WHO, i, mem, want);
            release(sem);
            goto out;
        }
        md5_hex(mem, wrote);
        strcpy(mem, wrote);
        if (release(sem))
            goto out;
    }
    say(WHO, "%d iterations complete", p.iterations);
    rc = 0;
out:
    munmap(mem, (size_t)p.shm_size);
    sem_close(sem);
    return rc;
}
