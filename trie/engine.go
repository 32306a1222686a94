package trie

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/kvlab/kvlab/kv"
)

// Storing a trie in a kv.Engine (docs/format/trie.md, "In a key-value
// store"): the serialized form cut into chunks under generation-numbered
// keys, and a meta record naming the current generation written last, in
// a synced batch, as the commit point.
const (
	// ChunkSize is the largest chunk value SaveTo writes.
	ChunkSize = 1 << 20

	metaSize    = 40
	metaVersion = 1
)

// chunkSize is ChunkSize; tests lower it to cut small tries into many
// chunks.
var chunkSize = ChunkSize

var metaMagic = [8]byte{'k', 'v', 'l', 'a', 'b', 'T', 'R', 'M'}

// metaKey and chunkKey lay out a trie's keys: name ‖ 0x00 ‖ 'm', and
// name ‖ 0x00 ‖ 'c' ‖ generation (8 bytes, big-endian) ‖ index (4 bytes,
// big-endian), so that one generation's chunks are adjacent and in order.
func metaKey(name string) []byte { return append([]byte(name), 0, 'm') }

func chunkPrefix(name string) []byte { return append([]byte(name), 0, 'c') }

func chunkKey(name string, gen uint64, i uint32) []byte {
	k := chunkPrefix(name)
	k = binary.BigEndian.AppendUint64(k, gen)
	return binary.BigEndian.AppendUint32(k, i)
}

// engineMeta is the decoded meta record.
type engineMeta struct {
	gen    uint64
	chunks uint32
	length uint64
}

func (m engineMeta) encode() []byte {
	b := make([]byte, metaSize)
	copy(b, metaMagic[:])
	binary.LittleEndian.PutUint16(b[8:], metaVersion)
	binary.LittleEndian.PutUint64(b[12:], m.gen)
	binary.LittleEndian.PutUint32(b[20:], m.chunks)
	binary.LittleEndian.PutUint64(b[24:], m.length)
	binary.LittleEndian.PutUint32(b[36:], maskCRC(crc32.Checksum(b[:36], castagnoli)))
	return b
}

func decodeMeta(b []byte) (engineMeta, error) {
	var m engineMeta
	if len(b) != metaSize || [8]byte(b[:8]) != metaMagic {
		return m, kv.Corruptf("", -1, "trie: meta record of %d bytes is not a trie meta record", len(b))
	}
	if got, want := binary.LittleEndian.Uint32(b[36:]), maskCRC(crc32.Checksum(b[:36], castagnoli)); got != want {
		return m, kv.Corruptf("", -1, "trie: meta record checksum %#x, want %#x", got, want)
	}
	if v := binary.LittleEndian.Uint16(b[8:]); v != metaVersion {
		return m, kv.Corruptf("", -1, "trie: meta record version %d, this build reads only %d", v, metaVersion)
	}
	m.gen = binary.LittleEndian.Uint64(b[12:])
	m.chunks = binary.LittleEndian.Uint32(b[20:])
	m.length = binary.LittleEndian.Uint64(b[24:])
	if m.length > uint64(m.chunks)*uint64(chunkSize) || (m.chunks > 0 && m.length <= uint64(m.chunks-1)*uint64(chunkSize)) {
		return m, kv.Corruptf("", -1, "trie: meta record: %d bytes cannot fill %d chunks", m.length, m.chunks)
	}
	return m, nil
}

// SaveTo stores t in db under name, replacing any trie stored there. The
// chunks of the new generation are written first, then the meta record in
// a synced write — the commit point — then the previous generation's
// chunks are deleted. A crash before the commit leaves the previous trie
// (or none) readable; a crash after it leaves the new one, and stray
// chunks that the next SaveTo deletes. name should not contain a 0x00
// byte, so that one trie's keys cannot be taken for another's.
func (t *Trie) SaveTo(db kv.Engine, name string) error {
	var prev uint64
	if b, err := db.Get(metaKey(name)); err == nil {
		if m, err := decodeMeta(b); err == nil {
			prev = m.gen
		}
	} else if !errors.Is(err, kv.ErrNotFound) {
		return fmt.Errorf("trie: save %q: %w", name, err)
	}
	blob, err := t.MarshalBinary()
	if err != nil {
		return fmt.Errorf("trie: save %q: %w", name, err)
	}
	m := engineMeta{gen: prev + 1, length: uint64(len(blob))}
	for off := 0; off < len(blob); off += chunkSize {
		chunk := blob[off:min(off+chunkSize, len(blob))]
		if err := db.Put(chunkKey(name, m.gen, m.chunks), chunk); err != nil {
			return fmt.Errorf("trie: save %q: chunk %d: %w", name, m.chunks, err)
		}
		m.chunks++
	}
	var b kv.Batch
	b.Put(metaKey(name), m.encode())
	if err := db.Write(&b, kv.WriteOptions{Sync: true}); err != nil {
		return fmt.Errorf("trie: save %q: meta record: %w", name, err)
	}
	// Clean up every other generation, including leftovers of a crash.
	return deleteChunks(db, name, func(gen uint64) bool { return gen != m.gen })
}

// deleteChunks deletes the chunks of name whose generation drop selects.
func deleteChunks(db kv.Engine, name string, drop func(gen uint64) bool) error {
	lo := chunkPrefix(name)
	hi := append(bytes.Clone(lo[:len(lo)-1]), 'c'+1)
	it, err := db.NewIterator(kv.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return fmt.Errorf("trie: clean up %q: %w", name, err)
	}
	var b kv.Batch
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		if len(k) != len(lo)+12 || drop(binary.BigEndian.Uint64(k[len(lo):])) {
			b.Delete(bytes.Clone(k))
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("trie: clean up %q: %w", name, err)
	}
	if b.Empty() {
		return nil
	}
	if err := db.Write(&b, kv.WriteOptions{}); err != nil {
		return fmt.Errorf("trie: clean up %q: %w", name, err)
	}
	return nil
}

// LoadFrom reads the trie stored in db under name by SaveTo. It returns an
// error matching kv.ErrNotFound when there is none, and one matching
// kv.ErrCorruption when the chunks are missing, out of place or damaged.
func LoadFrom(db kv.Engine, name string) (*Trie, error) {
	mb, err := db.Get(metaKey(name))
	if err != nil {
		return nil, fmt.Errorf("trie: load %q: %w", name, err)
	}
	m, err := decodeMeta(mb)
	if err != nil {
		return nil, fmt.Errorf("trie: load %q: %w", name, err)
	}
	lo := chunkKey(name, m.gen, 0)
	hi := chunkKey(name, m.gen+1, 0)
	if m.gen == ^uint64(0) {
		hi = append(chunkPrefix(name)[:len(chunkPrefix(name))-1], 'c'+1)
	}
	it, err := db.NewIterator(kv.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return nil, fmt.Errorf("trie: load %q: %w", name, err)
	}
	blob := make([]byte, 0, min(m.length, 64<<20)) // a damaged length must not allocate much
	var n uint32
	for ok := it.First(); ok; ok = it.Next() {
		if !bytes.Equal(it.Key(), chunkKey(name, m.gen, n)) || uint64(len(blob))+uint64(len(it.Value())) > m.length {
			it.Close()
			return nil, fmt.Errorf("trie: load %q: %w", name, kv.Corruptf("", -1, "chunk %d of generation %d out of place", n, m.gen))
		}
		blob = append(blob, it.Value()...)
		n++
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("trie: load %q: %w", name, err)
	}
	if n != m.chunks || uint64(len(blob)) != m.length {
		return nil, fmt.Errorf("trie: load %q: %w", name, kv.Corruptf("", -1, "generation %d: %d chunks, %d bytes; meta record says %d, %d", m.gen, n, len(blob), m.chunks, m.length))
	}
	t, err := Decode(blob)
	if err != nil {
		return nil, fmt.Errorf("trie: load %q: %w", name, err)
	}
	return t, nil
}
