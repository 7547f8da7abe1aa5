/* sem_pingpong: two processes bounce a token through two named semaphores.
 * Result: nanoseconds per round trip (post A, wait B in the parent; wait A,
 * post B in the child). */
#include "common.h"
#include <fcntl.h>
#include <semaphore.h>
#include <sys/wait.h>

int main(int argc, char **argv) {
	const char *prefix;
	long n;
	args(argc, argv, &prefix, &n);
	char na[256], nb[256];
	objname(na, sizeof na, prefix, "-spa");
	objname(nb, sizeof nb, prefix, "-spb");
	sem_t *a = sem_open(na, O_CREAT | O_EXCL, 0600, 0);
	if (a == SEM_FAILED) die("sem_open a");
	sem_t *b = sem_open(nb, O_CREAT | O_EXCL, 0600, 0);
	if (b == SEM_FAILED) { sem_unlink(na); die("sem_open b"); }
	/* Both processes keep the mappings; the names are no longer needed. */
	sem_unlink(na);
	sem_unlink(nb);

	long total = n + WARMUP;
	pid_t pid = fork();
	if (pid < 0) die("fork");
	if (pid == 0) {
		for (long i = 0; i < total; i++) {
			while (sem_wait(a) != 0) if (errno != EINTR) die("child sem_wait");
			if (sem_post(b) != 0) die("child sem_post");
		}
		_exit(0);
	}
	double t0 = 0;
	for (long i = 0; i < total; i++) {
		if (i == WARMUP) t0 = now_ns();
		if (sem_post(a) != 0) die("sem_post");
		while (sem_wait(b) != 0) if (errno != EINTR) die("sem_wait");
	}
	double t1 = now_ns();
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "child failed\n");
		return 1;
	}
	printf("RESULT sem-pingpong %.1f ns/op\n", (t1 - t0) / n);
	return 0;
}
