package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/cost/costfmt"
	"github.com/shufflelab/explorer/presets"
)

// presetsCmd is `explorer presets`: the embedded designs with their
// analytic MAdds and parameters, and the guideline experiments.
func presetsCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("presets", "presets [--format table|json]")
	fs.SetOutput(stderr)
	format := fs.String("format", "table", "table|json")
	// parseArgs also refuses a positional argument (presets extra listed
	// the presets, exit 0).
	if err := parseArgs(fs, args); err != nil {
		return ignoreHelp(err)
	}
	if *format != "table" && *format != "json" {
		return usagef("invalid --format %q (valid: table|json)", *format)
	}
	all, err := presets.List()
	if err != nil {
		return err
	}
	xs, err := presets.Experiments()
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"presets": all, "experiments": xs})
	}
	// A failed write (a full disk, a closed pipe) is the command's error,
	// exit 1, as for cost; it used to exit 0 with nothing printed.
	out := &stickyWriter{w: stdout}
	stdout = out
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "preset\tMAdds\tparams\tpaper MFLOPs\ttitle")
	for _, p := range all {
		g, err := arch.Build(p.Design)
		if err != nil {
			return fmt.Errorf("preset %s: %w", p.Name, err)
		}
		t := cost.Analyze(g, nil).Totals
		ref := ""
		if p.Reference != nil && p.Reference.MFLOPs > 0 {
			ref = fmt.Sprintf("%g", p.Reference.MFLOPs)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Name, costfmt.Count(t.MultAdds), costfmt.Count(t.Params), ref, p.Title)
	}
	tw.Flush()
	fmt.Fprintln(stdout, "\nexperiments (explorer guidelines --exp ID):")
	for _, x := range xs {
		fmt.Fprintf(stdout, "  %-3s %s (%s)\n", x.ID, x.Title, x.Source)
	}
	fmt.Fprintln(stdout, "\nUse --preset NAME, or --preset FILE.toml for your own design file (same format as presets/designs/*.toml).")
	return out.err
}
