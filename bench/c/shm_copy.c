/* shm_copy: copies 256 MiB into a shared memory segment, 32 KiB at a time
 * (what a reader yielding 32 KiB chunks gives io.Copy), with memcpy into an
 * mmap of the segment. One untimed pass faults the pages in; COUNT timed
 * passes follow. Result: GB/s (10^9 bytes per second). */
#include "common.h"

#define SIZE (256L << 20)
#define CHUNK (32 << 10)

static char chunk[CHUNK];

static void pass(char *dst) {
	for (long off = 0; off < SIZE; off += CHUNK)
		memcpy(dst + off, chunk, CHUNK);
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv) {
	const char *prefix;
	long n;
	args(argc, argv, &prefix, &n);
	int fd = open_unlinked_shm(prefix);
	if (ftruncate(fd, SIZE) != 0) die("ftruncate");
	char *m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) die("mmap");
	close(fd);
	for (int i = 0; i < CHUNK; i++) chunk[i] = (char)i;
	pass(m);
	double t0 = now_ns();
	for (long i = 0; i < n; i++) pass(m);
	double t1 = now_ns();
	printf("RESULT shm-copy %.3f GB/s\n", (double)SIZE * n / (t1 - t0));
	munmap(m, SIZE);
	return 0;
}
