package kvlab

import (
	"errors"
	"testing"
)

func TestOpenUnknownEngineAndOption(t *testing.T) {
	if _, err := Open("no-such-engine", t.TempDir(), Options{}); !errors.Is(err, ErrUnknownEngine) {
		t.Fatalf("Open(unknown) = %v, want ErrUnknownEngine", err)
	}
	if _, err := Open("memory", t.TempDir(), Options{Settings: map[string]string{"bogus": "1"}}); !errors.Is(err, ErrUnknownOption) {
		t.Fatalf("Open(memory, bogus option) = %v, want ErrUnknownOption", err)
	}
	db, err := Open("memory", "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}

func TestEnginesListsOwnEnginesFirst(t *testing.T) {
	seenPeer := false
	for _, e := range Engines() {
		if e.Peer {
			seenPeer = true
		} else if seenPeer {
			t.Fatalf("kvlab engine %s listed after a peer", e.Name)
		}
	}
	if _, err := Lookup("memory"); err != nil {
		t.Fatal(err)
	}
}
