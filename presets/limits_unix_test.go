//go:build unix

package presets

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/shufflelab/explorer/internal/safefile"
)

// TestLoadRefusesDevicesAndFIFOs is issue 15 reproduction 9: --preset
// /dev/zero grew without limit and a FIFO hung forever.
func TestLoadRefusesDevicesAndFIFOs(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "design.toml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	for _, p := range []string{"/dev/zero", fifo} {
		done := make(chan error, 1)
		go func() { _, err := Load(p); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, safefile.ErrNotRegular) {
				t.Errorf("Load(%s) = %v, want ErrNotRegular", p, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Load(%s) blocked", p)
		}
	}
}
