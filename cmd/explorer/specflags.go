package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/presets"
)

// specFlags are the knob flags shared by every command that takes a design:
// an optional --preset (name or design file) and per-knob overrides.
type specFlags struct {
	preset string
	knobs  map[string]*string
	order  []string
}

// knobHelp documents every knob flag with its valid range.
var knobHelp = []struct{ name, help string }{
	{"family", "network family: " + strings.Join(familyNames(), "|") + " (default shufflenetv2)"},
	{"layout", "ShuffleNetV2 layout: torchvision|megvii (default torchvision)"},
	{"width", fmt.Sprintf("width multiplier, %g..%g (default 1.0; not for the micro-networks g1-g4)", arch.MinWidth, arch.MaxWidth)},
	{"split", "ShuffleNetV2 split ratio c'/c, 0 < split < 1 (default 0.5)"},
	{"groups", fmt.Sprintf("groups of the 1x1 convs, 1..%d (default 1; ShuffleNet v1: 1|2|3|4|8, default 3)", arch.MaxGroups)},
	{"depths", fmt.Sprintf("units per stage, three values each 1..%d (default 4,8,4)", arch.MaxDepth)},
	{"channels", "explicit channels: ShuffleNetV2 stem,stage2,stage3,stage4,conv5 (e.g. 24,116,232,464,1024); v1 stem,stage2,stage3,stage4"},
	{"res", fmt.Sprintf("input size H or HxW, %d..%d (default 224; micro-networks %d..%d, default 56)", arch.MinRes, arch.MaxRes, arch.MinMicroRes, arch.MaxRes)},
	{"batch", fmt.Sprintf("batch size, 1..%d (default 1)", arch.MaxBatch)},
	{"classes", fmt.Sprintf("classifier outputs, 1..%d (default 1000; not for the micro-networks g1-g4)", arch.MaxClasses)},
	{"c1", fmt.Sprintf("g1 micro-network only: outer width c1, 1..%d (default 128)", arch.MaxChannels)},
	{"c2", fmt.Sprintf("g1 micro-network only: inner width c2, 1..%d (default c1)", arch.MaxChannels)},
	{"c", fmt.Sprintf("g2/g3/g4 micro-networks only: channels c, 1..%d (g4: 4..%d; default 128)", arch.MaxChannels, arch.MaxChannels)},
	{"fragments", "g3 micro-network only: 1|2|4 fragments per block (default 1)"},
	{"parallel", "g3 micro-network only: fragments in parallel (true|false)"},
	{"no-relu", "g4 micro-network only: remove the ReLUs (true|false)"},
	{"no-shortcut", "g4 micro-network only: remove the shortcut (true|false)"},
	{"blocks", fmt.Sprintf("micro-networks g1-g4 only: stacked blocks, 1..%d (default 10)", arch.MaxBlocks)},
}

func familyNames() []string {
	var out []string
	for _, f := range arch.Families() {
		out = append(out, string(f))
	}
	return out
}

// addSpecFlags registers --preset and the knob flags on fs.
func addSpecFlags(fs *flag.FlagSet) *specFlags {
	sf := &specFlags{knobs: map[string]*string{}}
	fs.StringVar(&sf.preset, "preset", "", "start from an embedded preset (see 'explorer presets') or a .toml design file; knob flags override it")
	for _, k := range knobHelp {
		sf.knobs[k.name] = fs.String(k.name, "", k.help)
		sf.order = append(sf.order, k.name)
	}
	return sf
}

// spec builds the design: the preset (if any), then every knob flag that
// was set, in a fixed order. Errors are usage errors (exit code 2).
func (sf *specFlags) spec(fs *flag.FlagSet) (arch.Spec, string, error) {
	var s arch.Spec
	name := ""
	if sf.preset != "" {
		p, err := presets.Load(sf.preset)
		if err != nil {
			return s, "", usageError{err}
		}
		s, name = p.Design, p.Name
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, k := range sf.order {
		if !set[k] {
			continue
		}
		knob := strings.ReplaceAll(k, "-", "_")
		if err := s.Set(knob, *sf.knobs[k]); err != nil {
			return s, "", usageError{err}
		}
	}
	if _, err := arch.Build(s); err != nil {
		return s, "", usageError{err}
	}
	return s.Normalize(), name, nil
}

// newFlagSet returns a flag set that reports parse errors as usage errors
// instead of printing usage and exiting.
func newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: explorer %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs parses args into fs and refuses positional arguments, naming the
// command (fs.Name()). Errors are usage errors; after -h or --help (the
// usage is printed) the error matches flag.ErrHelp, see [ignoreHelp].
func parseArgs(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// ignoreHelp returns err, or nil when it is flag.ErrHelp: the usage the user
// asked for with -h is printed and the command succeeds.
func ignoreHelp(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}
