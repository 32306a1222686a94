package kv

import (
	"encoding/binary"
	"fmt"
)

// OpKind is the kind of one batch operation. The values are part of the
// batch format (docs/format/batch.md).
type OpKind uint8

const (
	// OpDelete removes a key.
	OpDelete OpKind = 0
	// OpSet stores a value under a key.
	OpSet OpKind = 1
	// OpDeleteRange removes every key k with start <= k < end. In a
	// BatchReader's output its key is start and its value is end.
	OpDeleteRange OpKind = 2
)

func (k OpKind) String() string {
	switch k {
	case OpDelete:
		return "delete"
	case OpSet:
		return "set"
	case OpDeleteRange:
		return "delete-range"
	}
	return fmt.Sprintf("OpKind(%d)", uint8(k))
}

const batchHeaderSize = 4

// Batch is an ordered list of Puts, Deletes and DeleteRanges applied
// atomically by Engine.Write. The zero Batch is empty and ready to use. A Batch is not safe
// for concurrent use.
//
// A Batch keeps its operations in one encoded buffer (its Repr, specified in
// docs/format/batch.md) so that an engine can log it without copying it. It
// also keeps, as it is built, the figures engines need before or after
// applying it (Puts, Deletes, MaxKeyLen, UserBytes), so that a write path
// decodes the buffer only once, to apply it.
type Batch struct {
	data      []byte // header (count) + records
	count     uint32
	puts      uint32 // set operations
	ranges    uint32 // delete-range operations; count - puts - ranges are deletes
	maxKey    int    // length of the longest key
	userBytes int64
	err       error
}

// Put adds "store value under key". key and value are copied. An oversized
// key or value makes the batch fail at Write.
func (b *Batch) Put(key, value []byte) {
	if err := CheckKV(key, value); err != nil {
		b.fail(err)
		return
	}
	b.appendOp(OpSet, key, value)
	b.puts++
	b.bump(len(key), int64(len(key)+len(value)))
}

// Delete adds "remove key". key is copied.
func (b *Batch) Delete(key []byte) {
	if err := CheckKV(key, nil); err != nil {
		b.fail(err)
		return
	}
	b.grow()
	b.data = append(b.data, byte(OpDelete))
	b.data = binary.AppendUvarint(b.data, uint64(len(key)))
	b.data = append(b.data, key...)
	b.bump(len(key), int64(len(key)))
}

// DeleteRange adds "remove every key k with start <= k < end" (half-open,
// like iterator bounds); keys written later in the same batch are not
// affected. start and end are copied. start == end is an empty range and
// removes nothing; start > end makes the batch fail at Write with an error
// wrapping ErrInvalidRange. To remove every key with a prefix p, use
// DeleteRange(PrefixBounds(p)) when the upper bound is not nil.
//
// Engines that cannot delete ranges refuse the whole batch with an error
// wrapping ErrNotSupported.
func (b *Batch) DeleteRange(start, end []byte) {
	if err := checkRange(start, end); err != nil {
		b.fail(err)
		return
	}
	b.appendOp(OpDeleteRange, start, end)
	b.ranges++
	b.bump(max(len(start), len(end)), int64(len(start)+len(end)))
}

// checkRange validates a DeleteRange's bounds: both within the key size
// limit, start not after end.
func checkRange(start, end []byte) error {
	if err := CheckKV(start, nil); err != nil {
		return err
	}
	if err := CheckKV(end, nil); err != nil {
		return err
	}
	if string(start) > string(end) {
		return fmt.Errorf("%w: start %.40q is after end %.40q", ErrInvalidRange, start, end)
	}
	return nil
}

func (b *Batch) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// appendOp encodes an operation with two byte strings (a set's key and
// value, a range's start and end).
func (b *Batch) appendOp(kind OpKind, key, value []byte) {
	b.grow()
	b.data = append(b.data, byte(kind))
	b.data = binary.AppendUvarint(b.data, uint64(len(key)))
	b.data = append(b.data, key...)
	b.data = binary.AppendUvarint(b.data, uint64(len(value)))
	b.data = append(b.data, value...)
}

func (b *Batch) grow() {
	if len(b.data) == 0 {
		b.data = append(b.data, 0, 0, 0, 0)
	}
}

// bump accounts for the operation just encoded.
func (b *Batch) bump(keyLen int, userBytes int64) {
	b.count++
	b.maxKey = max(b.maxKey, keyLen)
	b.userBytes += userBytes
	binary.LittleEndian.PutUint32(b.data, b.count)
}

// Append adds every operation of o, in order, after those of b.
func (b *Batch) Append(o *Batch) {
	if o.err != nil {
		b.fail(o.err)
	}
	if o.count == 0 {
		return
	}
	b.grow()
	b.data = append(b.data, o.data[batchHeaderSize:]...)
	b.count += o.count
	b.puts += o.puts
	b.ranges += o.ranges
	b.maxKey = max(b.maxKey, o.maxKey)
	b.userBytes += o.userBytes
	binary.LittleEndian.PutUint32(b.data, b.count)
}

// Len returns the number of operations.
func (b *Batch) Len() int { return int(b.count) }

// Puts returns the number of set operations (Put).
func (b *Batch) Puts() int { return int(b.puts) }

// Deletes returns the number of (single-key) delete operations.
func (b *Batch) Deletes() int { return int(b.count - b.puts - b.ranges) }

// RangeDeletes returns the number of DeleteRange operations. An engine that
// cannot delete ranges refuses a batch for which it is not zero.
func (b *Batch) RangeDeletes() int { return int(b.ranges) }

// MaxKeyLen returns the length of the batch's longest key (0 when empty), so
// that an engine with a smaller key limit than kv.MaxKeySize can refuse the
// batch without decoding it.
func (b *Batch) MaxKeyLen() int { return b.maxKey }

// Empty reports whether the batch holds no operation.
func (b *Batch) Empty() bool { return b.count == 0 }

// UserBytes returns the bytes of keys and values the batch writes: the
// denominator of write amplification.
func (b *Batch) UserBytes() int64 { return b.userBytes }

// Err returns the first error met while building the batch (an oversized key
// or value); Write refuses a batch whose Err is not nil. For a nil *Batch it
// returns ErrNilBatch, so that every engine's Write refuses one.
func (b *Batch) Err() error {
	if b == nil {
		return ErrNilBatch
	}
	return b.err
}

// Reset empties the batch, keeping its buffer.
func (b *Batch) Reset() {
	b.data = b.data[:0]
	b.count = 0
	b.puts = 0
	b.ranges = 0
	b.maxKey = 0
	b.userBytes = 0
	b.err = nil
}

// Repr returns the batch's encoding (docs/format/batch.md). It is nil for an
// empty batch. The slice aliases the batch's buffer.
func (b *Batch) Repr() []byte {
	if b.count == 0 {
		return nil
	}
	return b.data
}

// SetRepr replaces the batch's contents with a decoded copy of data, which
// must be a valid encoding as produced by Repr. It decodes data once, to
// validate it and to compute the figures Put and Delete keep as a batch is
// built (Puts, Deletes, RangeDeletes, MaxKeyLen, UserBytes). A malformed
// encoding, or one holding an operation Put, Delete or DeleteRange would
// refuse (see CheckKV), yields an error wrapping ErrCorruption and leaves
// the batch empty.
func (b *Batch) SetRepr(data []byte) error {
	b.Reset()
	if len(data) == 0 {
		return nil
	}
	if len(data) < batchHeaderSize {
		return Corruptf("", -1, "batch: %d bytes is shorter than its header", len(data))
	}
	want := binary.LittleEndian.Uint32(data)
	r := BatchReader{data: data[batchHeaderSize:]}
	var n, puts, ranges uint32
	var user int64
	maxKey := 0
	for {
		kind, k, v, ok := r.Next()
		if !ok {
			break
		}
		check := CheckKV(k, v)
		if kind == OpDeleteRange {
			check = checkRange(k, v)
		}
		if check != nil {
			return Corruptf("", -1, "batch: operation %d: %v", n, check)
		}
		n++
		switch kind {
		case OpSet:
			puts++
		case OpDeleteRange:
			ranges++
			maxKey = max(maxKey, len(v))
		}
		maxKey = max(maxKey, len(k))
		user += int64(len(k) + len(v))
	}
	if r.err != nil {
		return r.err
	}
	if n != want {
		return Corruptf("", -1, "batch: header says %d operations, found %d", want, n)
	}
	b.data = append(b.data[:0], data...)
	b.count = n
	b.puts = puts
	b.ranges = ranges
	b.maxKey = maxKey
	b.userBytes = user
	return nil
}

// Reader returns a reader over the batch's operations in order.
func (b *Batch) Reader() BatchReader {
	if b.count == 0 {
		return BatchReader{}
	}
	return BatchReader{data: b.data[batchHeaderSize:]}
}

// BatchReader walks the operations of a batch encoding.
type BatchReader struct {
	data []byte
	off  int
	err  error
}

// Next returns the next operation. The key and value alias the batch's
// buffer; for OpDeleteRange, key is the range's start and value its end.
// ok is false at the end or on a malformed encoding (see Err).
func (r *BatchReader) Next() (kind OpKind, key, value []byte, ok bool) {
	if r.err != nil || r.off >= len(r.data) {
		return 0, nil, nil, false
	}
	start := r.off
	kind = OpKind(r.data[r.off])
	r.off++
	if kind > OpDeleteRange {
		r.err = Corruptf("", int64(start), "batch: unknown operation kind %d", kind)
		return 0, nil, nil, false
	}
	if key, ok = r.bytes(start); !ok {
		return 0, nil, nil, false
	}
	if kind != OpDelete {
		if value, ok = r.bytes(start); !ok {
			return 0, nil, nil, false
		}
	}
	return kind, key, value, true
}

func (r *BatchReader) bytes(start int) ([]byte, bool) {
	n, w := binary.Uvarint(r.data[r.off:])
	if w <= 0 || n > uint64(len(r.data)-r.off-w) {
		r.err = Corruptf("", int64(start), "batch: bad length")
		return nil, false
	}
	r.off += w
	p := r.data[r.off : r.off+int(n) : r.off+int(n)]
	r.off += int(n)
	return p, true
}

// Err returns the error that stopped the reader, if the encoding was malformed.
func (r *BatchReader) Err() error { return r.err }
