package sem

import (
	"encoding/binary"
	"fmt"
	"runtime"
)

// Layout says where glibc keeps a named semaphore's fields on one
// architecture (sysdeps/nptl/internaltypes.h, struct new_sem), and so what
// the semaphore file holds. glibc has two variants:
//
// With 64-bit atomics (__WORDSIZE == 64): sem_t is 32 bytes,
//
//	uint64 data    value in the low 32 bits, nwaiters in the high 32 bits
//	int32  private 128 (FUTEX_PRIVATE_FLAG: shared futexes), at offset 8
//	int32  pad; 16 more zero bytes
//
// and the futex word is the low half of data: byte offset 0 on
// little-endian machines, 4 on big-endian ones (SEM_VALUE_OFFSET).
//
// Without them (32-bit: 386, arm, mips, mipsle): sem_t is 16 bytes,
//
//	uint32 value    value<<1 | the waiters bit (SEM_NWAITERS_MASK): the futex word
//	int32  private  128, at offset 4
//	int32  pad
//	uint32 nwaiters at offset 12
//
// Every field is in the machine's byte order.
type Layout struct {
	// Size is sizeof(sem_t): the bytes glibc writes into a new file and
	// maps.
	Size int
	// Order is the byte order of every field.
	Order binary.ByteOrder
	// Wide is true for the 64-bit variant: value and nwaiters are the two
	// halves of one 64-bit word that is updated atomically as a whole.
	Wide bool
	// ValueOff is the byte offset of the 32-bit futex word, which holds
	// the value shifted left by ValueShift; in the 32-bit variant its bit
	// 0 says that waiters may be registered.
	ValueOff   int
	ValueShift uint
	// NwaitersOff is the byte offset of the 32-bit count of registered
	// waiters; PrivateOff that of the private field.
	NwaitersOff int
	PrivateOff  int
}

var (
	wideLE   = Layout{Size: 32, Order: binary.LittleEndian, Wide: true, ValueOff: 0, NwaitersOff: 4, PrivateOff: 8}
	wideBE   = Layout{Size: 32, Order: binary.BigEndian, Wide: true, ValueOff: 4, NwaitersOff: 0, PrivateOff: 8}
	narrowLE = Layout{Size: 16, Order: binary.LittleEndian, ValueOff: 0, ValueShift: 1, NwaitersOff: 12, PrivateOff: 4}
	narrowBE = Layout{Size: 16, Order: binary.BigEndian, ValueOff: 0, ValueShift: 1, NwaitersOff: 12, PrivateOff: 4}
)

// layouts holds glibc's layout for every GOARCH Go supports on Linux.
var layouts = map[string]Layout{
	"amd64": wideLE, "arm64": wideLE, "riscv64": wideLE, "ppc64le": wideLE, "loong64": wideLE, "mips64le": wideLE,
	"s390x": wideBE, "ppc64": wideBE, "mips64": wideBE,
	"386": narrowLE, "arm": narrowLE, "mipsle": narrowLE,
	"mips": narrowBE,
}

// LayoutOf returns glibc's semaphore layout on Linux for goarch.
func LayoutOf(goarch string) (Layout, bool) {
	l, ok := layouts[goarch]
	return l, ok
}

// Host is the layout of the architecture this program runs on (the 64-bit
// little-endian one for a GOARCH Linux does not run on, where nothing
// opens a semaphore).
var Host = hostLayout()

func hostLayout() Layout {
	if l, ok := layouts[runtime.GOARCH]; ok {
		return l
	}
	return wideLE
}

// Image returns the bytes glibc's sem_open writes into a new semaphore
// file: value in the futex word, 128 in the private field, zeros elsewhere.
func (l Layout) Image(value uint32) []byte {
	b := make([]byte, l.Size)
	l.Order.PutUint32(b[l.ValueOff:], value<<l.ValueShift)
	l.Order.PutUint32(b[l.PrivateOff:], Shared)
	return b
}

// Forge returns a semaphore file's bytes holding exactly the given raw
// fields: the futex word as stored (for the 32-bit variant value<<1 |
// waiters bit), nwaiters and private. For tests of files that other
// processes wrote or corrupted.
func (l Layout) Forge(futexWord, nwaiters uint32, private int32) []byte {
	b := make([]byte, l.Size)
	l.Order.PutUint32(b[l.ValueOff:], futexWord)
	l.Order.PutUint32(b[l.NwaitersOff:], nwaiters)
	l.Order.PutUint32(b[l.PrivateOff:], uint32(private))
	return b
}

// Fields returns the raw fields of the semaphore whose first bytes are
// head (at least Size of them): the futex word as stored, nwaiters and
// private.
func (l Layout) Fields(head []byte) (futexWord, nwaiters uint32, private int32) {
	return l.Order.Uint32(head[l.ValueOff:]), l.Order.Uint32(head[l.NwaitersOff:]), int32(l.Order.Uint32(head[l.PrivateOff:]))
}

// Parse checks that the first bytes of a file hold a named semaphore in
// this layout (at least Size bytes, the private field 128, a value within
// ValueMax) and returns its value. Errors wrap ErrNotSemaphore.
func (l Layout) Parse(head []byte) (value uint32, err error) {
	if len(head) < l.Size {
		return 0, fmt.Errorf("%w: %d bytes, want %d", ErrNotSemaphore, len(head), l.Size)
	}
	word, _, private := l.Fields(head)
	if private != Shared {
		return 0, fmt.Errorf("%w: private field %d, want %d", ErrNotSemaphore, private, Shared)
	}
	value = word >> l.ValueShift
	if value > ValueMax {
		return 0, fmt.Errorf("%w: value %d above SEM_VALUE_MAX", ErrNotSemaphore, value)
	}
	return value, nil
}

// Image returns the bytes glibc writes into a new semaphore file on this
// machine (Host.Image).
func Image(value uint32) []byte { return Host.Image(value) }

// Validate checks that the first bytes of a file hold a named semaphore in
// this machine's layout (Host.Parse).
func Validate(head []byte) error {
	_, err := Host.Parse(head)
	return err
}

// Decode returns the value and nwaiters stored in the first bytes of a
// semaphore (a file's head, read without mapping it: at least Size bytes).
func (l Layout) Decode(head []byte) State {
	word, nwaiters, _ := l.Fields(head)
	return State{Value: word >> l.ValueShift, Waiters: nwaiters}
}

// Decode returns the state stored in the first bytes of a semaphore in
// this machine's layout (Host.Decode).
func Decode(head []byte) State { return Host.Decode(head) }
