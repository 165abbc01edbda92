// Command explorer shows, on your own hardware, why FLOPs are not speed:
// it computes FLOPs, parameters and memory access cost of ShuffleNetV2-style
// networks analytically, runs them for real and plots the gap.
//
// Run with no arguments it opens the interactive explorer; the subcommands
// do the same work from scripts:
//
//	explorer cost     analytic MAdds, FLOPs, params and MAC of a design
//	explorer presets  the embedded designs and experiments
//	explorer run      run a design on this machine and measure its latency
//	explorer sweep    measure many designs (resumable JSONL) and rank the indirect metrics
//	explorer guidelines  the paper's guideline experiments and Table 8, measured here
//	explorer plot     charts from sweep results
//
// `explorer help CMD` or `explorer CMD -h` lists a command's flags.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// usageError marks bad command-line input: exit code 2, one line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitError carries a specific exit code (e.g. 130 after a cancelled run).
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

type command struct {
	name  string
	short string
	run   func(args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"cost", "analytic MAdds, FLOPs, params and memory access cost of a design", costCmd},
		{"presets", "list the embedded designs and guideline experiments", presetsCmd},
		{"run", "run a design on this machine: latency statistics and, with --profile, where the time goes", runCmd},
		{"sweep", "measure a grid of designs or a list of presets into a resumable JSONL file; rank-correlate FLOPs, MAC, params, roofline with latency", sweepCmd},
		{"guidelines", "rerun the paper's guideline experiments G1-G4 and the Table 8 comparison here, beside the paper's numbers", guidelinesCmd},
		{"plot", "render gap, correlation, decomposition and roofline charts from sweep results", plotCmd},
		{"ui", "the interactive explorer (the default on a terminal)", uiCmd},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	err := dispatch(args, stdout, stderr)
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(stderr, "explorer:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "explorer:", err)
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func dispatch(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return defaultCmd(stdout, stderr)
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		if len(args) > 1 {
			return dispatch([]string{args[1], "-h"}, stdout, stderr)
		}
		printUsage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(args[1:], stdout, stderr)
		}
	}
	return usagef("unknown command %q (run 'explorer help' for the list)", name)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "explorer: why FLOPs are not speed, on your own hardware (ShuffleNetV2 design explorer)")
	fmt.Fprintln(w, "\nUsage:\n  explorer            open the interactive explorer on ShuffleNetV2 1.0x\n  explorer COMMAND [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.short)
	}
	fmt.Fprintln(w, "\nRun 'explorer COMMAND -h' for a command's flags.")
}
