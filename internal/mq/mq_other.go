//go:build !linux || !(amd64 || arm64 || arm || s390x || riscv64 || ppc64le || loong64)

package mq

import (
	"errors"
	"io/fs"
	"time"
)

// Message queues are Linux-only: every call fails with
// errors.ErrUnsupported.

// Open fails: message queues are implemented for Linux only.
func Open(string, int, uint32, *Attr) (int, error) { return -1, errors.ErrUnsupported }

// Unlink fails: message queues are implemented for Linux only.
func Unlink(string) error { return errors.ErrUnsupported }

// Close fails: message queues are implemented for Linux only.
func Close(int) error { return errors.ErrUnsupported }

// TrySend fails: message queues are implemented for Linux only.
func TrySend(int, []byte, uint) error { return errors.ErrUnsupported }

// TryReceive fails: message queues are implemented for Linux only.
func TryReceive(int, []byte) (int, uint, error) { return 0, 0, errors.ErrUnsupported }

// ReceiveBy fails: message queues are implemented for Linux only.
func ReceiveBy(int, []byte, int64) (int, uint, error) { return 0, 0, errors.ErrUnsupported }

// SendBy fails: message queues are implemented for Linux only.
func SendBy(int, []byte, uint, int64) error { return errors.ErrUnsupported }

// Reopen fails: message queues are implemented for Linux only.
func Reopen(int, int) (int, error) { return -1, errors.ErrUnsupported }

// GetAttr fails: message queues are implemented for Linux only.
func GetAttr(int) (Attr, error) { return Attr{}, errors.ErrUnsupported }

// NotifySignal fails: message queues are implemented for Linux only.
func NotifySignal(int, int) error { return errors.ErrUnsupported }

// NotifyThread fails: message queues are implemented for Linux only.
func NotifyThread(int, int, *[CookieLen]byte) error { return errors.ErrUnsupported }

// NotifyCancel fails: message queues are implemented for Linux only.
func NotifyCancel(int) error { return errors.ErrUnsupported }

// NetlinkSocket fails: message queues are implemented for Linux only.
func NetlinkSocket() (int, error) { return -1, errors.ErrUnsupported }

// Read fails: message queues are implemented for Linux only.
func Read(int, []byte) (int, error) { return 0, errors.ErrUnsupported }

// Qsize fails: message queues are implemented for Linux only.
func Qsize(int) (int64, error) { return 0, errors.ErrUnsupported }

// Fstat fails: message queues are implemented for Linux only.
func Fstat(int) (Stat, error) { return Stat{}, errors.ErrUnsupported }

// Lstat fails: message queues are implemented for Linux only.
func Lstat(string) (Stat, error) { return Stat{}, errors.ErrUnsupported }

// Fchmod fails: message queues are implemented for Linux only.
func Fchmod(int, fs.FileMode) error { return errors.ErrUnsupported }

// Fchown fails: message queues are implemented for Linux only.
func Fchown(int, int, int) error { return errors.ErrUnsupported }

// Futimens fails: message queues are implemented for Linux only.
func Futimens(int, time.Time, time.Time) error { return errors.ErrUnsupported }

// MountDev reports false: there is no mqueue file system here.
func MountDev() (uint64, bool) { return 0, false }

// Rlimit fails: message queues are implemented for Linux only.
func Rlimit() (uint64, error) { return 0, errors.ErrUnsupported }
