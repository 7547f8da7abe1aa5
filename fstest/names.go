package fstest

// Objects by POSIX name: what reaches the objects whose names io/fs cannot
// carry (not UTF-8), as the host's package-level calls do.

import (
	"io/fs"
	"slices"
	"syscall"

	"github.com/ipcfs/ipcfs/internal/kind"
)

// Names returns the POSIX names (without the slash) of every object in dir
// ("shm", "mq" or "sem"), sorted bytewise, including names that are not
// valid io/fs path elements (not UTF-8), which ReadDir leaves out: the
// in-memory counterpart of listing the host's /dev/shm or /dev/mqueue.
// OpenShm, OpenMq, OpenSem and RemoveShm, RemoveMq, RemoveSem reach every
// name it returns. An unknown dir gives fs.ErrNotExist; queues of a MemFS
// made with MqueueUnmounted give ipcfs.ErrMqueueNotMounted.
func (m *MemFS) Names(dir string) ([]string, error) {
	k, ok := kind.Lookup(dir)
	if !ok {
		return nil, &fs.PathError{Op: "names", Path: dir, Err: fs.ErrNotExist}
	}
	if _, err := m.ReadDir(dir); err != nil {
		return nil, err
	}
	m.mu.Lock()
	var names []string
	for key := range m.objects {
		if key.Kind == k {
			names = append(names, key.Name)
		}
	}
	m.mu.Unlock()
	slices.Sort(names)
	return names, nil
}

// RemoveShm removes the segment name, as ipcfs.RemoveShm does on the host;
// unlike Remove it takes a POSIX name ("/x" or "x"), so it also reaches
// names that are not valid path elements.
func (m *MemFS) RemoveShm(name string) error { return m.removeName(kind.Shm, name) }

// RemoveMq removes the queue name, as ipcfs.RemoveMq does on the host.
func (m *MemFS) RemoveMq(name string) error { return m.removeName(kind.Mq, name) }

// RemoveSem removes the semaphore name, as ipcfs.RemoveSem does on the host.
func (m *MemFS) RemoveSem(name string) error { return m.removeName(kind.Sem, name) }

func (m *MemFS) removeName(k *kind.Kind, name string) error {
	n, err := k.Clean(name)
	if err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	key := kind.Path{Kind: k, Name: n}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.objects[key]; !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: syscall.ENOENT}
	}
	delete(m.objects, key)
	return nil
}
