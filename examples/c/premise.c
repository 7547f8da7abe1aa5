/*
 * premise.c: Mrs. Premise of posix_ipc's demo1 in C, for ipcfs's examples.
 *
 * Creates the shared memory segment and the semaphore named in params.txt
 * (O_EXCL), writes the current time into the segment as a NUL-terminated
 * string, then for ITERATIONS round trips: releases the semaphore, waits to
 * acquire it again, and once the segment holds something new checks that it
 * is the MD5 hex digest of what she wrote and writes its digest back. Removes
 * both objects at the end. Pairs with conclusion.c, examples/conclusion (Go)
 * and posix_ipc's conclusion.py. Start her first.
 *
 *     gcc -O2 -pthread -o premise premise.c -lrt && ./premise [-params file] [-q]
 */
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "semturn.h"

static const char WHO[] = "premise";

int main(int argc, char **argv) {
    struct params p;
    char wrote[256], want[33];
    char *mem;
    sem_t *sem;
    int fd, i, rc = 1;
    time_t now;

    if (read_params(parse_args(argc, argv), &p))
        return 1;
    live_dangerously = p.live_dangerously;
    say(WHO, "Oooo 'ello, I'm Mrs. Premise!");

    fd = shm_open(p.shared_memory_name, O_RDWR | O_CREAT | O_EXCL, p.permissions);
    if (fd == -1) {
        fprintf(stderr, "%s: creating the shared memory %s: %s\n", WHO, p.shared_memory_name, strerror(errno));
        return 1;
    }
    if (ftruncate(fd, p.shm_size) == -1) {
        perror("ftruncate");
        goto remove_shm;
    }
    mem = mmap(NULL, (size_t)p.shm_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mem == MAP_FAILED) {
        perror("mmap");
        goto remove_shm;
    }
    sem = sem_open(p.semaphore_name, O_CREAT | O_EXCL, p.permissions, 0);
    if (sem == SEM_FAILED) {
        fprintf(stderr, "%s: creating the semaphore %s: %s\n", WHO, p.semaphore_name, strerror(errno));
        goto unmap;
    }
    say(WHO, "created shm %s (%ld bytes) and sem %s", p.shared_memory_name, p.shm_size, p.semaphore_name);

    /* The seed: the current time, as asctime writes it, without its newline. */
    now = time(NULL);
    strcpy(wrote, asctime(localtime(&now)));
    wrote[strcspn(wrote, "\n")] = '\0';
    strcpy(mem, wrote);

    for (i = 0; i < p.iterations; i++) {
        if (release(sem) || acquire(sem))
            goto close_sem;
        /* Nothing new yet: give Mrs. Conclusion another chance. */
        while (strcmp(mem, wrote) == 0) {
            if (release(sem))
                goto close_sem;
            sched_yield(); /* politer than posix_ipc's demo: let her run */
            if (acquire(sem))
                goto close_sem;
        }
        md5_hex(wrote, want);
        if (strcmp(mem, want) != 0) {
            fprintf(stderr, "%s: corruption after %d iterations: read '%.64s', want '%s'\n", WHO, i, mem, want);
            release(sem);
            goto close_sem;
        }
        md5_hex(mem, wrote);
        strcpy(mem, wrote);
    }
    /* Conclusion has released for the last time; leave the semaphore free. */
    if (release(sem))
        goto close_sem;
    say(WHO, "%d iterations complete; removing the semaphore and the shared memory", p.iterations);
    rc = 0;

close_sem:
    sem_close(sem);
    if (sem_unlink(p.semaphore_name) == -1) {
        perror("sem_unlink");
        rc = 1;
    }
unmap:
    munmap(mem, (size_t)p.shm_size);
remove_shm:
    close(fd);
    if (shm_unlink(p.shared_memory_name) == -1) {
        perror("shm_unlink");
        rc = 1;
    }
    return rc;
}
