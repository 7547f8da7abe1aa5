/* sem_fast: the uncontended fast path, sem_post then sem_wait on one named
 * semaphore in one process. Result: nanoseconds per pair. */
#include "common.h"
#include <fcntl.h>
#include <semaphore.h>

int main(int argc, char **argv) {
	const char *prefix;
	long n;
	args(argc, argv, &prefix, &n);
	char name[256];
	objname(name, sizeof name, prefix, "-sf");
	sem_t *s = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
	if (s == SEM_FAILED) die("sem_open");
	sem_unlink(name);
	for (long i = 0; i < WARMUP; i++) {
		sem_post(s);
		sem_wait(s);
	}
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		if (sem_post(s) != 0) die("sem_post");
		if (sem_wait(s) != 0) die("sem_wait");
	}
	double t1 = now_ns();
	printf("RESULT sem-fast %.2f ns/op\n", (t1 - t0) / n);
	return 0;
}
