package workload

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kvlab/kvlab/internal/units"
)

// ycsbWorkloads are YCSB's core workloads A to F with their standard mixes
// and distributions. Keys are hashed (YCSB's insertorder=hashed); the load
// phase inserts the records in key-number order as YCSB's load does. Value
// sizes come from the Config (YCSB's own 10 fields × 100 bytes apply only
// to properties files).
func ycsbWorkloads() []Workload {
	zipf := Distribution{Kind: Zipfian}
	w := func(name, desc string, mix Mix, d Distribution) Workload {
		return Workload{Name: name, Description: desc, Load: OrderSequential, Mix: mix, Distribution: d,
			InsertOrder: OrderSequential, HashedKeys: true}
	}
	e := w("ycsb-e", "YCSB E, short ranges: 95% scans of 1-100 keys, 5% inserts, zipfian", Mix{OpScan: 0.95, OpInsert: 0.05}, zipf)
	e.ScanLength = ScanLength{Min: 1, Max: 100}
	return []Workload{
		w("ycsb-a", "YCSB A, update heavy: 50% reads, 50% updates, zipfian", Mix{OpRead: 0.5, OpUpdate: 0.5}, zipf),
		w("ycsb-b", "YCSB B, read mostly: 95% reads, 5% updates, zipfian", Mix{OpRead: 0.95, OpUpdate: 0.05}, zipf),
		w("ycsb-c", "YCSB C, read only: 100% reads, zipfian", Mix{OpRead: 1}, zipf),
		w("ycsb-d", "YCSB D, read latest: 95% reads, 5% inserts, latest", Mix{OpRead: 0.95, OpInsert: 0.05}, Distribution{Kind: Latest}),
		e,
		w("ycsb-f", "YCSB F, read-modify-write: 50% reads, 50% read-modify-writes, zipfian", Mix{OpRead: 0.5, OpReadModifyWrite: 0.5}, zipf),
	}
}

// ycsbIgnored are YCSB properties that mean nothing to this harness: they
// are accepted and reported in Workload.Notes (see YCSBIgnored).
var ycsbIgnored = []string{
	"workload", "db", "table", "readallfields", "writeallfields", "readallfieldsbyname",
	"dataintegrity", "measurementtype", "exporter", "exportfile", "status.interval",
	"threadcount", "target", "maxexecutiontime", "fieldnameprefix", "insertstart",
	"insertcount", "core_workload_insertion_retry_limit", "core_workload_insertion_retry_interval",
	"histogram.buckets", "timeseries.granularity", "hdrhistogram.percentiles",
}

// YCSBHonoured are the YCSB workload properties kvlab honours, in
// properties files and as overrides (ApplyYCSBProperties).
var YCSBHonoured = []string{
	"recordcount", "operationcount", "readproportion", "updateproportion", "insertproportion",
	"scanproportion", "readmodifywriteproportion", "deleteproportion", "requestdistribution",
	"zipfianconstant", "hotspotdatafraction", "hotspotopnfraction", "fieldcount", "fieldlength",
	"minfieldlength", "fieldlengthdistribution", "minscanlength", "maxscanlength",
	"scanlengthdistribution", "insertorder",
}

// YCSBIgnored are the YCSB properties that mean nothing to this harness:
// they are accepted, and reported in Workload.Notes.
func YCSBIgnored() []string { return slices.Clone(ycsbIgnored) }

// ReadProperties reads Java properties syntax (key=value, key: value,
// # and ! comments) into a map with lower-case keys; name labels errors.
func ReadProperties(r io.Reader, name string) (map[string]string, error) {
	props := map[string]string{}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' || s[0] == '!' {
			continue
		}
		i := strings.IndexAny(s, "=: \t")
		if i <= 0 {
			return nil, configErrorf("%s:%d: want key=value, got %q", name, line, s)
		}
		k := strings.TrimSpace(s[:i])
		v := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s[i:]), "=:"))
		props[strings.ToLower(k)] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return props, nil
}

// ParseYCSBProperties reads a YCSB workload properties file (Java
// properties syntax: key=value, key: value, # and ! comments) into a
// workload named name; overrides, if any, replace or add properties as
// YCSB's -p does. It understands the properties of YCSBHonoured with
// YCSB's defaults: recordcount, operationcount, readproportion,
// updateproportion, insertproportion, scanproportion,
// readmodifywriteproportion, deleteproportion, requestdistribution
// (uniform, zipfian, latest, sequential, hotspot), zipfianconstant,
// hotspotdatafraction, hotspotopnfraction, fieldcount, fieldlength,
// minfieldlength, fieldlengthdistribution (constant, uniform),
// minscanlength, maxscanlength, scanlengthdistribution (uniform, zipfian)
// and insertorder (hashed, ordered). Properties that do not apply to this
// harness (YCSBIgnored) are listed in the workload's Notes; unknown ones
// are errors (a misspelt proportion must not silently run the default
// mix). Errors match ErrConfig.
func ParseYCSBProperties(r io.Reader, name string, overrides ...map[string]string) (Workload, error) {
	props, err := ReadProperties(r, name)
	if err != nil {
		return Workload{}, err
	}
	for _, o := range overrides {
		for k, v := range o {
			props[strings.ToLower(k)] = v
		}
	}
	return ycsbFromProperties(props, name)
}

// ApplyYCSBProperties overrides w's figures with the given YCSB
// properties (as YCSB's -p does over a workload), leaving those not named
// as w has them: proportions replace the named operations' shares (the mix
// is normalized), requestdistribution and its parameters the distribution,
// fieldcount and fieldlength (YCSB defaults 10 and 100) the value size,
// and so on. Ignored properties are noted in Notes; unknown ones are
// errors matching ErrConfig.
func ApplyYCSBProperties(w Workload, props map[string]string) (Workload, error) {
	lower := map[string]string{}
	for k, v := range props {
		lower[strings.ToLower(k)] = v
	}
	full := map[string]string{
		"recordcount":         strconv.FormatInt(w.Records, 10),
		"operationcount":      strconv.FormatInt(w.Operations, 10),
		"requestdistribution": string(w.Distribution.Kind),
		"insertorder":         map[bool]string{true: "hashed", false: "ordered"}[w.HashedKeys],
	}
	// Express w as properties, so that ycsbFromProperties applies the
	// overrides with the same checks as a file's.
	for _, op := range []struct {
		prop string
		op   Op
	}{{"readproportion", OpRead}, {"updateproportion", OpUpdate}, {"insertproportion", OpInsert},
		{"scanproportion", OpScan}, {"readmodifywriteproportion", OpReadModifyWrite}, {"deleteproportion", OpDelete}} {
		full[op.prop] = strconv.FormatFloat(w.Mix[op.op], 'g', -1, 64)
	}
	for op, p := range w.Mix {
		switch op {
		case OpRead, OpUpdate, OpInsert, OpScan, OpReadModifyWrite, OpDelete:
		default:
			if p > 0 {
				for k := range lower {
					if strings.HasSuffix(k, "proportion") {
						return Workload{}, configErrorf("%s: -p %s: its %s operations have no YCSB proportion", w.Name, k, op)
					}
				}
			}
		}
	}
	d := w.Distribution
	if d.ZipfConstant > 0 {
		full["zipfianconstant"] = strconv.FormatFloat(d.ZipfConstant, 'g', -1, 64)
	}
	if d.Kind == Hotspot {
		full["hotspotdatafraction"] = strconv.FormatFloat(d.HotSetFraction, 'g', -1, 64)
		full["hotspotopnfraction"] = strconv.FormatFloat(d.HotOpFraction, 'g', -1, 64)
	}
	if !w.ScanLength.IsZero() {
		full["minscanlength"] = strconv.Itoa(w.ScanLength.Min)
		full["maxscanlength"] = strconv.Itoa(w.ScanLength.Max)
		if w.ScanLength.Zipfian {
			full["scanlengthdistribution"] = "zipfian"
		}
	}
	_, fc := lower["fieldcount"]
	_, fl := lower["fieldlength"]
	_, mfl := lower["minfieldlength"]
	_, fld := lower["fieldlengthdistribution"]
	sized := fc || fl || mfl || fld
	if !sized {
		full["fieldcount"], full["fieldlength"] = "1", "1" // placeholders: w's value size is kept below
	}
	mixGiven := false
	for k := range lower {
		mixGiven = mixGiven || strings.HasSuffix(k, "proportion")
	}
	if !mixGiven {
		full["readproportion"] = "1" // a placeholder for a mix of other operations: w's mix is kept below
	}
	maps.Copy(full, lower)
	out, err := ycsbFromProperties(full, w.Name)
	if err != nil {
		return Workload{}, err
	}
	out.Description = w.Description
	out.Load, out.InsertOrder, out.DeleteEach = w.Load, w.InsertOrder, w.DeleteEach
	if !sized {
		out.ValueSize = w.ValueSize
	}
	if _, ok := lower["recordcount"]; !ok {
		out.Records = w.Records
	}
	if _, ok := lower["operationcount"]; !ok {
		out.Operations = w.Operations
	}
	if _, ok := lower["maxscanlength"]; !ok && w.ScanLength.IsZero() {
		if _, ok := lower["minscanlength"]; !ok {
			out.ScanLength = w.ScanLength
		}
	}
	if !mixGiven {
		out.Mix = maps.Clone(w.Mix)
	}
	for op := range w.Mix {
		if _, ok := out.Mix[op]; !ok && w.Mix[op] > 0 {
			out.Mix[op] = w.Mix[op]
		}
	}
	for op, p := range out.Mix {
		if p == 0 {
			delete(out.Mix, op)
		}
	}
	out.Notes = append(slices.Clone(w.Notes), out.Notes...)
	if err := out.Validate(); err != nil {
		return Workload{}, err
	}
	return out, nil
}

// WorkloadName returns a workload name for a properties file path:
// its base name without extension ("workloads/workloada" -> "workloada").
func WorkloadName(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

func ycsbFromProperties(props map[string]string, name string) (Workload, error) {
	w := Workload{Name: name, Description: "YCSB properties " + name, Load: OrderSequential,
		InsertOrder: OrderSequential, HashedKeys: true}
	used := map[string]bool{}
	get := func(k, def string) string {
		used[k] = true
		if v, ok := props[k]; ok {
			return v
		}
		return def
	}
	var err error
	num := func(k, def string) float64 {
		s := get(k, def)
		v, perr := strconv.ParseFloat(s, 64)
		if perr != nil && (k == "recordcount" || k == "operationcount") {
			// kvlab's counts as well: 1M, 1.5k.
			n, cerr := units.ParseCount(s)
			v, perr = float64(n), cerr
		}
		if perr != nil || v < 0 {
			if err == nil {
				err = configErrorf("%s: property %s=%q: want a non-negative number", name, k, s)
			}
			return 0
		}
		return v
	}
	w.Records = int64(num("recordcount", "0"))
	w.Operations = int64(num("operationcount", "0"))
	w.Mix = Mix{
		OpRead:            num("readproportion", "0.95"),
		OpUpdate:          num("updateproportion", "0.05"),
		OpInsert:          num("insertproportion", "0"),
		OpScan:            num("scanproportion", "0"),
		OpReadModifyWrite: num("readmodifywriteproportion", "0"),
		OpDelete:          num("deleteproportion", "0"),
	}
	fieldCount := int(num("fieldcount", "10"))
	fieldLen := int(num("fieldlength", "100"))
	minFieldLen := int(num("minfieldlength", "1"))
	minScan := int(num("minscanlength", "1"))
	maxScan := int(num("maxscanlength", "1000"))
	zipfConst := num("zipfianconstant", strconv.FormatFloat(DefaultZipfConstant, 'g', -1, 64))
	hotSet := num("hotspotdatafraction", "0.2")
	hotOps := num("hotspotopnfraction", "0.8")
	if err != nil {
		return Workload{}, err
	}
	switch d := strings.ToLower(get("requestdistribution", "uniform")); d {
	case "uniform", "sequential":
		w.Distribution = Distribution{Kind: DistKind(d)}
	case "zipfian", "latest":
		w.Distribution = Distribution{Kind: DistKind(d), ZipfConstant: zipfConst}
	case "hotspot":
		w.Distribution = Distribution{Kind: Hotspot, HotSetFraction: hotSet, HotOpFraction: hotOps}
	default:
		return Workload{}, configErrorf("%s: requestdistribution=%s is not supported (uniform, zipfian, latest, sequential, hotspot)", name, d)
	}
	switch d := strings.ToLower(get("fieldlengthdistribution", "constant")); d {
	case "constant":
		w.ValueSize = ValueSize{fieldCount * fieldLen, fieldCount * fieldLen}
	case "uniform":
		w.ValueSize = ValueSize{fieldCount * minFieldLen, fieldCount * fieldLen}
	default:
		return Workload{}, configErrorf("%s: fieldlengthdistribution=%s is not supported (constant, uniform)", name, d)
	}
	if w.ValueSize.Max == 0 {
		return Workload{}, configErrorf("%s: fieldcount × fieldlength is 0: values must be at least 1 byte", name)
	}
	w.ScanLength = ScanLength{Min: minScan, Max: maxScan}
	switch d := strings.ToLower(get("scanlengthdistribution", "uniform")); d {
	case "uniform":
	case "zipfian":
		w.ScanLength.Zipfian = true
	default:
		return Workload{}, configErrorf("%s: scanlengthdistribution=%s is not supported (uniform, zipfian)", name, d)
	}
	switch o := strings.ToLower(get("insertorder", "hashed")); o {
	case "hashed":
	case "ordered":
		w.HashedKeys = false
	default:
		return Workload{}, configErrorf("%s: insertorder=%s: want hashed or ordered", name, o)
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch {
		case used[k]:
		case slices.Contains(ycsbIgnored, k):
			w.Notes = append(w.Notes, fmt.Sprintf("%s: property %s ignored (it does not apply to kvlab bench)", name, k))
		default:
			return Workload{}, configErrorf("%s: unknown property %q", name, k)
		}
	}
	if err := w.Validate(); err != nil {
		return Workload{}, err
	}
	return w, nil
}
