/* mq_latency: one-way latency through a queue, from the call that sends a
 * message in one process to the return of the receive that gets it in
 * another, with the receiver already waiting. The child stamps each
 * 64-byte message with CLOCK_MONOTONIC just before mq_send, after an idle
 * gap (GAP_US microseconds, optional third argument, default 200) that lets
 * the parent go back to sleep in mq_receive; the parent takes the clock
 * when mq_receive returns and acknowledges through a second queue.
 * Result: the median and the 99th percentile in nanoseconds. */
#include "common.h"
#include <fcntl.h>
#include <mqueue.h>
#include <sys/wait.h>

#define MSG 64
#define LAT_WARMUP 200

static int cmp(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv) {
	const char *prefix;
	long n, gap_us = 200;
	if (argc == 4) {
		gap_us = atol(argv[3]);
		argc = 3;
	}
	args(argc, argv, &prefix, &n);
	char nd[256], na[256];
	objname(nd, sizeof nd, prefix, "-mld");
	objname(na, sizeof na, prefix, "-mla");
	struct mq_attr attr = {.mq_maxmsg = 10, .mq_msgsize = MSG};
	mqd_t data = mq_open(nd, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	if (data == (mqd_t)-1) die("mq_open data");
	mqd_t ack = mq_open(na, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	if (ack == (mqd_t)-1) { mq_unlink(nd); die("mq_open ack"); }
	mq_unlink(nd);
	mq_unlink(na);

	long total = n + LAT_WARMUP;
	char buf[MSG];
	pid_t pid = fork();
	if (pid < 0) die("fork");
	if (pid == 0) {
		char msg[MSG];
		memset(msg, 'x', sizeof msg);
		struct timespec gap = {.tv_sec = gap_us / 1000000, .tv_nsec = (gap_us % 1000000) * 1000};
		for (long i = 0; i < total; i++) {
			nanosleep(&gap, NULL);
			double t = now_ns();
			memcpy(msg, &t, sizeof t);
			if (mq_send(data, msg, MSG, 0) != 0) die("child mq_send");
			if (mq_receive(ack, buf, sizeof buf, NULL) < 0) die("child mq_receive");
		}
		_exit(0);
	}
	double *lat = malloc(n * sizeof *lat);
	if (!lat) die("malloc");
	for (long i = 0; i < total; i++) {
		if (mq_receive(data, buf, sizeof buf, NULL) != MSG) die("mq_receive");
		double t1 = now_ns(), t0;
		memcpy(&t0, buf, sizeof t0);
		if (i >= LAT_WARMUP) lat[i - LAT_WARMUP] = t1 - t0;
		if (mq_send(ack, buf, 1, 0) != 0) die("mq_send");
	}
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "child failed\n");
		return 1;
	}
	qsort(lat, n, sizeof *lat, cmp);
	printf("RESULT mq-latency %.0f %.0f ns\n", lat[n / 2], lat[(long)(0.99 * (n - 1))]);
	return 0;
}
