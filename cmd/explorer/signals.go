package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/shufflelab/explorer/internal/safefile"
)

// cancelSignals cancel a command: Ctrl-C (SIGINT) and SIGTERM, what kill,
// timeout, systemd, docker stop and CI runners send. Both mean the same:
// stop at the next check, keep what is done, exit 130 "cancelled".
// (On Windows, Go delivers closing the console window, logging off and
// shutting down as syscall.SIGTERM.)
var cancelSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// cancelledExit is the exit-130 error of a command stopped by its context.
func cancelledExit() error { return exitError{code: 130, err: errors.New("cancelled")} }

// windowsTermGrace is how long a command may take to stop after Windows
// signalled the end of its console or session (it kills the process about
// 5 s after closing the console window).
const windowsTermGrace = 2 * time.Second

// onSignalsReady runs once signalContext catches the signals; the tests
// that signal a child process wait for it.
var onSignalsReady = func() {}

// signalContext returns a context that the first SIGINT or SIGTERM
// cancels, and the function that releases the signals again (call it when
// the command returns). The first signal also says on stderr that a
// second one stops at once: some steps only look at the context between
// parts (a big design's compilation, a chart being drawn). The second
// signal removes the temporary files of writes in progress and what an
// unused new results file left ([safefile.Stop]) and exits the process
// at once with status 130, whatever the command is doing.
func signalContext(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, cancelSignals...)
	onSignalsReady()
	done := make(chan struct{})
	go func() {
		var sig os.Signal
		select {
		case sig = <-ch:
		case <-done:
			return
		}
		cancel()
		prefix := ""
		if isTerminal(stderr) {
			prefix = "\r\033[K" // over a progress line
		}
		if sig == syscall.SIGTERM && runtime.GOOS == "windows" {
			// Windows sends it for closing the console window, logging off
			// and shutting down, and ends the process a few seconds later:
			// no second signal comes. The command gets a moment to stop;
			// then the temporary files go, as on a second signal.
			fmt.Fprintf(stderr, "%sexplorer: cancelling (%v); stopping within %v\n", prefix, sig, windowsTermGrace)
			select {
			case <-done:
				return
			case <-ch:
			case <-time.After(windowsTermGrace):
			}
			safefile.Stop()
			fmt.Fprintln(stderr, "explorer: stopped")
			os.Exit(130)
		}
		again := "press Ctrl-C again to stop at once"
		if sig != os.Interrupt {
			again = fmt.Sprintf("cancelling (%v); a second signal stops at once", sig)
		} else {
			again = "cancelling; " + again
		}
		fmt.Fprintf(stderr, "%sexplorer: %s\n", prefix, again)
		select {
		case <-ch:
		case <-done:
			return
		}
		safefile.Stop()
		fmt.Fprintln(stderr, "explorer: stopped")
		os.Exit(130)
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
			cancel()
		})
	}
}
