//go:build !linux

package sem

import "errors"

// Mapping is an open semaphore; on this system none can be opened.
type Mapping struct {
	Mem []byte
	Fd  int
}

// Word returns the semaphore in the mapping.
func (m *Mapping) Word() Word { return NewWord(m.Mem) }

// Close is unsupported outside Linux.
func (m *Mapping) Close() error { return errors.ErrUnsupported }

// CloseFd is unsupported outside Linux.
func (m *Mapping) CloseFd() error { return errors.ErrUnsupported }

// Stat is unsupported outside Linux.
func (m *Mapping) Stat() (Info, error) { return Info{}, errors.ErrUnsupported }

// Peek is unsupported outside Linux.
func Peek(path string) (Info, uint32, bool, error) { return Info{}, 0, false, errors.ErrUnsupported }

// Open is unsupported outside Linux.
func Open(path string, create, excl bool, perm uint32, value uint32) (*Mapping, error) {
	return nil, errors.ErrUnsupported
}

// Unlink is unsupported outside Linux.
func Unlink(path string) error { return errors.ErrUnsupported }
