//go:build unix

package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// child is explorer running in a process of its own (the test binary, see
// TestMain).
type child struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan struct{}
	err            error // of Wait, once done is closed
}

// startChild runs explorer with args in a child process in dir.
func startChild(t *testing.T, dir string, args ...string) *child {
	t.Helper()
	a, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: exec.Command(os.Args[0]), stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	c.cmd.Dir = dir
	c.cmd.Env = append(os.Environ(), childArgsEnv+"="+string(a))
	c.cmd.Stdout, c.cmd.Stderr = c.stdout, c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			c.cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

// waitFor waits until the child's stream s (its stdout or stderr) holds
// mark; it fails the test when the child exits first or after a minute.
func (c *child) waitFor(t *testing.T, s *syncBuffer, mark string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(s.String(), mark) {
		select {
		case <-c.done:
			if strings.Contains(s.String(), mark) {
				return
			}
			t.Fatalf("child exited (%v) before %q\nstdout:\n%s\nstderr:\n%s", c.err, mark, c.stdout, c.stderr)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q after a minute\nstdout:\n%s\nstderr:\n%s", mark, c.stdout, c.stderr)
		}
	}
}

// signal sends sig to the child.
func (c *child) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// exitCode waits at most limit for the child to exit and returns its exit
// status; a child killed by a signal fails the test.
func (c *child) exitCode(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(limit):
		t.Fatalf("child still running %v after the signal\nstdout:\n%s\nstderr:\n%s", limit, c.stdout, c.stderr)
	}
	var ee *exec.ExitError
	switch {
	case c.err == nil:
		return 0
	case !errors.As(c.err, &ee):
		t.Fatal(c.err)
	case !ee.Exited():
		t.Fatalf("child %v, want an exit status\nstdout:\n%s\nstderr:\n%s", ee, c.stdout, c.stderr)
	}
	return ee.ExitCode()
}

// noTempFiles fails the test when dir holds a safefile temporary file.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	var left []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestSecondSignalStopsAtOnce: the first Ctrl-C cancels and says that a
// second one stops at once; the second ends a step that does not look at
// its context (here a write that never finishes) at once, exit 130, and
// removes that write's temporary file. signal.NotifyContext swallowed
// every further Ctrl-C, so a big design's compilation could not be
// stopped at all.
func TestSecondSignalStopsAtOnce(t *testing.T) {
	dir := t.TempDir()
	c := startChild(t, dir, "test-block", filepath.Join(dir, "out.safetensors"))
	c.waitFor(t, c.stderr, signalsReadyMark)
	c.signal(t, os.Interrupt)
	c.waitFor(t, c.stdout, "test: writing")
	if !strings.Contains(c.stderr.String(), "cancelling; press Ctrl-C again to stop at once") {
		t.Errorf("stderr after the first signal:\n%s", c.stderr)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".out.safetensors.tmp-*")); len(m) != 1 {
		t.Fatalf("temporary files during the write: %v, want one", m)
	}
	c.signal(t, os.Interrupt)
	if code := c.exitCode(t, 10*time.Second); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	noTempFiles(t, dir)
	if _, err := os.Stat(filepath.Join(dir, "out.safetensors")); err == nil {
		t.Error("the unfinished write made its file")
	}
}

// TestSweepSIGTERM: SIGTERM stops a sweep as Ctrl-C does: the summary,
// "rerun the same command to resume", exit 130. It used to kill the
// process (exit 143, no summary).
func TestSweepSIGTERM(t *testing.T) {
	dir := t.TempDir()
	c := startChild(t, dir, "sweep", "--width", "0.5", "--res", "32", "--depths", "1,1,1", "--calib", "off",
		"--warmup", "0", "--min-iters", "1", "--min-time", "60s", "--max-time", "120s", "--out", "s.jsonl")
	c.waitFor(t, c.stderr, "-> s.jsonl")
	c.signal(t, syscall.SIGTERM)
	if code := c.exitCode(t, 30*time.Second); code != 130 {
		t.Errorf("exit %d, want 130\nstderr:\n%s", code, c.stderr)
	}
	for _, want := range []string{"cancelling (terminated); a second signal stops at once", "sweep: 0 measured, 0 already in s.jsonl, 0 failed", "rerun the same command to resume"} {
		if !strings.Contains(c.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, c.stderr)
		}
	}
}

// TestRunSIGTERM: SIGTERM cancels run as Ctrl-C does (exit 130
// "cancelled", the partial statistics when the timing had begun); it
// used to kill the process with status 143.
func TestRunSIGTERM(t *testing.T) {
	dir := t.TempDir()
	c := startChild(t, dir, "run", "--width", "0.5", "--res", "32", "--depths", "1,1,1", "--warmup", "0",
		"--min-iters", "1", "--min-time", "60s", "--max-time", "120s", "--history", "h.jsonl")
	c.waitFor(t, c.stderr, signalsReadyMark)
	time.Sleep(200 * time.Millisecond) // into the measurement, most likely
	c.signal(t, syscall.SIGTERM)
	if code := c.exitCode(t, 30*time.Second); code != 130 {
		t.Errorf("exit %d, want 130\nstderr:\n%s", code, c.stderr)
	}
	if !strings.Contains(c.stderr.String(), "explorer: cancelled") {
		t.Errorf("stderr:\n%s", c.stderr)
	}
}

// TestPlotSignal: Ctrl-C stops plot between two files (it had no handler:
// the process died mid-file and left a .NAME.tmp-* file): exit 130, no
// temporary file, and the points CSV, written last, not written.
func TestPlotSignal(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	writePlotFixture(t, in)
	c := startChild(t, dir, "plot", "--in", in, "--out", "plots")
	c.waitFor(t, c.stderr, signalsReadyMark)
	c.signal(t, os.Interrupt)
	if code := c.exitCode(t, 30*time.Second); code != 130 {
		t.Errorf("exit %d, want 130\nstderr:\n%s", code, c.stderr)
	}
	noTempFiles(t, dir)
	if _, err := os.Stat(filepath.Join(dir, "plots", "points.csv")); err == nil {
		t.Error("points.csv written after the signal")
	}
}
