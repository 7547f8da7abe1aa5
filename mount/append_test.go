package mount_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/ipcfs/ipcfs"
	ipcfstest "github.com/ipcfs/ipcfs/fstest"
	"github.com/ipcfs/ipcfs/mount"
	"github.com/spf13/afero"
)

// Appends through separate O_APPEND handles of one segment never overwrite
// each other (issue 12: two handles appending 2 x 2,000 records kept
// 2,720), on the host and on MemFS, through Write and through io.Copy.
func TestAppendsThroughSeparateHandlesLoseNothing(t *testing.T) {
	for _, c := range []struct {
		name string
		ns   ipcfs.Namespace
	}{{"MemFS", ipcfstest.NewMemFS()}, {"host", ipcfs.New()}} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "host" && len(hostMissing(ipcfs.New())) > 0 {
				t.Skip("no host namespace on this system")
			}
			afs := mount.New(c.ns)
			p := fmt.Sprintf("/shm/append-%d-%s", os.Getpid(), c.name)
			t.Cleanup(func() { afs.Remove(p) })
			if err := afero.WriteFile(afs, p, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			const writers, records = 4, 2000
			var wg sync.WaitGroup
			for w := range writers {
				f, err := afs.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
				if err != nil {
					t.Fatal(err)
				}
				wg.Go(func() {
					defer f.Close()
					for i := range records {
						rec := fmt.Sprintf("w%d r%05d\n", w, i)
						var err error
						if i%2 == 0 {
							_, err = f.WriteString(rec)
						} else {
							_, err = io.Copy(f, onlyReader{bytes.NewReader([]byte(rec))})
						}
						if err != nil {
							t.Errorf("writer %d record %d: %v", w, i, err)
							return
						}
					}
				})
			}
			wg.Wait()
			b, err := afero.ReadFile(afs, p)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, line := range bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
				seen[string(line)]++
			}
			for w := range writers {
				for i := range records {
					if rec := fmt.Sprintf("w%d r%05d", w, i); seen[rec] != 1 {
						t.Errorf("record %q found %d times; want 1", rec, seen[rec])
					}
				}
			}
			if want := writers * records * len("w0 r00000\n"); len(b) != want {
				t.Errorf("segment holds %d bytes; want %d (%d records)", len(b), want, writers*records)
			}
		})
	}
}

// onlyReader hides every method but Read, so io.Copy uses the file's
// ReadFrom.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }
