package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"

	"github.com/kvlab/kvlab/bench/workload"
)

// StoreParamsFile is the file in a store's directory in which Run records
// how it wrote the store (StoreParams), so that a later run on the store
// (Phases RunOnly: kvlab bench --phase run, --use-existing) spells the
// same keys and finds them. Engines ignore files they do not know.
const StoreParamsFile = "kvlab-bench.json"

// storeParamsVersion is the version of StoreParamsFile's format.
const storeParamsVersion = 1

// StoreParams are what a later run on a store needs to find its keys: the
// engine and its settings, the key numbers that exist and how keys spell
// them. The file is JSON; ReadStoreParams refuses a newer version.
type StoreParams struct {
	// Format is the version of the file's format: 1.
	Format int `json:"format"`
	// Engine and Settings are the engine that wrote the store and its
	// options (knob name without the engine prefix -> value).
	Engine   string            `json:"engine"`
	Settings map[string]string `json:"settings,omitempty"`
	// Workload is the last workload run on the store.
	Workload string `json:"workload"`
	// Records is the number of key numbers written: keys [0, Records)
	// exist, less any the workloads deleted.
	Records int64 `json:"records"`
	// KeySize, KeyFormat ("binary" or "ycsb") and HashedKeys say how keys
	// spell key numbers (workload.KeyFormat).
	KeySize    int    `json:"key_size"`
	KeyFormat  string `json:"key_format"`
	HashedKeys bool   `json:"hashed_keys"`
	// ValueSize and Compressibility describe the values written.
	ValueSize       string  `json:"value_size"`
	Compressibility float64 `json:"compressibility"`
	// Seed is the seed of the run that last wrote the store.
	Seed uint64 `json:"seed"`
}

// KeyFormatOf returns the key format the parameters record.
func (p *StoreParams) KeyFormatOf() (workload.KeyFormat, error) {
	style, err := workload.ParseKeyStyle(p.KeyFormat)
	if err != nil {
		return workload.KeyFormat{}, err
	}
	f := workload.KeyFormat{Size: p.KeySize, Hashed: p.HashedKeys, Style: style}
	return f, f.Validate()
}

// storeParams describes the store as the run leaves it.
func (s *runState) storeParams() StoreParams {
	return StoreParams{
		Format: storeParamsVersion, Engine: s.cfg.Engine, Settings: maps.Clone(s.cfg.Settings), Workload: s.cfg.Workload.Name,
		Records: int64(s.written()), KeySize: s.cfg.KeySize, KeyFormat: s.cfg.keys.Style.String(), HashedKeys: s.cfg.keys.Hashed,
		ValueSize: s.cfg.values.String(), Compressibility: s.cfg.Compressibility, Seed: s.cfg.Seed,
	}
}

// written returns the number of key numbers written so far: [0, n).
func (s *runState) written() uint64 {
	n := s.inserted.Load()
	if s.cfg.Workload.InsertOrder == workload.OrderRandom && n > uint64(s.cfg.Num) {
		n = uint64(s.cfg.Num)
	}
	return n
}

// WriteStoreParams writes p into dir's StoreParamsFile, replacing it
// atomically.
func WriteStoreParams(dir string, p StoreParams) error {
	p.Format = storeParamsVersion
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("bench: store parameters: %w", err)
	}
	path := filepath.Join(dir, StoreParamsFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("bench: store parameters: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("bench: store parameters: %w", err)
	}
	return nil
}

// ReadStoreParams reads dir's StoreParamsFile. A missing file is an error
// matching os.ErrNotExist.
func ReadStoreParams(dir string) (*StoreParams, error) {
	b, err := os.ReadFile(filepath.Join(dir, StoreParamsFile))
	if err != nil {
		return nil, fmt.Errorf("bench: store parameters: %w", err)
	}
	var p StoreParams
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("bench: store parameters %s: %w", filepath.Join(dir, StoreParamsFile), err)
	}
	if p.Format < 1 || p.Format > storeParamsVersion {
		return nil, fmt.Errorf("bench: store parameters %s: format %d, want 1 to %d", filepath.Join(dir, StoreParamsFile), p.Format, storeParamsVersion)
	}
	if p.Engine == "" || p.Records < 0 {
		return nil, errors.New("bench: store parameters " + filepath.Join(dir, StoreParamsFile) + ": no engine, or a negative record count")
	}
	return &p, nil
}
