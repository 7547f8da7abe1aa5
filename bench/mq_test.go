package bench

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ipcfs/ipcfs"
	"golang.org/x/sys/unix"
)

// msgSize is the size of every benchmark message, as MSG in the C programs.
const msgSize = 64

// benchAttr is the attribute set of the ping-pong and stream queues: small,
// since RLIMIT_MSGQUEUE is shared by everyone on the machine.
var benchAttr = ipcfs.MqAttr{MaxMessages: 10, MessageSize: msgSize}

func init() {
	childRoles["mq-pong"] = mqPong
	childRoles["mq-sink"] = mqSink
	childRoles["mq-stamper"] = mqStamper
}

func mqCreate(suffix string, attr ipcfs.MqAttr) (*ipcfs.MqFile, string, error) {
	name := objName(suffix)
	q, err := ipcfs.OpenMq(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, &attr)
	return q, name, err
}

// unblockSend sends a short message to q so that a parent blocked receiving
// from it returns after its child died.
func unblockSend(q *ipcfs.MqFile) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	q.Send(ctx, []byte("child failed"), 0)
}

// unblockReceive takes a message from q so that a parent blocked sending to
// it returns after its child died.
func unblockReceive(q *ipcfs.MqFile) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	q.Receive(ctx, make([]byte, msgSize))
}

// mqPingPong bounces a 64-byte message n times (after warmup rounds)
// between this process and a child through two queues and returns the time
// the n round trips took. Same work as c/mq_pingpong.c.
func mqPingPong(n int, c clock) (time.Duration, error) {
	a, na, err := mqCreate("-mpa", benchAttr)
	if err != nil {
		return 0, err
	}
	defer a.Close()
	defer ipcfs.RemoveMq(na)
	b, nb, err := mqCreate("-mpb", benchAttr)
	if err != nil {
		return 0, err
	}
	defer b.Close()
	defer ipcfs.RemoveMq(nb)
	ctx := context.Background()
	ch, err := startChild("mq-pong", warmup+n, func() { unblockSend(b) }, na, nb)
	if err != nil {
		return 0, err
	}
	msg := bytes.Repeat([]byte{'x'}, msgSize)
	buf := make([]byte, msgSize)
	var start time.Time
	for i := range warmup + n {
		if i == warmup {
			ipcfs.RemoveMq(na)
			ipcfs.RemoveMq(nb)
			c.start()
			start = time.Now()
		}
		if err := a.Send(ctx, msg, 0); err != nil {
			ch.kill()
			return 0, err
		}
		m, _, err := b.Receive(ctx, buf)
		if err != nil {
			ch.kill()
			return 0, err
		}
		if err := ch.check(); err != nil {
			return 0, err
		}
		if m != msgSize {
			ch.kill()
			return 0, fmt.Errorf("received %d bytes, want %d", m, msgSize)
		}
	}
	d := time.Since(start)
	c.stop()
	return d, ch.wait()
}

// mqPong is the child of mqPingPong: n times, receive from the first queue
// and send what came to the second.
func mqPong(env childEnv) error {
	if len(env.names) != 2 {
		return fmt.Errorf("want 2 names, got %q", env.names)
	}
	a, err := ipcfs.OpenMq(env.names[0], os.O_RDONLY, 0, nil)
	if err != nil {
		return err
	}
	b, err := ipcfs.OpenMq(env.names[1], os.O_WRONLY, 0, nil)
	if err != nil {
		return err
	}
	ctx := context.Background()
	buf := make([]byte, msgSize)
	for range env.n {
		m, _, err := a.Receive(ctx, buf)
		if err != nil {
			return err
		}
		if err := b.Send(ctx, buf[:m], 0); err != nil {
			return err
		}
	}
	return nil
}

// mqStream sends n 64-byte messages to a child that receives them and
// returns the time from the first send until the child has the last message.
// Same work as c/mq_stream.c.
func mqStream(n int, c clock) (time.Duration, error) {
	q, name, err := mqCreate("-ms", benchAttr)
	if err != nil {
		return 0, err
	}
	defer q.Close()
	defer ipcfs.RemoveMq(name)
	ch, err := startChild("mq-sink", n, func() { unblockReceive(q) }, name)
	if err != nil {
		return 0, err
	}
	if err := ch.expect("r"); err != nil {
		return 0, err
	}
	ipcfs.RemoveMq(name)
	msg := bytes.Repeat([]byte{'x'}, msgSize)
	ctx := context.Background()
	c.start()
	start := time.Now()
	for range n {
		if err := q.Send(ctx, msg, 0); err != nil {
			ch.kill()
			return 0, err
		}
		if err := ch.check(); err != nil {
			return 0, err
		}
	}
	if err := ch.expect("d"); err != nil {
		return 0, err
	}
	d := time.Since(start)
	c.stop()
	return d, ch.wait()
}

// mqSink is the child of mqStream: say "r", receive n messages, say "d".
func mqSink(env childEnv) error {
	if len(env.names) != 1 {
		return fmt.Errorf("want 1 name, got %q", env.names)
	}
	q, err := ipcfs.OpenMq(env.names[0], os.O_RDONLY, 0, nil)
	if err != nil {
		return err
	}
	if err := say("r"); err != nil {
		return err
	}
	ctx := context.Background()
	buf := make([]byte, msgSize)
	for range env.n {
		if m, _, err := q.Receive(ctx, buf); err != nil {
			return err
		} else if m != msgSize {
			return fmt.Errorf("received %d bytes, want %d", m, msgSize)
		}
	}
	return say("d")
}

// BenchmarkMqPingPong: ns/op is one round trip between two processes.
func BenchmarkMqPingPong(b *testing.B) {
	b.ReportAllocs()
	if _, err := mqPingPong(b.N, benchClock(b)); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkMqStream: msgs/s is the rate at which b.N messages go from one
// process to another (bench/run uses -benchtime=1000000x).
func BenchmarkMqStream(b *testing.B) {
	b.ReportAllocs()
	d, err := mqStream(b.N, benchClock(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/d.Seconds(), "msgs/s")
}

// BenchmarkMqSendReceive: one Send and one Receive of a 64-byte message on
// one queue in one process; allocs/op must be 0.
func BenchmarkMqSendReceive(b *testing.B) {
	b.ReportAllocs()
	q, name, err := mqCreate("-msr", benchAttr)
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close()
	ipcfs.RemoveMq(name)
	ctx := context.Background()
	msg := bytes.Repeat([]byte{'x'}, msgSize)
	buf := make([]byte, msgSize)
	b.ResetTimer()
	for range b.N {
		if err := q.Send(ctx, msg, 0); err != nil {
			b.Fatal(err)
		}
		if _, _, err := q.Receive(ctx, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMqPingPongGoroutines: ns/op is one round trip between two
// goroutines of this process over two queues, each receive waiting on the
// runtime poller (no second process).
func BenchmarkMqPingPongGoroutines(b *testing.B) {
	b.ReportAllocs()
	ping, na, err := mqCreate("-mpa", benchAttr)
	if err != nil {
		b.Fatal(err)
	}
	defer ping.Close()
	ipcfs.RemoveMq(na)
	pong, nb, err := mqCreate("-mpb", benchAttr)
	if err != nil {
		b.Fatal(err)
	}
	defer pong.Close()
	ipcfs.RemoveMq(nb)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, msgSize)
		for {
			n, _, err := ping.Receive(context.Background(), buf)
			if err != nil {
				return
			}
			if err := pong.Send(context.Background(), buf[:n], 0); err != nil {
				return
			}
		}
	}()
	msg := make([]byte, 16)
	buf := make([]byte, msgSize)
	b.ResetTimer()
	for range b.N {
		if _, err := ping.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := pong.Read(buf); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	ping.Close()
	<-done
}

// latencyWarmup is the number of untimed messages before mqLatency records,
// as LAT_WARMUP in c/mq_latency.c.
const latencyWarmup = 200

// monotonicNow is CLOCK_MONOTONIC in nanoseconds: the clock both processes
// of mqLatency read, as c/mq_latency.c does.
func monotonicNow() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}

// mqLatency measures n one-way latencies, from the Send call in a child
// process to the return of the Receive that gets the message here, with
// this process already waiting: the child sends a 64-byte message stamped
// with CLOCK_MONOTONIC after an idle gap, this process takes the clock
// when Receive returns and acknowledges through a second queue. Same work
// as c/mq_latency.c. It returns the median and the 99th percentile.
func mqLatency(n int, gap time.Duration) (p50, p99 time.Duration, err error) {
	data, nd, err := mqCreate("-mld", benchAttr)
	if err != nil {
		return 0, 0, err
	}
	defer data.Close()
	defer ipcfs.RemoveMq(nd)
	ack, na, err := mqCreate("-mla", benchAttr)
	if err != nil {
		return 0, 0, err
	}
	defer ack.Close()
	defer ipcfs.RemoveMq(na)
	os.Setenv("IPCFS_BENCH_GAP", gap.String())
	ch, err := startChild("mq-stamper", latencyWarmup+n, func() { unblockSend(data) }, nd, na)
	if err != nil {
		return 0, 0, err
	}
	ctx := context.Background()
	buf := make([]byte, msgSize)
	lat := make([]time.Duration, 0, n)
	for i := range latencyWarmup + n {
		m, _, err := data.Receive(ctx, buf)
		now := monotonicNow()
		if err != nil {
			ch.kill()
			return 0, 0, err
		}
		if err := ch.check(); err != nil {
			return 0, 0, err
		}
		if m != msgSize {
			ch.kill()
			return 0, 0, fmt.Errorf("received %d bytes, want %d", m, msgSize)
		}
		if i >= latencyWarmup {
			lat = append(lat, time.Duration(now-int64(binary.LittleEndian.Uint64(buf))))
		}
		if err := ack.Send(ctx, buf[:1], 0); err != nil {
			ch.kill()
			return 0, 0, err
		}
	}
	if err := ch.wait(); err != nil {
		return 0, 0, err
	}
	slices.Sort(lat)
	return lat[len(lat)/2], lat[(len(lat)-1)*99/100], nil
}

// mqStamper is the child of mqLatency: n times, wait the gap, send a
// message stamped with the monotonic clock, wait for the acknowledgement.
func mqStamper(env childEnv) error {
	if len(env.names) != 2 {
		return fmt.Errorf("want 2 names, got %q", env.names)
	}
	gap, err := time.ParseDuration(os.Getenv("IPCFS_BENCH_GAP"))
	if err != nil {
		return err
	}
	data, err := ipcfs.OpenMq(env.names[0], os.O_WRONLY, 0, nil)
	if err != nil {
		return err
	}
	ack, err := ipcfs.OpenMq(env.names[1], os.O_RDONLY, 0, nil)
	if err != nil {
		return err
	}
	ctx := context.Background()
	msg := bytes.Repeat([]byte{'x'}, msgSize)
	buf := make([]byte, msgSize)
	for range env.n {
		idle(gap)
		binary.LittleEndian.PutUint64(msg, uint64(monotonicNow()))
		if err := data.Send(ctx, msg, 0); err != nil {
			return err
		}
		if _, _, err := ack.Receive(ctx, buf); err != nil {
			return err
		}
	}
	return nil
}

// idle waits d in nanosleep, as the C child does. Not time.Sleep: an idle
// Go process waits for timers in epoll_pwait, whose timeout is in whole
// milliseconds, so time.Sleep(200µs) sleeps a millisecond or more, longer
// than the kernel-sleep bound of the receiver it was meant to measure.
func idle(d time.Duration) {
	ts := unix.NsecToTimespec(d.Nanoseconds())
	for unix.Nanosleep(&ts, &ts) == unix.EINTR {
	}
}

// mqLatencyGap is the idle time before each message of BenchmarkMqLatency:
// IPCFS_BENCH_GAP_US microseconds, default 200 (as c/mq_latency.c).
func mqLatencyGap() time.Duration {
	if us, err := strconv.Atoi(os.Getenv("IPCFS_BENCH_GAP_US")); err == nil && us >= 0 {
		return time.Duration(us) * time.Microsecond
	}
	return 200 * time.Microsecond
}

// BenchmarkMqLatency: p50-ns and p99-ns are the one-way latencies, Send in
// one process to Receive returning in another, of b.N messages (bench/run
// uses -benchtime=Nx); ns/op includes the idle gap.
func BenchmarkMqLatency(b *testing.B) {
	b.ReportAllocs()
	p50, p99, err := mqLatency(b.N, mqLatencyGap())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(p50.Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(p99.Nanoseconds()), "p99-ns")
}
