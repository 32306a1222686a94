package bench_test

import (
	"fmt"

	"github.com/kvlab/kvlab/bench"
)

// The cost models' predictions for 1 GiB of 16-byte keys and 100-byte
// values under random updates: an LSM with 64 MiB memtables and levels ten
// times apart, and a B+tree of 4 KiB pages checkpointed every 64 MiB of WAL
// or when dirty pages fill half its 256 MiB pool, which with a tree four
// times the pool's size comes first and costs a page per changed leaf.
func ExamplePredict() {
	in := bench.ModelInput{KeySize: 16, ValueSize: 100, Compressibility: 1, LiveBytes: 1 << 30, LiveBytesBefore: 1 << 30}

	in.Settings = map[string]string{"memtable-size": "64MiB", "l0-compaction-trigger": "4", "l1-target-size": "64MiB",
		"level-ratio": "10", "bloom-bits": "10", "compression": "none"}
	m, _ := bench.Predict("lsm", in)
	fmt.Printf("lsm:   %s, %d levels: write amp %.1f, %.2f blocks per get, space amp %.2f\n", m.Basis, m.Levels, m.WriteAmp, m.BlocksPerGet, m.SpaceAmp)

	in.Settings = map[string]string{"page-size": "4KiB", "pool-size": "256MiB", "checkpoint-size": "64MiB"}
	m, _ = bench.Predict("btree", in)
	fmt.Printf("btree: %s, height %d: write amp %.1f, %.0f pages per get, space amp %.2f\n", m.Basis, m.Levels, m.WriteAmp, m.BlocksPerGet, m.SpaceAmp)
	// Output:
	// lsm:   leveled compaction, 3 levels: write amp 10.1, 1.03 blocks per get, space amp 1.96
	// btree: B+tree checkpoints, height 4: write amp 41.9, 4 pages per get, space amp 1.92
}
