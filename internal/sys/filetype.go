package sys

import "io/fs"

// NotRegularError is the error for a file that is not a regular file where
// an IPC object's file should be: a directory, a FIFO, a socket or a device
// planted under the object's name. Type is the file's type, as fs.FileMode
// type bits. errors.Is(err, syscall.ENODEV) holds, the errno an open or
// stat of such an object gives.
type NotRegularError struct{ Type fs.FileMode }

func (e *NotRegularError) Error() string { return "not a regular file" }
func (e *NotRegularError) Unwrap() error { return ENODEV }

// UnlinkErrno returns the error of a failed shm_unlink, sem_unlink or
// mq_unlink as glibc reports it: the kernel's EPERM (another user's object
// in the sticky /dev/shm or /dev/mqueue) becomes EACCES; the rest pass.
func UnlinkErrno(err error) error {
	if err == EPERM {
		return EACCES
	}
	return err
}
