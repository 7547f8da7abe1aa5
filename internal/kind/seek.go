package kind

import (
	"io"
	"math"
)

// Seek returns the offset Seek(offset, whence) from cur gives on a segment,
// as io.Seeker and os.File specify: counted from 0, from cur or from the
// size. state reports whether the handle may be used (an error such as
// fs.ErrClosed) and, when needSize is true (io.SeekEnd), the segment's size;
// it is not called for an unknown whence, which gives BadWhence. A result
// below 0 or past MaxInt64 gives SeekOutOfRange.
func Seek(offset int64, whence int, cur int64, state func(needSize bool) (int64, error)) (int64, error) {
	var base int64
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		base = cur
	case io.SeekEnd:
	default:
		return 0, BadWhence(whence)
	}
	size, err := state(whence == io.SeekEnd)
	if err != nil {
		return 0, err
	}
	if whence == io.SeekEnd {
		base = size
	}
	if (offset > 0 && base > math.MaxInt64-offset) || base+offset < 0 {
		return 0, SeekOutOfRange(offset, base)
	}
	return base + offset, nil
}
