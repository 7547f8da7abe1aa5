/* common.h: helpers shared by the C baselines of bench/.
 *
 * Every program takes a name prefix (argv[1], e.g. "/ipcfs-bench-123") and a
 * count (argv[2]), does its work with glibc's POSIX IPC calls, and prints
 * exactly one machine-readable line on stdout:
 *
 *     RESULT <workload> <value> <unit>
 *
 * Errors go to stderr with a non-zero exit status. Objects are unlinked as
 * soon as every process has them open, so a crash leaks nothing.
 */
#ifndef IPCFS_BENCH_COMMON_H
#define IPCFS_BENCH_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static inline double now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline void die(const char *what) {
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	exit(1);
}

/* args parses "PREFIX COUNT" from the command line. */
static inline void args(int argc, char **argv, const char **prefix, long *count) {
	if (argc != 3 || argv[1][0] != '/' || (*count = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: %s /PREFIX COUNT\n", argv[0]);
		exit(2);
	}
	*prefix = argv[1];
}

/* objname returns prefix+suffix in a static-lifetime buffer owned by the caller. */
static inline void objname(char *buf, size_t len, const char *prefix, const char *suffix) {
	if ((size_t)snprintf(buf, len, "%s%s", prefix, suffix) >= len) {
		fprintf(stderr, "name too long\n");
		exit(2);
	}
}

/* open_unlinked_shm creates the segment PREFIX-shm and unlinks it at once:
 * the descriptor it returns is the only way to it, and a crash leaks
 * nothing. */
static inline int open_unlinked_shm(const char *prefix) {
	char name[256];
	objname(name, sizeof name, prefix, "-shm");
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0) die("shm_open");
	shm_unlink(name);
	return fd;
}

/* The number of warm-up rounds before the clock starts. */
#define WARMUP 1000

#endif
