package conversation

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// Params are the conversation's settings, read from a params.txt file in
// posix_ipc's format: one KEY=value per line, blank lines and lines starting
// with '#' ignored, keys case-insensitive, PERMISSIONS in octal.
type Params struct {
	// Iterations is the number of round trips (ITERATIONS).
	Iterations int
	// LiveDangerously skips the semaphore (LIVE_DANGEROUSLY=1), so the shared
	// memory conversation races and corruption is likely.
	LiveDangerously bool
	// SemaphoreName names the semaphore (SEMAPHORE_NAME).
	SemaphoreName string
	// SharedMemoryName names the segment (SHARED_MEMORY_NAME).
	SharedMemoryName string
	// MessageQueueName names the queue (MESSAGE_QUEUE_NAME).
	MessageQueueName string
	// Permissions is the mode of the objects Premise creates (PERMISSIONS).
	Permissions fs.FileMode
	// ShmSize is the segment's size in bytes (SHM_SIZE).
	ShmSize int64
}

// DefaultParams returns the values of posix_ipc's demo params.txt (1,000
// iterations, mode 0600, a 4,096-byte segment).
func DefaultParams() Params {
	return Params{
		Iterations:       1000,
		SemaphoreName:    "/wuthering_heights",
		SharedMemoryName: "/four_yorkshiremen",
		MessageQueueName: "/my_message_queue",
		Permissions:      0o600,
		ShmSize:          4096,
	}
}

// ParseParams reads params.txt text from r. Keys it does not set keep their
// DefaultParams values; unknown keys are ignored, as posix_ipc's demos do.
// A line without '=' or a value that is not a number where one is expected
// is an error naming the line.
func ParseParams(r io.Reader) (Params, error) {
	p := DefaultParams()
	sc := bufio.NewScanner(r)
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return Params{}, fmt.Errorf("params line %d: %q is not KEY=value", lineNo, line)
		}
		key, value = strings.ToUpper(strings.TrimSpace(key)), strings.TrimSpace(value)
		if err := p.set(key, value); err != nil {
			return Params{}, fmt.Errorf("params line %d: %s: %w", lineNo, key, err)
		}
	}
	if err := sc.Err(); err != nil {
		return Params{}, err
	}
	return p, p.Validate()
}

func (p *Params) set(key, value string) error {
	switch key {
	case "SEMAPHORE_NAME":
		p.SemaphoreName = value
	case "SHARED_MEMORY_NAME":
		p.SharedMemoryName = value
	case "MESSAGE_QUEUE_NAME":
		p.MessageQueueName = value
	case "PERMISSIONS":
		n, err := strconv.ParseUint(value, 8, 32)
		if err != nil || n > 0o777 {
			return fmt.Errorf("%q is not an octal mode like 0600", value)
		}
		p.Permissions = fs.FileMode(n)
	case "ITERATIONS", "LIVE_DANGEROUSLY", "SHM_SIZE":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a decimal number", value)
		}
		switch key {
		case "ITERATIONS":
			p.Iterations = int(n)
		case "LIVE_DANGEROUSLY":
			p.LiveDangerously = n != 0
		case "SHM_SIZE":
			p.ShmSize = n
		}
	}
	return nil
}

// minShmSize is the smallest segment that holds the conversation: a 32-byte
// digest or a 25-byte time string, and the NUL.
const minShmSize = 64

// Validate reports the first setting the conversation cannot run with.
func (p Params) Validate() error {
	switch {
	case p.Iterations < 1:
		return fmt.Errorf("ITERATIONS must be at least 1, not %d", p.Iterations)
	case p.ShmSize < minShmSize:
		return fmt.Errorf("SHM_SIZE must be at least %d, not %d", minShmSize, p.ShmSize)
	case p.Permissions&0o600 != 0o600:
		return fmt.Errorf("PERMISSIONS %#o must let the owner read and write", p.Permissions)
	}
	return nil
}

// ReadParamsFile reads and parses the params.txt file at path.
func ReadParamsFile(path string) (Params, error) {
	f, err := os.Open(path)
	if err != nil {
		return Params{}, err
	}
	defer f.Close()
	p, err := ParseParams(f)
	if err != nil {
		return Params{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// String returns p in params.txt format, readable by ParseParams, by the C
// examples and by posix_ipc's demos.
func (p Params) String() string {
	dangerous := 0
	if p.LiveDangerously {
		dangerous = 1
	}
	return fmt.Sprintf("# Mrs. Premise and Mrs. Conclusion (posix_ipc demo format)\n"+
		"ITERATIONS=%d\nLIVE_DANGEROUSLY=%d\nSEMAPHORE_NAME=%s\nSHARED_MEMORY_NAME=%s\n"+
		"MESSAGE_QUEUE_NAME=%s\nPERMISSIONS=%04o\nSHM_SIZE=%d\n",
		p.Iterations, dangerous, p.SemaphoreName, p.SharedMemoryName,
		p.MessageQueueName, uint32(p.Permissions.Perm()), p.ShmSize)
}
