package bench

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzReadJSON feeds ReadJSON arbitrary results files: it must never
// panic, and what it accepts must survive a round trip through WriteJSON.
func FuzzReadJSON(f *testing.F) {
	f.Add([]byte(`{"engine":"lsm","workload":"fillrandom","persistent":true,"params":{"num":10,"threads":1,"key_size":16,"value_size":"100","compressibility":0.5,"distribution":"uniform","mix":{"insert":1},"load_batch":100,"seed":1},"run":{"name":"run","ops":10,"seconds":1,"ops_per_sec":10,"by_op":[{"op":"insert","count":10,"ops_per_sec":10,"latency":{"p50":1000}}],"model":{"basis":"leveled compaction","write_amp":3.5,"blocks_per_get":1,"space_amp":1.1,"levels":1}},"unreported":["LSM.TablesPerGet"],"start":"2026-01-02T03:04:05Z"}` + "\n"))
	f.Add([]byte("\n\n{}\n"))
	f.Add([]byte(`{"run":{"stats":{"IO":{"wal":{"BytesWritten":5}}}}}`))
	f.Add([]byte("{not json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteJSON(&buf, rs); err != nil {
			return // e.g. a NaN cannot be written back: not a reading bug
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
			a.Start, b.Start = a.Start.UTC(), b.Start.UTC()
			if !reflect.DeepEqual(a.Run, b.Run) || !reflect.DeepEqual(a.Params, b.Params) || a.Engine != b.Engine {
				t.Fatalf("result %d changed in a round trip:\n%+v\n%+v", i, a, b)
			}
		}
	})
}
