package btree

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/kvlab/kvlab/vfs"
)

// Inspect prints a human-readable dump of the store in dir without opening
// it (no lock is taken, nothing is written, no log is replayed): both meta
// slots, valid or why not, and a census of the pages file by the type each
// page's header declares, with the pages whose checksum or page number is
// wrong. Free pages keep the header of what they last held, so the census
// counts them under that type; the meta's counts are those of the tree.
// Pages of bare overflow runs have no header: they, and any page whose
// header names another page number, are counted as "unframed".
// It is `kvlab inspect btree DIR`.
func Inspect(fsys vfs.FS, dir string, w io.Writer) error {
	metaName := vfs.Join(dir, metaFileName)
	mf, err := fsys.Open(metaName, vfs.KindBTreeMeta)
	if err != nil {
		return fmt.Errorf("btree: inspect: %w", err)
	}
	defer mf.Close()
	slots, errs, err := readMetaSlots(mf)
	if err != nil {
		return fmt.Errorf("btree: inspect %s: %w", metaName, err)
	}
	for slot, m := range slots {
		if errs[slot] != nil {
			fmt.Fprintf(w, "meta slot %d: not valid (%v)\n", slot, errs[slot])
			continue
		}
		fmt.Fprintf(w, "meta slot %d: checkpoint %d, page size %d, root %d, height %d, free list %d, %d pages, log %d\n",
			slot, m.checkpoint, m.pageSize, m.root, m.height, m.freelist, m.pageCount, m.walNum)
		fmt.Fprintf(w, "  %d keys, %d live bytes; %d leaf, %d branch, %d overflow pages; leaf bytes %d\n",
			m.keys, m.liveBytes, m.leafPages, m.branchPages, m.overflowPages, m.leafBytes)
	}
	newest, found := newestMeta(slots, errs)
	if !found {
		return fmt.Errorf("btree: inspect %s: no valid meta slot", metaName)
	}
	fmt.Fprintf(w, "newest: checkpoint %d\n", newest.checkpoint)

	pagesName := vfs.Join(dir, pagesFileName)
	pf, err := fsys.Open(pagesName, vfs.KindBTreePages)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(w, "%s: absent\n", pagesName)
		return nil
	}
	if err != nil {
		return fmt.Errorf("btree: inspect: %w", err)
	}
	defer pf.Close()
	size, err := pf.Size()
	if err != nil {
		return fmt.Errorf("btree: inspect %s: %w", pagesName, err)
	}
	ps := int64(newest.pageSize)
	names := map[byte]string{pageLeaf: "leaf", pageBranch: "branch", pageOverflow: "overflow", pageFreelist: "free-list"}
	counts := map[string]int{}
	var bad []string
	page := make([]byte, ps)
	total := size / ps
	for i := int64(0); i < total; i++ {
		if _, err := pf.ReadAt(page, i*ps); err != nil {
			return fmt.Errorf("btree: inspect %s page %d: %w", pagesName, i+1, err)
		}
		kind, ok := names[page[offType]]
		pg := uint64(i + 1)
		switch {
		case isZeroPage(page):
			counts["zero"]++
			continue
		case binary.LittleEndian.Uint64(page[offPgno:]) != pg:
			// Bare overflow runs (cellOverflowRaw) have no header: their
			// pages are told from damage only by walking the tree (Check).
			counts["unframed"]++
			continue
		case !ok:
			kind = fmt.Sprintf("unknown type %d", page[offType])
		}
		counts[kind]++
		if binary.LittleEndian.Uint32(page[offChecksum:]) != pageChecksum(page) {
			bad = append(bad, fmt.Sprintf("page %d (%s): checksum mismatch", pg, kind))
		}
	}
	fmt.Fprintf(w, "%s: %d bytes, %d pages of %d bytes", pagesName, size, total, ps)
	if size%ps != 0 {
		fmt.Fprintf(w, " (+%d bytes of a torn last page)", size%ps)
	}
	fmt.Fprintln(w)
	for _, k := range []string{"leaf", "branch", "overflow", "free-list", "zero", "unframed"} {
		if counts[k] > 0 {
			fmt.Fprintf(w, "  %-9s %d\n", k, counts[k])
			delete(counts, k)
		}
	}
	for k, c := range counts {
		fmt.Fprintf(w, "  %s: %d\n", k, c)
	}
	for _, b := range bad {
		fmt.Fprintf(w, "  damaged? %s (a free page may hold a torn write)\n", b)
	}
	return nil
}

func isZeroPage(p []byte) bool {
	for _, c := range p {
		if c != 0 {
			return false
		}
	}
	return true
}
