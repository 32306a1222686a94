package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/kvlab/kvlab/bench"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/kvlab/kvlab/kv"
)

// legacyLine is a real line written by `kvlab bench --engines memory
// --workloads readrandom --num 10k --out FILE` before results lines carried
// a format version: files like it must go on reading as version 1.
const legacyLine = `{"engine":"memory","workload":"readrandom","persistent":false,"params":{"num":10000,"ops":10000,"threads":1,"key_size":16,"value_size":"100","compressibility":0.5,"distribution":"uniform","mix":{"read":1},"load_batch":100,"seed":1},"load":{"name":"load","ops":10000,"seconds":0.035482035,"ops_per_sec":281832.764101608,"by_op":[{"op":"write-batch","count":100,"ops_per_sec":2818.32764101608,"latency":{"p50_ns":133759,"p95_ns":337407,"p99_ns":4861951,"p999_ns":8200191,"max_ns":8200191,"mean_ns":283321.83999999997}}],"sync_seconds":3.7e-7,"user_bytes_written":1160000,"user_bytes_read":0,"write_amp":0,"read_amp":0,"blocks_per_get":0,"space_amp":0,"cache_hit_ratio":0,"live_bytes":1160000,"disk_bytes":0,"stats":{"Engine":"memory","Ops":{"Gets":0,"GetHits":0,"Puts":10000,"Deletes":0,"Batches":100,"Iterators":0,"Seeks":0,"Steps":0},"UserBytesWritten":1160000,"UserBytesRead":0,"IO":{},"LiveBytes":1160000,"DiskBytes":0,"BlocksTouched":0,"CacheHits":0,"CacheMisses":0,"LSM":null,"BTree":null,"Extra":null},"peak_rss":41160704,"os_io":{"rchar":97,"wchar":0,"syscr":2,"syscw":0,"read_bytes":0,"write_bytes":0,"cancelled_write_bytes":0}},"run":{"name":"run","ops":10000,"seconds":0.011244549,"ops_per_sec":889319.793973062,"by_op":[{"op":"read","count":10000,"ops_per_sec":889319.793973062,"latency":{"p50_ns":452,"p95_ns":741,"p99_ns":1303,"p999_ns":44927,"max_ns":165247,"mean_ns":700.1474000000001}}],"sync_seconds":2.41e-7,"user_bytes_written":0,"user_bytes_read":1000000,"write_amp":0,"read_amp":0,"blocks_per_get":0,"space_amp":0,"cache_hit_ratio":0,"live_bytes":1160000,"disk_bytes":0,"stats":{"Engine":"memory","Ops":{"Gets":10000,"GetHits":10000,"Puts":0,"Deletes":0,"Batches":0,"Iterators":0,"Seeks":0,"Steps":0},"UserBytesWritten":0,"UserBytesRead":1000000,"IO":{},"LiveBytes":1160000,"DiskBytes":0,"BlocksTouched":0,"CacheHits":0,"CacheMisses":0,"LSM":null,"BTree":null,"Extra":null},"peak_rss":42369024,"os_io":{"rchar":98,"wchar":0,"syscr":2,"syscw":0,"read_bytes":0,"write_bytes":0,"cancelled_write_bytes":0}},"harness_ns_per_op":85.024,"start":"2026-11-23T12:09:54.572381679Z"}`

// minimal is the smallest line ReadJSON accepts, without its braces.
const minimal = `"engine":"e","workload":"w"`

func TestReadJSONLegacyFile(t *testing.T) {
	rs, err := ReadJSON(strings.NewReader(legacyLine + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("%d results, want 1", len(rs))
	}
	r := rs[0]
	if r.Format != 1 || r.Engine != "memory" || r.Workload != "readrandom" || r.Params.Num != 10000 ||
		r.Run.Op("read").Latency.P99 != 1303 || r.Load.Stats.Ops.Batches != 100 || r.Run.OSIO.RChar != 98 ||
		r.HarnessNsPerOp != 85.024 || r.Start.Nanosecond() != 572381679 {
		t.Fatalf("legacy line read as %+v", r)
	}
	// Upgraded to version 2: the derived figures are filled in.
	if r.Run.MicrosPerOp < 1.12 || r.Run.MicrosPerOp > 1.13 || r.Run.MiBPerSec < 84.8 || r.Run.MiBPerSec > 84.9 {
		t.Errorf("upgraded run phase: %g µs/op, %g MiB/s", r.Run.MicrosPerOp, r.Run.MiBPerSec)
	}
	// Written again, it is a version 2 line with snake_case stats that
	// reads back the same.
	var buf bytes.Buffer
	if err := WriteJSON(&buf, rs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`{"format":2,"engine":"memory"`, `"stats":{"engine":"memory","ops":{"gets":0,"get_hits":0,"puts":10000`,
		`"user_bytes_written":1160000,"user_bytes_read":0,"io":{},"live_bytes":1160000`, `"micros_per_op":1.12`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("legacy line rewritten without %s:\n%s", want, buf.String())
		}
	}
	back, err := ReadJSON(&buf)
	if err != nil || len(back) != 1 {
		t.Fatalf("rewritten line: %v", err)
	}
	back[0].Format = 1
	if !reflect.DeepEqual(back[0], r) {
		t.Errorf("rewritten line reads back as\n%+v\nwant\n%+v", back[0], r)
	}
}

// TestReadJSONUpgradesVersion1 reads a line that declares version 1, with
// nested LSM stats under Go's names, as version 2.
func TestReadJSONUpgradesVersion1(t *testing.T) {
	line := `{"format":1,"engine":"lsm","workload":"fillrandom","run":{"name":"run","ops":10,"seconds":1,` +
		`"stats":{"Engine":"lsm","IO":{"wal":{"BytesWritten":5}},"LSM":{"Levels":[{"Level":1,"Files":2}],"BloomFalsePositives":3},"Extra":{"flush-seconds":0.5}}}}`
	rs, err := ReadJSON(strings.NewReader(line))
	if err != nil {
		t.Fatal(err)
	}
	st := rs[0].Run.Stats
	if rs[0].Format != 1 || st.Engine != "lsm" || st.IO["wal"].BytesWritten != 5 || st.LSM == nil || st.LSM.Levels[0].Files != 2 ||
		st.LSM.BloomFalsePositives != 3 || st.Extra["flush-seconds"] != 0.5 || rs[0].Run.MicrosPerOp != 1e5 {
		t.Fatalf("version 1 line read as %+v", st)
	}
}

func TestWriteJSONFormatFirst(t *testing.T) {
	rs := []*bench.Result{{Engine: "a", Workload: "w"}, {Format: 7, Engine: "b", Workload: "w"}}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, rs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), buf.String())
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, fmt.Sprintf(`{"format":%d,"engine":`, ResultsFormat)) {
			t.Errorf("line %d does not begin with the format: %s", i+1, l)
		}
	}
	if rs[1].Format != 7 {
		t.Error("WriteJSON changed the caller's Result")
	}
}

func TestWriteJSONRefusesWhatReadJSONWould(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    *bench.Result
	}{
		{"nil", nil},
		{"no engine", &bench.Result{Workload: "w"}},
		{"no workload", &bench.Result{Engine: "e"}},
	} {
		var buf bytes.Buffer
		err := WriteJSON(&buf, []*bench.Result{{Engine: "ok", Workload: "w"}, tc.r})
		if err == nil || !strings.Contains(err.Error(), "result 1") {
			t.Errorf("%s: WriteJSON error %v, want one naming result 1", tc.name, err)
		}
		if rs, err := ReadJSON(&buf); err != nil || len(rs) != 1 {
			t.Errorf("%s: the lines before the bad result: %d results, %v", tc.name, len(rs), err)
		}
	}
}

func TestReadJSONVersion(t *testing.T) {
	pre := "{" + minimal + "}\n\n{\"format\":1," + minimal + "}\n" // lines 1-3
	for _, tc := range []struct {
		line    string
		version int // > 0: refused as that newer version; 0: corruption
	}{
		{`{"format":3,` + minimal + `}`, 3},
		{`{` + minimal + `,"format":4}`, 4},
		{`{"format":3,"engine":17,"params":[]}`, 3}, // newer, though not a version 1 result
		{`{"format":1000000,` + minimal + `}`, 1000000},
		{`{"format":0,` + minimal + `}`, 0},
		{`{"format":-1,` + minimal + `}`, 0},
		{`{"format":"1",` + minimal + `}`, 0},
		{`{"format":1.0,` + minimal + `}`, 0},
		{`{"format":1e0,` + minimal + `}`, 0},
		{`{"format":null,` + minimal + `}`, 0},
		{`{"format":{},` + minimal + `}`, 0},
		{`{"format":99999999999999999999999,` + minimal + `}`, 0},
	} {
		rs, err := ReadJSON(strings.NewReader(pre + tc.line + "\n"))
		if err == nil {
			t.Errorf("%s: accepted as %+v", tc.line, rs[len(rs)-1])
			continue
		}
		if !strings.Contains(err.Error(), "line 4") {
			t.Errorf("%s: error does not name line 4: %v", tc.line, err)
		}
		var ve *VersionError
		if tc.version > 0 {
			if !errors.Is(err, ErrResultsVersion) || !errors.As(err, &ve) || ve.Line != 4 || ve.Version != tc.version {
				t.Errorf("%s: error %v (%#v), want a VersionError for line 4, version %d", tc.line, err, ve, tc.version)
			}
			if errors.Is(err, kv.ErrCorruption) {
				t.Errorf("%s: a newer version reported as corruption: %v", tc.line, err)
			}
			continue
		}
		if !errors.Is(err, kv.ErrCorruption) || errors.Is(err, ErrResultsVersion) {
			t.Errorf("%s: error %v, want corruption", tc.line, err)
		}
	}
}

func TestReadJSONCorruption(t *testing.T) {
	for _, tc := range []struct {
		name, line string
	}{
		{"syntax", `{not json`},
		{"trailing data", `{` + minimal + `} {}`},
		{"array", `[{` + minimal + `}]`},
		{"null", `null`},
		{"number", `1`},
		{"string", `"x"`},
		{"no engine", `{"format":1,"workload":"w"}`},
		{"no workload", `{"format":1,"engine":"e"}`},
		{"empty object", `{}`},
		{"legacy, unknown field", `{` + minimal + `,"colour":"red"}`},
		{"legacy, unknown nested field", `{` + minimal + `,"run":{"name":"run","p50":3}}`},
		{"wrong type", `{"format":1,` + minimal + `,"params":{"num":"ten"}}`},
		{"not UTF-8", "{\"format\":1," + minimal + ",\"error\":\"\xff\"}"},
		{"int64 overflow", `{"format":1,` + minimal + `,"params":{"num":9223372036854775808}}`},
	} {
		// Line 2 starts at byte offset 10 after a CRLF line of 8 bytes.
		in := "        \r\n" + tc.line + "\n{" + minimal + "}\n"
		_, err := ReadJSON(strings.NewReader(in))
		var ce *kv.CorruptionError
		if !errors.Is(err, kv.ErrCorruption) || !errors.As(err, &ce) {
			t.Errorf("%s: error %v, want corruption", tc.name, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "bench: results line 2: ") || ce.Offset != 10 {
			t.Errorf("%s: error %q at offset %d, want line 2 at offset 10", tc.name, err, ce.Offset)
		}
	}
}

func TestReadJSONAcceptsUnknownFieldsOfAVersion(t *testing.T) {
	rs, err := ReadJSON(strings.NewReader(`{"format":1,` + minimal + `,"colour":"red","run":{"name":"run","p50":3}}` + "\r\n"))
	if err != nil || len(rs) != 1 || rs[0].Run.Name != "run" || rs[0].Format != 1 {
		t.Fatalf("read %v, %v", rs, err)
	}
}

func TestReadJSONLongLine(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MiB lines")
	}
	// A line of maxResultLine bytes (line end excluded) is read; one byte
	// more is refused, however the line ends.
	head := `{"format":1,` + minimal + `,"error":"`
	for _, tc := range []struct {
		extra int
		end   string
	}{{0, "\r\n"}, {0, ""}, {1, "\n"}, {1, "\r\n"}, {1, ""}, {maxResultLine, "\n"}} {
		long := head + strings.Repeat("x", maxResultLine-len(head)-2+tc.extra) + `"}`
		rs, err := ReadJSON(strings.NewReader("{" + minimal + "}\n" + long + tc.end))
		if tc.extra == 0 {
			if err != nil || len(rs) != 2 {
				t.Errorf("a line of %d bytes ending %q: %d results, %v", len(long), tc.end, len(rs), err)
			}
			continue
		}
		var ce *kv.CorruptionError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "results line 2:") || ce.Offset != int64(len(minimal))+3 {
			t.Errorf("a line of %d bytes ending %q: %v", len(long), tc.end, err)
		}
	}
}

// TestJSONRandomRoundTrip writes random results — every field of every
// type set — as a file of current and pre-version lines mixed with blank
// lines and CRLF line ends, and checks that ReadJSON returns exactly what
// was written.
func TestJSONRandomRoundTrip(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	rounds := 200
	if testing.Short() {
		rounds = 30
	}
	for round := range rounds {
		s := seed + uint64(round)
		rng := rand.New(rand.NewPCG(s, s>>1))
		n := rng.IntN(5)
		want := make([]*bench.Result, n)
		var file bytes.Buffer
		for i := range want {
			r := new(bench.Result)
			fillRandom(reflect.ValueOf(r).Elem(), rng, 0)
			var line bytes.Buffer
			if err := WriteJSON(&line, []*bench.Result{r}); err != nil {
				t.Fatalf("seed %d: %v", s, err)
			}
			b := line.Bytes()
			r.Format = ResultsFormat
			if rng.IntN(3) == 0 { // as written before the format field: read as version 1
				b = append([]byte("{"), bytes.TrimPrefix(b, []byte(`{"format":2,`))...)
				r.Format = 1
			}
			if rng.IntN(3) == 0 {
				b = append(bytes.TrimSuffix(b, []byte("\n")), "\r\n"...)
			}
			if rng.IntN(3) == 0 {
				file.WriteString(" \t\n")
			}
			file.Write(b)
			want[i] = r
		}
		if rng.IntN(2) == 0 { // no newline after the last line
			file.Truncate(len(bytes.TrimRight(file.Bytes(), "\r\n")))
		}
		got, err := ReadJSON(bytes.NewReader(file.Bytes()))
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", s, err, file.String())
		}
		if len(got) != len(want) {
			t.Fatalf("seed %d: %d results read, %d written", s, len(got), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				g, _ := json.Marshal(got[i])
				w, _ := json.Marshal(want[i])
				t.Fatalf("seed %d: result %d changed:\ngot  %s\nwant %s", s, i, g, w)
			}
		}
	}
}

// fillRandom sets every exported field below v to a random value that JSON
// round-trips exactly: maps and slices non-empty, pointers non-nil, floats
// finite, strings non-empty with characters JSON must escape.
func fillRandom(v reflect.Value, rng *rand.Rand, depth int) {
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).UTC()))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(randomString(rng))
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int64:
		v.SetInt(rng.Int64() >> rng.IntN(64) * int64(1-2*rng.IntN(2)))
	case reflect.Uint64:
		v.SetUint(rng.Uint64() >> rng.IntN(64))
	case reflect.Float64:
		v.SetFloat((rng.Float64() - 0.5) * float64(int64(1)<<rng.IntN(60)))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillRandom(v.Elem(), rng, depth+1)
	case reflect.Slice:
		n := 1 + rng.IntN(3)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fillRandom(v.Index(i), rng, depth+1)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 1 + rng.IntN(3) {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fillRandom(k, rng, depth+1)
			fillRandom(e, rng, depth+1)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillRandom(v.Field(i), rng, depth+1)
			}
		}
	default:
		panic(fmt.Sprintf("fillRandom: %s at depth %d", v.Type(), depth))
	}
}

func randomString(rng *rand.Rand) string {
	const alphabet = "abcXYZ09 -_.=\"\\/\t\n<>&é€😀\u2028"
	r := []rune(alphabet)
	var b strings.Builder
	for range 1 + rng.IntN(8) {
		b.WriteRune(r[rng.IntN(len(r))])
	}
	return b.String()
}

func TestReadJSONReaderError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("{"+minimal+"}\n"), iotest.ErrReader(boom))
	rs, err := ReadJSON(r)
	if !errors.Is(err, boom) || errors.Is(err, kv.ErrCorruption) || rs != nil {
		t.Fatalf("read %v, %v; want the reader's error", rs, err)
	}
}
