//go:build linux

package vfs

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// openDirect opens name with O_DIRECT.
func openDirect(name string, flag int) (*os.File, error) {
	return os.OpenFile(name, flag|syscall.O_DIRECT, 0o644)
}

// probeDirect creates a file in dir with O_DIRECT, writes an aligned block,
// reads it back and removes the file.
func probeDirect(dir string) error {
	name := filepath.Join(dir, ".kvlab-direct-probe-"+strconv.Itoa(os.Getpid()))
	f, err := openDirect(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return err
	}
	defer os.Remove(name)
	defer f.Close()
	b := alignedBuf(DirectAlign)
	for i := range b {
		b[i] = byte(i)
	}
	if _, err := f.WriteAt(b, 0); err != nil {
		return err
	}
	c := alignedBuf(DirectAlign)
	if _, err := f.ReadAt(c, 0); err != nil {
		return err
	}
	if string(b) != string(c) {
		return fmt.Errorf("read back differs from what was written")
	}
	return nil
}

// fileSystemTypes names the file systems by statfs(2) magic number.
var fileSystemTypes = map[int64]string{
	0xEF53: "ext4", 0x58465342: "xfs", 0x9123683E: "btrfs", 0x01021994: "tmpfs", 0x858458f6: "ramfs",
	0x794c7630: "overlayfs", 0x2fc12fc1: "zfs", 0x6969: "nfs", 0x65735546: "fuse", 0xF2F52010: "f2fs",
	0x5346544e: "ntfs", 0x4d44: "vfat", 0x61756673: "aufs", 0x01021997: "9p", 0x73717368: "squashfs",
}

// fileSystemType names the file system holding dir: "ext4", "tmpfs", ...
func fileSystemType(dir string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "unknown file system"
	}
	if name, ok := fileSystemTypes[int64(st.Type)]; ok {
		return name
	}
	return fmt.Sprintf("file system type %#x", st.Type)
}
