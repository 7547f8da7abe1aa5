/* mq_stream: one process sends COUNT 64-byte messages through a queue of 10,
 * another receives them all. The clock runs from the first send until the
 * receiver reports (through a pipe) that it has the last message.
 * Result: messages per second. */
#include "common.h"
#include <fcntl.h>
#include <mqueue.h>
#include <sys/wait.h>

#define MSG 64

int main(int argc, char **argv) {
	const char *prefix;
	long n;
	args(argc, argv, &prefix, &n);
	char name[256];
	objname(name, sizeof name, prefix, "-ms");
	struct mq_attr attr = {.mq_maxmsg = 10, .mq_msgsize = MSG};
	mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	if (q == (mqd_t)-1) die("mq_open");
	mq_unlink(name);

	int p[2];
	if (pipe(p) != 0) die("pipe");
	pid_t pid = fork();
	if (pid < 0) die("fork");
	if (pid == 0) {
		char buf[MSG];
		if (write(p[1], "r", 1) != 1) die("child write");
		for (long i = 0; i < n; i++)
			if (mq_receive(q, buf, sizeof buf, NULL) != MSG) die("child mq_receive");
		if (write(p[1], "d", 1) != 1) die("child write");
		_exit(0);
	}
	char c, msg[MSG];
	memset(msg, 'x', sizeof msg);
	if (read(p[0], &c, 1) != 1 || c != 'r') die("read ready");
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (mq_send(q, msg, MSG, 0) != 0) die("mq_send");
	if (read(p[0], &c, 1) != 1 || c != 'd') die("read done");
	double t1 = now_ns();
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "child failed\n");
		return 1;
	}
	printf("RESULT mq-stream %.0f msgs/s\n", n / ((t1 - t0) / 1e9));
	return 0;
}
