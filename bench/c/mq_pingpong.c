/* mq_pingpong: two processes bounce a 64-byte message through two queues
 * (10 messages of 64 bytes each). Result: nanoseconds per round trip. */
#include "common.h"
#include <fcntl.h>
#include <mqueue.h>
#include <sys/wait.h>

#define MSG 64

int main(int argc, char **argv) {
	const char *prefix;
	long n;
	args(argc, argv, &prefix, &n);
	char na[256], nb[256];
	objname(na, sizeof na, prefix, "-mpa");
	objname(nb, sizeof nb, prefix, "-mpb");
	struct mq_attr attr = {.mq_maxmsg = 10, .mq_msgsize = MSG};
	mqd_t a = mq_open(na, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	if (a == (mqd_t)-1) die("mq_open a");
	mqd_t b = mq_open(nb, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	if (b == (mqd_t)-1) { mq_unlink(na); die("mq_open b"); }
	mq_unlink(na);
	mq_unlink(nb);

	char msg[MSG], buf[MSG];
	memset(msg, 'x', sizeof msg);
	long total = n + WARMUP;
	pid_t pid = fork();
	if (pid < 0) die("fork");
	if (pid == 0) {
		for (long i = 0; i < total; i++) {
			if (mq_receive(a, buf, sizeof buf, NULL) != MSG) die("child mq_receive");
			if (mq_send(b, buf, MSG, 0) != 0) die("child mq_send");
		}
		_exit(0);
	}
	double t0 = 0;
	for (long i = 0; i < total; i++) {
		if (i == WARMUP) t0 = now_ns();
		if (mq_send(a, msg, MSG, 0) != 0) die("mq_send");
		if (mq_receive(b, buf, sizeof buf, NULL) != MSG) die("mq_receive");
	}
	double t1 = now_ns();
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "child failed\n");
		return 1;
	}
	printf("RESULT mq-pingpong %.1f ns/op\n", (t1 - t0) / n);
	return 0;
}
