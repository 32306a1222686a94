package btree

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kvlab/kvlab/vfs"
)

func TestCompactShrinksFile(t *testing.T) {
	s := seed(t)
	r := newRand(s)
	fs := vfs.NewMem()
	o := Options{PageSize: 1 << 10, PoolSize: 1 << 20, CheckpointSize: 64 << 10, OverflowThreshold: 100}
	db, err := Open(fs, "/db", o)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := map[string]string{}
	for i := range 4000 {
		k := fmt.Sprintf("key%06d", i)
		v := value(r, 100)
		m[k] = v
		if err := db.Put([]byte(k), []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	// Delete most keys, scattered, so that free pages are everywhere.
	for i := range 4000 {
		if i%10 != 0 {
			k := fmt.Sprintf("key%06d", i)
			delete(m, k)
			db.Delete([]byte(k))
		}
	}
	mustCheck(t, db, fmt.Sprintf("seed %d before Compact", s))
	size := func() int64 {
		fi, err := fs.Stat("/db/" + pagesFileName)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	if err := db.Compact(nil, nil); err != nil {
		t.Fatal(err)
	}
	after := size()
	if after*2 > before {
		t.Fatalf("seed %d: Compact left the pages file at %d bytes of %d", s, after, before)
	}
	verify(t, db, m, fmt.Sprintf("seed %d after Compact", s))
	mustCheck(t, db, fmt.Sprintf("seed %d after Compact", s))
	t.Logf("pages file %d -> %d bytes", before, after)
}

func TestCheckpointDuringWritesOpensAndChecks(t *testing.T) {
	for _, name := range []string{"os", "mem"} {
		t.Run(name, func(t *testing.T) {
			var fs vfs.FS = vfs.NewMem()
			dir := "/db"
			if name == "os" {
				fs, dir = vfs.Default, t.TempDir()
			}
			o := Options{PageSize: 1 << 10, PoolSize: 1 << 20, CheckpointSize: 32 << 10}
			db, err := Open(fs, vfs.Join(dir, "src"), o)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for i := range 2000 {
				db.Put([]byte(fmt.Sprintf("k%05d", i)), []byte(fmt.Sprintf("before-%d", i)))
			}
			var wg sync.WaitGroup
			stop := make(chan struct{})
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					db.Put([]byte(fmt.Sprintf("k%05d", i%3000)), []byte(fmt.Sprintf("during-%d", i)))
				}
			}()
			dest := vfs.Join(dir, "copy")
			err = db.Checkpoint(dest)
			close(stop)
			wg.Wait()
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Checkpoint(dest); err == nil {
				t.Fatal("Checkpoint into a non-empty directory succeeded")
			}
			cp, err := Open(fs, dest, o)
			if err != nil {
				t.Fatal(err)
			}
			defer cp.Close()
			var out bytes.Buffer
			if err := cp.Check(&out); err != nil {
				t.Fatalf("Check of the checkpoint: %v\n%s", err, out.String())
			}
			for i := range 2000 {
				v, err := cp.Get([]byte(fmt.Sprintf("k%05d", i)))
				if err != nil || !(strings.HasPrefix(string(v), "before-") || strings.HasPrefix(string(v), "during-")) {
					t.Fatalf("checkpoint: Get(k%05d) = %q, %v", i, v, err)
				}
			}
		})
	}
}
