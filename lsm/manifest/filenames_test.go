package manifest

import "testing"

func TestFileNames(t *testing.T) {
	cases := []struct {
		name string
		typ  FileType
		num  uint64
	}{
		{TableFileName("d", 12), TypeTable, 12},
		{LogFileName("d", 1234567), TypeLog, 1234567},
		{ManifestFileName("d", 0), TypeManifest, 0},
		{TempFileName("d", 9), TypeTemp, 9},
		{CurrentFileName("d"), TypeCurrent, 0},
		{LockFileName("d"), TypeLock, 0},
		{"d/" + "18446744073709551615.sst", TypeTable, 1<<64 - 1},
	}
	for _, c := range cases {
		base := c.name[len("d/"):]
		typ, num, ok := ParseFileName(base)
		if !ok || typ != c.typ || num != c.num {
			t.Errorf("ParseFileName(%q) = %v %d %v, want %v %d", base, typ, num, ok, c.typ, c.num)
		}
	}
	if got := TableFileName("dir", 5); got != "dir/000005.sst" {
		t.Errorf("TableFileName = %q", got)
	}
	if got := ManifestFileName("dir", 5); got != "dir/MANIFEST-000005" {
		t.Errorf("ManifestFileName = %q", got)
	}
	for _, bad := range []string{"", "x.sst", ".sst", "12.SST", "MANIFEST-", "MANIFEST-x1", "1 2.log",
		"+1.log", "-1.log", "18446744073709551616.sst", "CURRENT.tmp", "000001.ldb", "LOCKx"} {
		if typ, _, ok := ParseFileName(bad); ok || typ != TypeUnknown {
			t.Errorf("ParseFileName(%q) = %v, %v; want unknown", bad, typ, ok)
		}
	}
	for typ := TypeUnknown; typ <= TypeTemp+1; typ++ {
		if typ.String() == "" {
			t.Errorf("FileType(%d) has no name", typ)
		}
	}
}
