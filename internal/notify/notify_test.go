package notify

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/kvlab/kvlab/kv"
)

type lines []string

func (l *lines) Infof(f string, a ...any)  { *l = append(*l, "info "+fmt.Sprintf(f, a...)) }
func (l *lines) Errorf(f string, a ...any) { *l = append(*l, "error "+fmt.Sprintf(f, a...)) }

// TestNilListenerAndLogger checks that a notifier without a listener or
// logger reports nothing and does not fail.
func TestNilListenerAndLogger(t *testing.T) {
	n := New("lsm", nil, nil)
	n.Infof("x")
	n.BackgroundError(errors.New("boom"))
	if err := n.CheckpointCopy("d", func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n.Events() == nil || n.NextJob() != 2 {
		t.Fatalf("events %v, next job %d (want 2 after one checkpoint)", n.Events(), n.NextJob())
	}
}

// TestCheckpointCopyReports checks the begin/end order, the job number,
// the error on the end event and the log lines.
func TestCheckpointCopyReports(t *testing.T) {
	var got []string
	var log lines
	l := &kv.EventListener{
		CheckpointBegin: func(i kv.CheckpointInfo) { got = append(got, fmt.Sprintf("begin %d %s", i.JobID, i.Dir)) },
		CheckpointEnd:   func(i kv.CheckpointInfo) { got = append(got, fmt.Sprintf("end %d %v", i.JobID, i.Err)) },
		BackgroundError: func(err error) { got = append(got, "bg "+err.Error()) },
	}
	n := New("btree", l, &log)
	if err := n.CheckpointCopy("a", func(d string) error { got = append(got, "copy "+d); return nil }); err != nil {
		t.Fatal(err)
	}
	fail := errors.New("disk full")
	if err := n.CheckpointCopy("b", func(string) error { return fail }); !errors.Is(err, fail) {
		t.Fatalf("err %v", err)
	}
	n.BackgroundError(fail)
	want := []string{"begin 1 a", "copy a", "end 1 <nil>", "begin 2 b", "end 2 disk full", "bg disk full"}
	if !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	if len(log) != 2 || log[1] != "error btree: disk full" {
		t.Errorf("log %q", log)
	}
}
