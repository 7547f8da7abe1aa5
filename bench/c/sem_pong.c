/* sem_pong: the C side of a Go-C ping-pong (BenchmarkSemPingPongGoC). It
 * opens the semaphores PREFIX-spa and PREFIX-spb that the Go side created,
 * prints "ready", then COUNT times waits on A and posts B.
 * Result: nanoseconds per round trip as this side saw them. */
#include "common.h"
#include <fcntl.h>
#include <semaphore.h>

int main(int argc, char **argv) {
	const char *prefix;
	long n;
	args(argc, argv, &prefix, &n);
	char na[256], nb[256];
	objname(na, sizeof na, prefix, "-spa");
	objname(nb, sizeof nb, prefix, "-spb");
	sem_t *a = sem_open(na, 0);
	if (a == SEM_FAILED) die("sem_open a");
	sem_t *b = sem_open(nb, 0);
	if (b == SEM_FAILED) die("sem_open b");
	printf("ready\n");
	fflush(stdout);
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		while (sem_wait(a) != 0) if (errno != EINTR) die("sem_wait");
		if (sem_post(b) != 0) die("sem_post");
	}
	printf("RESULT sem-pong %.1f ns/op\n", (now_ns() - t0) / (double)n);
	return 0;
}
