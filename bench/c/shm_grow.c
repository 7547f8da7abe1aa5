/* shm_grow: copies 256 MiB into a shared memory segment that starts empty
 * and grows as it is written, 32 KiB at a time (what a reader yielding 32
 * KiB chunks gives io.Copy), with write(2): the way C grows a file. Each
 * pass truncates the segment to 0 first, so every pass allocates its pages
 * again. One untimed pass, then COUNT timed passes. Result: GB/s (10^9
 * bytes per second). */
#include "common.h"

#define SIZE (256L << 20)
#define CHUNK (32 << 10)

static char chunk[CHUNK];

static void pass(int fd) {
	if (ftruncate(fd, 0) != 0) die("ftruncate");
	if (lseek(fd, 0, SEEK_SET) != 0) die("lseek");
	for (long off = 0; off < SIZE; off += CHUNK)
		if (write(fd, chunk, CHUNK) != CHUNK) die("write");
}

int main(int argc, char **argv) {
	const char *prefix;
	long n;
	args(argc, argv, &prefix, &n);
	int fd = open_unlinked_shm(prefix);
	for (int i = 0; i < CHUNK; i++) chunk[i] = (char)i;
	pass(fd);
	double t0 = now_ns();
	for (long i = 0; i < n; i++) pass(fd);
	double t1 = now_ns();
	printf("RESULT shm-grow %.3f GB/s\n", (double)SIZE * n / (t1 - t0));
	close(fd);
	return 0;
}
