//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package mq

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

// layoutC prints what the C compiler for this architecture (its glibc and
// kernel headers) says of the structures the wrappers hand the kernel.
const layoutC = `#include <stdio.h>
#include <stddef.h>
#include <mqueue.h>
#include <signal.h>
#include <linux/time_types.h>
int main(void) {
	printf("%zu %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu\n",
		sizeof(struct mq_attr), offsetof(struct mq_attr, mq_flags), offsetof(struct mq_attr, mq_maxmsg),
		offsetof(struct mq_attr, mq_msgsize), offsetof(struct mq_attr, mq_curmsgs),
		offsetof(struct mq_attr, mq_curmsgs) + sizeof(long),
		sizeof(struct sigevent), offsetof(struct sigevent, sigev_value), offsetof(struct sigevent, sigev_signo),
		offsetof(struct sigevent, sigev_notify), sizeof(struct __kernel_timespec));
	return 0;
}
`

// TestLayoutsMatchC compares the Go structures with C's, built by the C
// compiler of this GOARCH (natively gcc, under emulation Debian's cross
// compiler) and run on it.
func TestLayoutsMatchC(t *testing.T) {
	bin := testenv.BuildC(t, layoutC)
	out, err := testenv.Command(bin).Output()
	if err != nil {
		t.Fatalf("C: %v", err)
	}
	var a kattr
	var s Sigevent
	got := fmt.Sprint(unsafe.Sizeof(a), unsafe.Offsetof(a.Flags), unsafe.Offsetof(a.Maxmsg), unsafe.Offsetof(a.Msgsize),
		unsafe.Offsetof(a.Curmsgs), unsafe.Offsetof(a.Reserved),
		unsafe.Sizeof(s), unsafe.Offsetof(s.Value), unsafe.Offsetof(s.Signo), unsafe.Offsetof(s.Notify),
		unsafe.Sizeof(Timespec{}))
	if want := strings.TrimSpace(string(out)); got != want {
		t.Errorf("Go: %s\nC:  %s\n(mq_attr size, flags, maxmsg, msgsize, curmsgs, reserved; sigevent size, value, signo, notify; __kernel_timespec size)", got, want)
	}
}
