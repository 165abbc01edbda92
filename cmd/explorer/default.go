package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"

	"github.com/shufflelab/explorer/ui"
)

// noTTYHint is printed instead of the interactive explorer when stdout is
// not a terminal (scripts, pipes, CI).
const noTTYHint = "explorer: not a terminal; use 'explorer cost' for the analytic cost or 'explorer run' to measure a design ('explorer help' lists all commands)"

// defaultCmd runs when explorer is started without arguments: the
// interactive explorer on a terminal, a one-line hint otherwise.
func defaultCmd(stdout, stderr io.Writer) error {
	return uiCmd(nil, stdout, stderr)
}

// uiCmd opens the interactive explorer.
func uiCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ui", "ui [--log FILE] [--designs DIR]")
	fs.SetOutput(stderr)
	logPath := fs.String("log", os.Getenv("EXPLORER_LOG"), "append the UI's log lines to FILE (default: $EXPLORER_LOG; no log when empty)")
	designs := fs.String("designs", "", "offer the design files DIR/*.toml in the presets picker, and save designs there")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("ui: unexpected argument %q", fs.Arg(0))
	}
	if !isTerminal(stdout) || !isTerminal(os.Stdin) {
		fmt.Fprintln(stdout, noTTYHint)
		return nil
	}
	var files []string
	if *designs != "" {
		var err error
		if files, err = filepath.Glob(filepath.Join(*designs, "*.toml")); err != nil {
			return usagef("--designs %q: %v", *designs, err)
		}
	}
	return runUI(*logPath, *designs, files)
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// runUI runs the Bubble Tea program on the alternate screen. Nothing else
// may write to the terminal meanwhile: logs go to logPath or nowhere.
func runUI(logPath, saveDir string, designFiles []string) error {
	deps := ui.Deps{
		Backends:    []string{"native"},
		MaxThreads:  runtime.NumCPU(),
		Host:        hostLine(),
		DesignFiles: designFiles,
		SaveDir:     saveDir,
	}
	if logPath != "" {
		f, err := os.OpenFile(logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("open log: %w", err)
		}
		defer f.Close()
		deps.Log = f
	}
	m, err := ui.New(deps)
	if err != nil {
		return err
	}
	if _, err := tea.NewProgram(m, tea.WithAltScreen()).Run(); err != nil {
		if errors.Is(err, tea.ErrInterrupted) {
			return exitError{code: 130, err: errors.New("")}
		}
		return fmt.Errorf("ui: %w", err)
	}
	return nil
}

// hostLine is the status line's host description until the measurement
// packages provide the full fingerprint (CPU model and features).
func hostLine() string {
	return fmt.Sprintf("%s/%s · %d threads · %s · no measurer yet (runs need runner/native)", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
}
