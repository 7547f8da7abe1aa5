//go:build linux && (amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package ipcfs

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ipcfs/ipcfs/internal/testenv"
)

func init() {
	// mq-notify-holder: register for notification on $IPCFS_MQ_NAME, say
	// "registered", and hold the registration until stdin closes.
	childRoles["mq-notify-holder"] = func() int {
		q, err := OpenMq(os.Getenv("IPCFS_MQ_NAME"), os.O_RDONLY, 0, nil)
		if err != nil {
			os.Stdout.WriteString("open: " + err.Error() + "\n")
			return 1
		}
		if err := q.Notify(func() {}); err != nil {
			os.Stdout.WriteString("notify: " + err.Error() + "\n")
			return 1
		}
		os.Stdout.WriteString("registered\n")
		bufio.NewReader(os.Stdin).ReadString('\n')
		return 0
	}
}

// mqStatus returns the queue's kernel status line (QSIZE, NOTIFY, SIGNO,
// NOTIFY_PID), read without consuming anything.
func mqStatus(t testing.TB, q *MqFile) string {
	t.Helper()
	rc, err := q.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var line string
	rc.Control(func(fd uintptr) {
		var buf [128]byte
		n, err := unix.Pread(int(fd), buf[:], 0)
		if err != nil {
			t.Fatalf("pread: %v", err)
		}
		line = strings.Join(strings.Fields(string(buf[:n])), " ")
	})
	return line
}

// mqRegistered reports whether the status line shows a registration.
func mqRegistered(t testing.TB, q *MqFile) bool {
	return !strings.Contains(mqStatus(t, q), "NOTIFY_PID:0")
}

func mqAwait[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func TestMqNotifyCallsCallbackOnceOnArrival(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoMqNotify)
	q := mqCreate(t, 0, mqSmall)
	fired := make(chan struct{}, 2)
	if err := q.Notify(func() { fired <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	if st := mqStatus(t, q); !strings.Contains(st, "NOTIFY:2") || !mqRegistered(t, q) {
		t.Fatalf("status after Notify = %q, want a SIGEV_THREAD registration", st)
	}
	mqSend(t, q, "a", 0)
	mqAwait(t, fired, "the callback")
	if mqRegistered(t, q) {
		t.Errorf("registration still there after firing: %q", mqStatus(t, q))
	}
	if msg, _ := mqRecv(t, q); msg != "a" {
		t.Errorf("got %q", msg)
	}
	// One-shot: the kernel dropped it, so registering again is not busy.
	if err := q.Notify(func() {}); err != nil {
		t.Errorf("Notify after firing: %v", err)
	}
	q.CancelNotify()
}

func TestMqNotifyCanReArmFromTheCallback(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoMqNotify)
	q := mqCreate(t, 0, mqSmall)
	var count atomic.Int32
	fired := make(chan error, 3)
	var fn func()
	fn = func() {
		var err error
		if count.Add(1) == 1 {
			err = q.Notify(fn)
		}
		fired <- err
	}
	if err := q.Notify(fn); err != nil {
		t.Fatal(err)
	}
	mqSend(t, q, "a", 0)
	if err := mqAwait(t, fired, "first callback"); err != nil {
		t.Fatalf("Notify from the callback: %v", err)
	}
	mqRecv(t, q)
	mqSend(t, q, "b", 0)
	mqAwait(t, fired, "second callback")
	if n := count.Load(); n != 2 {
		t.Errorf("callback ran %d times, want 2", n)
	}
}

func TestMqNotifyChanReceivesOnce(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoMqNotify)
	q := mqCreate(t, 0, mqSmall)
	ch, err := q.NotifyChan()
	if err != nil {
		t.Fatal(err)
	}
	mqSend(t, q, "x", 0)
	mqAwait(t, ch, "the channel")
}

func TestMqCancelNotifyRemovesTheRegistration(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoMqNotify)
	q := mqCreate(t, 0, mqSmall)
	first, err := q.NotifyChan()
	if err != nil {
		t.Fatal(err)
	}
	if err := q.CancelNotify(); err != nil {
		t.Fatal(err)
	}
	if mqRegistered(t, q) {
		t.Fatalf("still registered after CancelNotify: %q", mqStatus(t, q))
	}
	second, err := q.NotifyChan()
	if err != nil {
		t.Fatalf("Notify after CancelNotify: %v", err)
	}
	mqSend(t, q, "x", 0)
	mqAwait(t, second, "the new registration")
	select {
	case <-first:
		t.Errorf("cancelled registration fired")
	default:
	}
	if err := q.CancelNotify(); err != nil { // nothing registered: no error
		t.Errorf("CancelNotify with nothing registered: %v", err)
	}
}

func TestMqNotifyBusyWhenAlreadyRegistered(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoMqNotify)
	q := mqCreate(t, 0, mqSmall)
	t.Run("same process", func(t *testing.T) {
		if err := q.Notify(func() {}); err != nil {
			t.Fatal(err)
		}
		defer q.CancelNotify()
		err := q.NotifySignal(syscall.Signal(MqSignalMin))
		if !errors.Is(err, ErrBusy) || !errors.Is(err, syscall.EBUSY) {
			t.Errorf("second registration: %v, want ErrBusy", err)
		}
	})
	t.Run("other process", func(t *testing.T) {
		cmd := childCommand(t, "mq-notify-holder", "IPCFS_MQ_NAME="+q.Name())
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		if line != "registered\n" {
			stdin.Close()
			cmd.Wait()
			t.Fatalf("child: %q", line)
		}
		err := q.Notify(func() {})
		if !errors.Is(err, ErrBusy) {
			t.Errorf("Notify while a child is registered: %v, want ErrBusy", err)
		}
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
		if err := q.Notify(func() {}); err != nil {
			t.Errorf("Notify after the child exited: %v", err)
		}
		q.CancelNotify()
	})
}

func TestMqNotifySignalDeliversTheSignal(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoMqNotify)
	q := mqCreate(t, 0, mqSmall)
	sig := syscall.Signal(MqSignalMin + 5)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sig)
	defer signal.Stop(ch)
	if err := q.NotifySignal(sig); err != nil {
		t.Fatal(err)
	}
	if st := mqStatus(t, q); !strings.Contains(st, "SIGNO:40") {
		t.Errorf("status = %q, want SIGNO:40", st)
	}
	mqSend(t, q, "x", 0)
	if got := mqAwait(t, ch, "the signal"); got != sig {
		t.Errorf("got signal %v, want %v", got, sig)
	}
	if mqRegistered(t, q) {
		t.Errorf("signal registration not one-shot: %q", mqStatus(t, q))
	}
}

func TestMqRegistrationSurvivesStatButNotClosingAnotherHandle(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoMqNotify)
	q := mqCreate(t, 0, mqSmall)
	if err := q.Notify(func() {}); err != nil {
		t.Fatal(err)
	}
	ns, p, now := New(), "mq"+q.Name(), time.Now()
	if _, err := ns.Stat(p); err != nil {
		t.Fatal(err)
	}
	if !mqRegistered(t, q) {
		t.Errorf("FS.Stat removed this process's registration")
	}
	if err := errors.Join(ns.Chmod(p, 0o640), ns.Chown(p, -1, -1), ns.Chtimes(p, now, now)); err != nil {
		t.Fatal(err)
	}
	if !mqRegistered(t, q) {
		t.Errorf("FS.Chmod, Chown or Chtimes removed this process's registration")
	}
	// The kernel rule (linux-ipc.md 9.4): closing any descriptor of the
	// queue in the registered process removes the registration.
	q2, err := OpenMq(q.Name(), os.O_RDONLY, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	q2.Close()
	if mqRegistered(t, q) {
		t.Errorf("registration survived closing another handle: %q", mqStatus(t, q))
	}
}

// A registration made through a write-only handle survives a Stat by name
// too: the write-only handle is used (it cannot read the bytes queued, so
// Bytes is -1) rather than a descriptor opened and closed for the call.
func TestMqRegistrationOnWriteOnlyHandleSurvivesStat(t *testing.T) {
	testenv.SkipIfEmulated(t, testenv.NoMqNotify)
	q := mqCreate(t, 0, mqSmall)
	w := mqOpenAgain(t, q, os.O_WRONLY)
	q.Close()
	fired, err := w.NotifyChan()
	if err != nil {
		t.Fatal(err)
	}
	ns, p, now := New(), "mq"+w.Name(), time.Now()
	fi, err := ns.Stat(p)
	if err != nil || fi.Sys().(MqInfo).Attr.MaxMessages != mqSmall.MaxMessages || fi.Sys().(MqInfo).Bytes != -1 {
		t.Fatalf("Stat(%s) = %v, %v; want the write-only handle's view (Bytes -1)", p, fi, err)
	}
	if err := errors.Join(ns.Chmod(p, 0o640), ns.Chown(p, -1, -1), ns.Chtimes(p, now, now)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	mqAwait(t, fired, "the notification (a registration cancelled by Stat, Chmod, Chown or Chtimes never fires)")
}

// NotifySignal takes only signals a program may catch and the Go runtime
// leaves to it: SIGUSR1, SIGUSR2 and the real-time signals MqSignalMin to
// MqSignalMax. Anything else (SIGKILL and SIGSTOP, which would kill or
// stop the process when a message arrives; signals the runtime or glibc
// use) is fs.ErrInvalid and registers nothing.
func TestMqNotifySignalAcceptsOnlyFreeCatchableSignals(t *testing.T) {
	q := mqCreate(t, 0, mqSmall)
	refused := []syscall.Signal{0, syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGILL,
		syscall.SIGTRAP, syscall.SIGABRT, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGKILL, syscall.SIGSEGV,
		syscall.SIGPIPE, syscall.SIGALRM, syscall.SIGTERM, syscall.SIGSTKFLT, syscall.SIGCHLD, syscall.SIGCONT,
		syscall.SIGSTOP, syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGURG, syscall.SIGXCPU,
		syscall.SIGXFSZ, syscall.SIGVTALRM, syscall.SIGPROF, syscall.SIGWINCH, syscall.SIGIO, syscall.SIGPWR,
		syscall.SIGSYS, 32, 33, 34, MqSignalMax + 1, -1}
	for _, sig := range refused {
		err := q.NotifySignal(sig)
		var pe *fs.PathError
		if !errors.As(err, &pe) || !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("NotifySignal(%d %v) = %v; want fs.ErrInvalid", int(sig), sig, err)
		}
		if err == nil {
			q.CancelNotify()
		}
	}
	if testenv.Emulated() {
		t.Skip(testenv.NoMqNotify) // the refusals above make no system call
	}
	if mqRegistered(t, q) {
		t.Errorf("a refused signal registered: %q", mqStatus(t, q))
	}
	for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGUSR2, MqSignalMin, MqSignalMax} {
		if err := q.NotifySignal(sig); err != nil {
			t.Errorf("NotifySignal(%v) = %v; want nil", sig, err)
			continue
		}
		if !mqRegistered(t, q) {
			t.Errorf("NotifySignal(%v) registered nothing", sig)
		}
		if err := q.CancelNotify(); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.NotifySignal(os.Interrupt); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("NotifySignal(os.Interrupt) = %v; want fs.ErrInvalid", err)
	}
}
