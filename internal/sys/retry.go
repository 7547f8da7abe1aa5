package sys

// Retry calls f until it returns something other than EINTR, and returns
// that: the one way every package of ipcfs retries a system call a signal
// interrupted.
func Retry(f func() error) error {
	for {
		if err := f(); err != EINTR {
			return err
		}
	}
}
