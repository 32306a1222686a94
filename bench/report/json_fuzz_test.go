package report

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kvlab/kvlab/kv"
)

// FuzzReadJSON feeds ReadJSON arbitrary results files: it must never
// panic, it must refuse a file only as corruption or as a newer version,
// and what it accepts must survive a round trip through
// WriteJSON unchanged.
func FuzzReadJSON(f *testing.F) {
	f.Add([]byte(`{"format":1,"engine":"lsm","workload":"fillrandom","persistent":true,"params":{"num":10,"threads":1,"key_size":16,"value_size":"100","compressibility":0.5,"distribution":"uniform","mix":{"insert":1},"load_batch":100,"seed":1},"run":{"name":"run","ops":10,"seconds":1,"ops_per_sec":10,"by_op":[{"op":"insert","count":10,"ops_per_sec":10,"latency":{"p50_ns":1000,"p99_ns":2000}}],"stats":{"Engine":"lsm","IO":{"wal":{"BytesWritten":5}},"LSM":{"Levels":[{"Level":0,"Files":1}]}},"model":{"basis":"leveled compaction","write_amp":3.5,"blocks_per_get":1,"space_amp":1.1,"levels":1}},"unreported":["LSM.TablesPerGet"],"start":"2026-01-02T03:04:05+01:00"}` + "\n"))
	f.Add([]byte(legacyLine + "\r\n\n" + `{"engine":"e","workload":"w","sweep":{"lsm.bloom-bits":"10"}}`))
	f.Add([]byte("\n\n{}\n"))
	f.Add([]byte(`{"format":2,"engine":"e","workload":"w"}`))
	f.Add([]byte(`{"format":1,"engine":"e","workload":"w","colour":"red"}`))
	f.Add([]byte(`{"engine":"e","workload":"w","colour":"red"}`))
	f.Add([]byte("{not json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, kv.ErrCorruption) && !errors.Is(err, ErrResultsVersion) {
				t.Fatalf("ReadJSON refused the file with neither corruption nor a version error: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteJSON(&buf, rs); err != nil {
			t.Fatalf("WriteJSON refuses what ReadJSON read: %v", err)
		}
		back, err := ReadJSON(&buf)
		if err != nil {
			t.Fatalf("ReadJSON rejects what WriteJSON wrote: %v\n%s", err, buf.String())
		}
		if len(back) != len(rs) {
			t.Fatalf("%d results read back, %d written", len(back), len(rs))
		}
		for i := range rs {
			a, b := *rs[i], *back[i]
			if !a.Start.Equal(b.Start) {
				t.Fatalf("result %d: start %v read back as %v", i, a.Start, b.Start)
			}
			a.Start, b.Start = time.Time{}, time.Time{}
			a.Format, b.Format = 0, 0 // an older line is read as its version, written as the current one
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("result %d changed in a round trip:\n%+v\n%+v", i, a, b)
			}
		}
	})
}
