package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// exitInterrupted is the exit status after a Ctrl-C: 128 + SIGINT, as
// shells report a command killed by it.
const exitInterrupted = 130

// errInterrupted is returned by a command stopped by Ctrl-C after it
// printed the figures so far; main exits with exitInterrupted.
var errInterrupted = errors.New("interrupted")

// interruptible returns a context that the first Ctrl-C (SIGINT) or
// SIGTERM cancels, so that the running benchmark stops after its current
// operations and the command prints the figures so far. A second signal
// stops at once: it runs cleanup (which removes the temporary stores) and
// exits with exitInterrupted. stop releases the signals.
func interruptible(parent context.Context, stderr io.Writer, cleanup func()) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintln(stderr, "kvlab: interrupt: stopping after the current operations (again to stop at once)")
		cancel()
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintln(stderr, "kvlab: interrupted: stopping at once")
		cleanup()
		os.Exit(exitInterrupted)
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}

// undoList holds what a command undoes when it ends, or when a second
// Ctrl-C stops it at once (from the signal goroutine): removing its
// temporary stores. run runs each function once, the last added first.
type undoList struct {
	mu  sync.Mutex
	fns []func()
}

func (u *undoList) add(f func()) {
	u.mu.Lock()
	u.fns = append(u.fns, f)
	u.mu.Unlock()
}

func (u *undoList) run() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for i := len(u.fns) - 1; i >= 0; i-- {
		u.fns[i]()
	}
	u.fns = nil
}
