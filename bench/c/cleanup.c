/* cleanup: unlinks every object name the benchmarks (C and Go) derive from
 * PREFIX, ignoring names that do not exist. bench/run calls it on exit. */
#include "common.h"
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <sys/mman.h>

int main(int argc, char **argv) {
	if (argc != 2 || argv[1][0] != '/') {
		fprintf(stderr, "usage: %s /PREFIX\n", argv[0]);
		return 2;
	}
	static const char *sems[] = {"-spa", "-spb", "-sf", "-sa", "-sc"};
	static const char *mqs[] = {"-mpa", "-mpb", "-ms", "-msr", "-mld", "-mla"};
	char name[256];
	for (size_t i = 0; i < sizeof sems / sizeof *sems; i++) {
		objname(name, sizeof name, argv[1], sems[i]);
		sem_unlink(name);
	}
	for (size_t i = 0; i < sizeof mqs / sizeof *mqs; i++) {
		objname(name, sizeof name, argv[1], mqs[i]);
		mq_unlink(name);
	}
	for (int i = 0; i < 100; i++) {
		char suffix[16];
		snprintf(suffix, sizeof suffix, "-w%d", i);
		objname(name, sizeof name, argv[1], suffix);
		mq_unlink(name);
		snprintf(suffix, sizeof suffix, "-sw%d", i);
		objname(name, sizeof name, argv[1], suffix);
		sem_unlink(name);
	}
	objname(name, sizeof name, argv[1], "-shm");
	shm_unlink(name);
	return 0;
}
