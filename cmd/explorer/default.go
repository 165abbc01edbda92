package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"

	"github.com/shufflelab/explorer/runner/calib"
	"github.com/shufflelab/explorer/runner/history"
	"github.com/shufflelab/explorer/runner/host"
	"github.com/shufflelab/explorer/runner/kernels"
	"github.com/shufflelab/explorer/ui"
)

// noTTYHint is printed instead of the interactive explorer when stdout is
// not a terminal (scripts, pipes, CI).
const noTTYHint = "explorer: not a terminal; use 'explorer cost' for the analytic cost or 'explorer run' to measure a design ('explorer help' lists all commands)"

// defaultCmd runs when explorer is started without arguments: the
// interactive explorer on a terminal, a one-line hint otherwise (exit 0:
// nothing was asked for).
func defaultCmd(stdout, stderr io.Writer) error {
	if !isTTY(stdout) || !isTTY(os.Stdin) {
		fmt.Fprintln(stdout, noTTYHint)
		return nil
	}
	return uiCmd(nil, stdout, stderr)
}

// uiCmd opens the interactive explorer.
func uiCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ui", "ui [--log FILE] [--designs DIR] [--history FILE|off] [--kernels SET]")
	fs.SetOutput(stderr)
	logPath := fs.String("log", os.Getenv("EXPLORER_LOG"), "append the UI's log lines to FILE (default: $EXPLORER_LOG; no log when empty)")
	designs := fs.String("designs", "", "offer the design files DIR/*.toml in the presets picker, and save designs there (created on the first save)")
	hist := fs.String("history", "", "show the results of this JSONL file on the gap chart and append new ones, or off (default "+defaultHistoryText()+")")
	kset := fs.String("kernels", "auto", kernelsFlagUsage)
	// --log '' is documented: no log (even with $EXPLORER_LOG set). Any
	// other empty value is refused (--kernels= and --history= were taken
	// as left out).
	if err := parseArgs(fs, args, "log"); err != nil {
		return ignoreHelp(err)
	}
	ks, err := lookupKernelsFlag(*kset)
	if err != nil {
		return err
	}
	if err := checkDesignsDir(*designs); err != nil {
		return err
	}
	if !isTTY(stdout) || !isTTY(os.Stdin) {
		// Asked for the UI by name and it cannot run: the hint, exit 1.
		return exitError{code: 1, err: errors.New(strings.TrimPrefix(noTTYHint, "explorer: "))}
	}
	var files []string
	if *designs != "" {
		if files, err = filepath.Glob(filepath.Join(*designs, "*.toml")); err != nil {
			return usagef("--designs %s: %v", quotePath(*designs), err)
		}
	}
	histPath := *hist
	if isOff(histPath) {
		histPath = "off"
	}
	switch histPath {
	case "off":
		histPath = ""
	case "":
		// Without a usable home directory the UI simply keeps no history.
		histPath, _ = history.DefaultPath()
	}
	return runUI(uiConfig{logPath: *logPath, saveDir: *designs, designFiles: files, history: histPath, kernels: ks, kernelsFlag: *kset})
}

// uiConfig is the checked command line of `explorer ui`.
type uiConfig struct {
	logPath     string       // log file ("" = no log)
	saveDir     string       // where the save prompt proposes to write
	designFiles []string     // extra design files for the presets picker
	history     string       // history file ("" = none)
	kernels     *kernels.Set // native kernel set (--kernels)
	kernelsFlag string       // --kernels as given (the TUI's kernels knob starts there)
}

// isTTY reports whether w is a terminal (not just any character device).
func isTTY(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// runUI runs the Bubble Tea program on the alternate screen. Nothing else
// may write to the terminal meanwhile: logs go to logPath or nowhere.
func runUI(c uiConfig) error {
	var logw io.Writer = io.Discard
	if c.logPath != "" {
		f, err := os.OpenFile(c.logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("open log: %w", err)
		}
		defer f.Close()
		logw = f
	}
	ms := newUIMeasurer(defaultRunDeps(), c.history)
	if c.kernels != nil {
		ms.kernels = c.kernels
	}
	fp := host.Detect()
	hist, histNote := historyPoints(c.history, logw)
	deps := ui.Deps{
		Measurer:    ms,
		Backends:    ms.available(),
		MaxThreads:  runtime.NumCPU(),
		Host:        hostLine(fp),
		HostKey:     calib.HostKey(fp),
		HostName:    calib.HostName(fp),
		History:     hist,
		HistoryNote: histNote,
		DesignFiles: c.designFiles,
		SaveDir:     c.saveDir,
		Calibrator:  ms,
		Kernels:     c.kernelsFlag,
		NoColor:     os.Getenv("NO_COLOR") != "",
	}
	if c.logPath != "" {
		deps.Log = logw
	}
	m, err := ui.New(deps)
	if err != nil {
		return err
	}
	if _, err := tea.NewProgram(m).Run(); err != nil {
		if errors.Is(err, tea.ErrInterrupted) {
			return exitError{code: 130, err: errors.New("")}
		}
		return fmt.Errorf("ui: %w", err)
	}
	return nil
}

// checkDesignsDir refuses a --designs that exists and is not a directory
// (a design file given for the directory: its "FILE/*.toml" matched
// nothing and the UI started without a word). A missing directory is
// fine: the first save creates it.
func checkDesignsDir(dir string) error {
	if dir == "" {
		return nil
	}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return usagef("invalid --designs %s: %v (valid: a directory of design files)", quotePath(dir), err)
	case !st.IsDir():
		return usagef("invalid --designs %s: not a directory (valid: a directory of design files, made on the first save)", quotePath(dir))
	}
	return nil
}
