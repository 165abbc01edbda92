package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/shufflelab/explorer/internal/safefile"
)

// childArgsEnv, set in a child process's environment, makes the test
// binary run explorer with these arguments (a JSON list) instead of the
// tests: the signal tests need a process of their own to signal.
const childArgsEnv = "EXPLORER_TEST_CHILD_ARGS"

// signalsReadyMark is what a child says on stderr once its command
// catches SIGINT and SIGTERM (before that a signal would kill it).
const signalsReadyMark = "test: signals ready"

func TestMain(m *testing.M) {
	if v, ok := os.LookupEnv(childArgsEnv); ok {
		var args []string
		if err := json.Unmarshal([]byte(v), &args); err != nil {
			fmt.Fprintln(os.Stderr, "test child:", err)
			os.Exit(3)
		}
		onSignalsReady = func() { fmt.Fprintln(os.Stderr, signalsReadyMark) }
		if len(args) > 0 && args[0] == "test-block" {
			os.Exit(blockChild(args[1:]))
		}
		os.Exit(run(args, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// blockChild stands for a step that does not look at its context (a big
// design's compilation, a chart being drawn): after the first signal it
// writes the file args[0] through safefile and never finishes the write.
// Only a second signal ends it.
func blockChild(args []string) int {
	ctx, stop := signalContext(os.Stderr)
	defer stop()
	<-ctx.Done()
	safefile.Write(args[0], func(w io.Writer) error {
		fmt.Fprintln(os.Stdout, "test: writing")
		time.Sleep(time.Hour)
		return nil
	})
	return 0
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
