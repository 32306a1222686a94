package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/kvlab/kvlab/bench"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/kvlab/kvlab/kv"
)

// The results file is JSON lines, one Result per line; its byte-level
// specification is docs/format/results.md, which a test keeps in step with
// the JSON names of Result and the types it holds.

// ResultsFormat is the version of the results format that WriteJSON writes
// in the "format" field of every line, and the newest version ReadJSON
// reads. It changes when a field is removed, renamed, or changes type, unit
// or meaning; adding a field that older readers may ignore keeps it.
//
// Version 2 names the engine's stats (kv.Stats, under each phase's "stats")
// in snake_case like every other field, where version 1 wrote Go's field
// names ("BytesWritten"); ReadJSON upgrades version 1 lines on reading.
const ResultsFormat = 2

// maxResultLine is the longest line ReadJSON accepts, newline excluded.
const maxResultLine = 64 << 20

// ErrResultsVersion is matched (with errors.Is) by the error ReadJSON
// returns when a line declares a results-format version newer than
// ResultsFormat. The concrete error is a *VersionError.
var ErrResultsVersion = errors.New("bench: results format version not supported")

// VersionError reports a results line written in a newer format than this
// reader knows. It matches ErrResultsVersion with errors.Is.
type VersionError struct {
	// Line is the line's number, counting from 1 (blank lines included).
	Line int
	// Version is the version the line declares.
	Version int
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("bench: results line %d: format version %d is newer than %d, the newest this reader knows; read the file with a newer kvlab",
		e.Line, e.Version, ResultsFormat)
}

// Is makes errors.Is(err, ErrResultsVersion) true.
func (e *VersionError) Is(target error) bool { return target == ErrResultsVersion }

// WriteJSON writes each result as one line of JSON in the current results
// format: an object whose first field is "format": ResultsFormat. A nil
// result, or one that names no engine or no workload, is an error (ReadJSON
// would refuse the line), as is a figure JSON cannot hold (NaN, ±Inf).
// Lines before the failing one have been written.
func WriteJSON(w io.Writer, results []*bench.Result) error {
	enc := json.NewEncoder(w)
	for i, r := range results {
		switch {
		case r == nil:
			return fmt.Errorf("bench: write json: result %d is nil", i)
		case r.Engine == "":
			return fmt.Errorf("bench: write json: result %d names no engine", i)
		case r.Workload == "":
			return fmt.Errorf("bench: write json: result %d (%s) names no workload", i, r.Engine)
		}
		c := *r
		c.Format = ResultsFormat
		if err := enc.Encode(&c); err != nil {
			return fmt.Errorf("bench: write json: result %d (%s %s): %w", i, r.Engine, r.Workload, err)
		}
	}
	return nil
}

// ReadJSON reads a results file: JSON lines written by WriteJSON, by this
// version of kvlab or an older one. Blank lines are skipped. Every other
// line must be valid UTF-8 holding one JSON object that names an engine and
// a workload, and:
//
//   - with a "format" field, the field must be an integer from 1 to
//     ResultsFormat; fields this reader does not know are ignored (a newer
//     writer may add fields without changing the version). A newer version
//     is refused with a *VersionError naming the line.
//   - without one (files written before the field existed), the line is
//     read as version 1 only if every field is one version 1 defines.
//   - a version 1 line is upgraded to the current version: its stats'
//     Go field names become the snake_case names of version 2, and the
//     figures version 1 did not have (micros_per_op, mib_per_sec) are
//     derived from those it has.
//
// A line that breaks these rules, or is longer than 64 MiB, is reported as
// corruption: the error names the line and matches kv.ErrCorruption, its
// *kv.CorruptionError giving the byte offset where the line starts. No
// results are returned with an error. Each Result's Format is the version
// its line was read as.
func ReadJSON(r io.Reader) ([]*bench.Result, error) {
	var out []*bench.Result
	sc := bufio.NewScanner(r)
	// Room for the longest line and its "\r\n"; the loop checks the length.
	sc.Buffer(make([]byte, 0, 64<<10), maxResultLine+2)
	var consumed, start int64 // bytes consumed; offset of the current line
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		adv, tok, err := bufio.ScanLines(data, atEOF)
		if tok != nil {
			start = consumed
		}
		consumed += int64(adv)
		return adv, tok, err
	})
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) > maxResultLine {
			return nil, lineTooLong(line, start, nil)
		}
		b := trimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		res, err := decodeResultLine(b, line, start)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, lineTooLong(line+1, consumed, err)
		}
		return nil, fmt.Errorf("bench: read results: %w", err)
	}
	return out, nil
}

// lineTooLong reports the line-th line, at byte offset off, as longer than
// maxResultLine.
func lineTooLong(line int, off int64, err error) error {
	ce := kv.Corruptf("", off, "longer than %d bytes", maxResultLine)
	ce.Err = err
	return fmt.Errorf("bench: results line %d: %w", line, ce)
}

// decodeResultLine decodes one non-blank line, the line-th of the file,
// which starts at byte offset off.
func decodeResultLine(b []byte, line int, off int64) (*bench.Result, error) {
	corrupt := func(err error, format string, args ...any) error {
		ce := kv.Corruptf("", off, format, args...)
		ce.Err = err
		return fmt.Errorf("bench: results line %d: %w", line, ce)
	}
	if !utf8.Valid(b) {
		return nil, corrupt(nil, "not UTF-8")
	}
	if b[0] != '{' {
		return nil, corrupt(nil, "not a JSON object")
	}
	// Read the version first: a newer line is refused as newer even when
	// the rest of it would not decode into this version's types.
	var probe struct {
		Format json.RawMessage `json:"format"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, corrupt(err, "bad JSON")
	}
	var res bench.Result
	if probe.Format == nil {
		// Written before the field existed: version 1, if it is one.
		up, err := upgradeV1(b)
		if err != nil {
			return nil, corrupt(err, "no format field, and not a version 1 result")
		}
		dec := json.NewDecoder(bytes.NewReader(up))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&res); err != nil {
			return nil, corrupt(err, "no format field, and not a version 1 result")
		}
		res.Format = 1
		deriveV1(&res)
	} else {
		v, err := strconv.Atoi(string(probe.Format))
		if err != nil || v < 1 {
			return nil, corrupt(nil, "format %s: want a version number from 1", probe.Format)
		}
		if v > ResultsFormat {
			return nil, &VersionError{Line: line, Version: v}
		}
		if v == 1 {
			if b, err = upgradeV1(b); err != nil {
				return nil, corrupt(err, "bad version 1 result")
			}
		}
		if err := json.Unmarshal(b, &res); err != nil {
			return nil, corrupt(err, "bad version %d result", v)
		}
		if v == 1 {
			deriveV1(&res)
		}
	}
	if res.Engine == "" {
		return nil, corrupt(nil, "no engine named")
	}
	if res.Workload == "" {
		return nil, corrupt(nil, "no workload named")
	}
	return &res, nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
