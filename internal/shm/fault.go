package shm

import (
	"runtime/debug"
	"unsafe"
)

// Guard runs fn with runtime/debug.SetPanicOnFault enabled for the calling
// goroutine, so that touching a page of a shared mapping that no longer has
// a backing page (SIGBUS: the file shrank, or tmpfs is full) panics instead
// of killing the process. A fault at an address for which owns reports true
// is recovered and reported as faulted; any other panic, including a fault
// elsewhere, goes on. The goroutine's previous setting is restored.
func Guard(owns func(addr uintptr) bool, fn func()) (faulted bool) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			if e, ok := r.(interface{ Addr() uintptr }); ok && owns(e.Addr()) {
				faulted = true
				return
			}
			panic(r)
		}
	}()
	fn()
	return false
}

// Contains reports whether addr lies inside the memory of m (a mapping),
// for Guard's owns.
func Contains(m []byte, addr uintptr) bool {
	if len(m) == 0 {
		return false
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(m)))
	return addr >= base && addr-base < uintptr(len(m))
}
