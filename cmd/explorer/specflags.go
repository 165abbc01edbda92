package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/internal/safefile"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/registry"
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
	{"groups", fmt.Sprintf("groups of the 1x1 convs: ShuffleNetV2 1..%d (torchvision layout; stage channels rounded to a multiple of 2 x groups; default 1), ShuffleNet v1 %s (default 3), g2 a divisor of c; 1 for the other families", arch.MaxGroups, arch.ShuffleNetV1GroupList())},
	{"depths", fmt.Sprintf("ShuffleNet v1/v2 only: units per stage, three values each 1..%d (default 4,8,4)", arch.MaxDepth)},
	{"channels", "explicit channels: ShuffleNetV2 stem,stage2,stage3,stage4,conv5 (e.g. 24,116,232,464,1024); v1 stem,stage2,stage3,stage4"},
	{"res", fmt.Sprintf("input size H or HxW, %d..%d (default 224; micro-networks %d..%d, default 56)", arch.MinRes, arch.MaxRes, arch.MinMicroRes, arch.MaxRes)},
	{"batch", fmt.Sprintf("batch size, 1..%d (default 1)", arch.MaxBatch)},
	{"classes", fmt.Sprintf("classifier outputs, 1..%d (default 1000; not for the micro-networks g1-g4)", arch.MaxClasses)},
	{"c1", fmt.Sprintf("g1 micro-network only: outer width c1, 1..%d (default 128)", arch.MaxChannels)},
	{"c2", fmt.Sprintf("g1 micro-network only: inner width c2, 1..%d (default c1)", arch.MaxChannels)},
	{"c", fmt.Sprintf("g2/g3/g4 micro-networks only: channels c, 1..%d (g4: a multiple of 4 in 4..%d; default 128)", arch.MaxChannels, arch.MaxChannels)},
	{"fragments", "g3 micro-network only: 1|2|4 fragments per block (default 1)"},
	{"parallel", "g3 micro-network only: fragments in parallel (true|false)"},
	{"no-relu", "g4 micro-network only: remove the ReLUs (true|false)"},
	{"no-shortcut", "g4 micro-network only: remove the shortcut (true|false)"},
	{"blocks", fmt.Sprintf("micro-networks g1-g4 only: stacked blocks, 1..%d (default 10)", arch.MaxBlocks)},
}

// knobUsage is the help text of the knob flag name, as [knobHelp] has it:
// every command that takes the knob as a flag (sweep --family) documents
// it, and says what it takes when it is empty, in the same words.
func knobUsage(name string) string {
	for _, k := range knobHelp {
		if k.name == name {
			return k.help
		}
	}
	panic("knobUsage: no knob flag --" + name)
}

// chartFormats are the chart formats of guidelines and plot --format.
const chartFormats = "png|svg|pdf"

// addChartFormatFlag registers the --format of the commands that draw
// charts (guidelines, plot), with one help text: an empty --format says
// what a bad one says, (valid: png|svg|pdf).
func addChartFormatFlag(fs *flag.FlagSet) *string {
	return fs.String("format", "png", chartFormats)
}

// addChartFontFlag registers plot's --font.
func addChartFontFlag(fs *flag.FlagSet) *string {
	return fs.String("font", "", "font file (TrueType or OpenType, or a collection of them) for PNG chart text that Liberation Sans lacks, such as CJK design names (default: searched among the system's fonts when a text needs one)")
}

// chartFallback reads --font; a file that is no font is a usage error.
func chartFallback(path string) (*plots.Fallback, error) {
	fb, err := plots.NewFallback(path)
	if err != nil {
		return nil, usagef("invalid --font %s: %v", quotePath(path), err)
	}
	return fb, nil
}

// checkChartFormat refuses a --format that is no chart format.
func checkChartFormat(format string) error {
	if !slices.Contains(strings.Split(chartFormats, "|"), format) {
		return usagef("invalid --format %q (valid: %s)", format, chartFormats)
	}
	return nil
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
// was set, by [arch.Spec.Override]: the flags win, a --family other than
// the preset's drops the preset's knobs that family does not take (or that
// are the old family's own), and --width and --channels replace each other
// (typing both is refused). The name returned is the preset's while the
// design is the preset's, and "" once the flags changed it. Errors are
// usage errors (exit code 2).
func (sf *specFlags) spec(fs *flag.FlagSet) (arch.Spec, string, error) {
	var s arch.Spec
	name := ""
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	// An empty --preset (or knob flag) was refused by parseArgs.
	if sf.preset != "" {
		p, err := presets.Load(sf.preset)
		if err != nil {
			return s, "", usageError{err}
		}
		s, name = p.Design, p.Name
	}
	base := s
	typed := map[string]string{}
	for _, k := range sf.order {
		if set[k] {
			typed[strings.ReplaceAll(k, "-", "_")] = *sf.knobs[k]
		}
	}
	s, err := s.Override(typed)
	if err != nil {
		// A typed knob is named as its flag (no-relu, not the design
		// file's no_relu).
		var ke *arch.KnobError
		if errors.As(err, &ke) {
			if _, typedKnob := typed[ke.Knob]; typedKnob {
				ke.Knob = strings.ReplaceAll(ke.Knob, "_", "-")
			}
		}
		return s, "", usageError{err}
	}
	if _, err := arch.Build(s); err != nil {
		return s, "", usageError{err}
	}
	n := s.Normalize()
	if name != "" && len(typed) > 0 && n.Key() != base.Key() {
		// The knob flags made another design: results must not carry the
		// preset's name (run --preset shufflenetv2-1.0 --classes 256 was
		// recorded, exported and plotted as shufflenetv2-1.0).
		name = ""
	}
	return n, name, nil
}

// checkKnob checks text typed for the one knob flag knob, alone (the
// other knobs at their defaults), by arch's rule: [arch.Spec.Set] and the
// knob's range. Every command that takes the knob as a flag of its own
// (guidelines --batch) calls it, so that it says what cost, run and
// sweep say for the same value: `invalid batch "0" (valid: 1..4096)`,
// `invalid batch "abc": not an integer (valid: 1..4096)`. Errors are
// usage errors.
func checkKnob(knob, text string) (arch.Spec, error) {
	s, err := arch.Spec{}.Override(map[string]string{knob: text})
	if err == nil {
		s = s.Normalize()
		err = s.Validate()
	}
	if err != nil {
		return s, usageError{err}
	}
	return s, nil
}

// listEntries splits the value of the list flag name at the first rune of
// seps and trims the entries. One rule for every list flag of every
// command: an empty entry between any of seps ("a,", ",", "a,,b"; for
// --depths "4,8,4;" and "4,,8") is refused, `invalid --NAME "VALUE":
// empty entry (valid: VALID)` (exit 2), never skipped.
func listEntries(name, value, seps, valid string) ([]string, error) {
	first := string([]rune(seps)[0])
	every := value // every separator read as the first, to find empty entries
	for _, r := range seps {
		every = strings.ReplaceAll(every, string(r), first)
	}
	for _, e := range strings.Split(every, first) {
		if strings.TrimSpace(e) == "" {
			return nil, usagef("invalid --%s %q: empty entry (valid: %s)", name, value, valid)
		}
	}
	parts := strings.Split(value, first)
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts, nil
}

// newFlagSet returns a flag set that reports parse errors as usage errors
// instead of printing usage and exiting; see [parseArgs] for where the
// usage and the errors go.
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
// command (fs.Name()). Errors are usage errors of one line, naming the flag
// and what it accepts (`invalid --min-time "10": a duration with a unit,
// e.g. 2s or 500ms`) and pointing to the command's -h, without the usage
// (the flag package would print the error and ~80 lines of usage on the
// flag set's output). After -h or --help the usage is printed to standard
// output (see [helpOutput]), so that `explorer run -h | grep history`
// works, and the error matches flag.ErrHelp, see [ignoreHelp].
//
// An explicitly empty (or blank) value of a string flag never means the
// flag's default: `--kernels=` is refused as `invalid --kernels ""
// (valid: ...)`, see [emptyFlagError], for every command and every string
// flag, the knob flags and --preset included. emptyOK names the flags of
// fs whose empty value the command's help documents as meaningful
// (an empty guidelines --out writes no files); their empty values pass,
// a blank one (`--out ' '`) does not.
func parseArgs(fs *flag.FlagSet, args []string, emptyOK ...string) error {
	for _, name := range emptyOK {
		if f := fs.Lookup(name); f == nil || !isStringFlag(f.Value) {
			panic(fmt.Sprintf("parseArgs: %s has no string flag --%s", fs.Name(), name))
		}
	}
	out, usage := fs.Output(), fs.Usage
	var failed *checkedValue
	// The flag package prints errors and the usage itself: silence it, and
	// learn which flag refused its value and how.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var wrapped []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		f.Value = &checkedValue{Value: f.Value, name: f.Name, failed: &failed,
			refuseEmpty: isStringFlag(f.Value), emptyOK: slices.Contains(emptyOK, f.Name), usage: f.Usage}
		wrapped = append(wrapped, f)
	})
	err := fs.Parse(args)
	for _, f := range wrapped {
		f.Value = f.Value.(*checkedValue).Value
	}
	fs.SetOutput(out)
	fs.Usage = usage
	hint := fmt.Sprintf("run 'explorer %s -h' for the flags", fs.Name())
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(helpOutput(out))
		fs.Usage()
		fs.SetOutput(out)
		return usageError{err}
	case err != nil && failed != nil && errors.Is(failed.err, errEmptyValue):
		return emptyFlagError(failed.name, failed.text, failed.usage)
	case err != nil && failed != nil:
		if b, ok := intFlagBounds(failed.name); ok {
			// The range says what is valid: `invalid --threads "x": not an
			// integer (valid: 1..256)`, as the knob flags say it.
			what := "not an integer"
			if outOfRange(failed.err) != "" {
				what = "out of range"
			}
			return usagef("invalid --%s %q: %s (valid: %s)", failed.name, failed.text, what, b)
		}
		return usagef("invalid --%s %q: %s (%s)", failed.name, failed.text, accepts(failed), hint)
	case err != nil:
		// Unknown flag, a flag without its value, bad syntax: the flag
		// package's message, on one line.
		return usagef("%s: %v (%s)", fs.Name(), err, hint)
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// helpOutput is where -h writes the usage asked for: standard output when
// the flag set writes to the process's standard error (the commands run
// from main; usage errors stay on standard error), else the flag set's own
// writer (tests pass buffers).
func helpOutput(out io.Writer) io.Writer {
	if out == io.Writer(os.Stderr) {
		return os.Stdout
	}
	return out
}

// outOfRange is " in range" for the flag package's range error (a number
// too large for the flag's type), else "".
func outOfRange(err error) string {
	if strings.Contains(err.Error(), "out of range") {
		return " in range"
	}
	return ""
}

// checkedValue wraps a flag's value during [parseArgs] to record the first
// value refused (the flag package's message, 'invalid value "10" for flag
// -min-time: parse error', says neither what the flag accepts nor, for
// durations, that a unit is needed).
type checkedValue struct {
	flag.Value
	name        string
	text        string
	err         error
	failed      **checkedValue
	refuseEmpty bool   // an empty or blank value is refused (errEmptyValue)
	emptyOK     bool   // but "" itself is a documented value (blanks are still refused)
	usage       string // the flag's help text, for [emptyFlagError]
}

// errEmptyValue marks a string flag given an empty or blank value.
var errEmptyValue = errors.New("empty value")

// Set sets the wrapped value and records a refusal.
func (v *checkedValue) Set(text string) error {
	var err error
	if v.refuseEmpty && strings.TrimSpace(text) == "" && !(v.emptyOK && text == "") {
		err = errEmptyValue
	} else {
		err = v.Value.Set(text)
	}
	if err != nil && *v.failed == nil {
		v.text, v.err = text, err
		*v.failed = v
	}
	return err
}

// IsBoolFlag keeps boolean flags usable without a value (--profile).
func (v *checkedValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// isStringFlag reports whether a flag's value is a string (fs.String,
// fs.StringVar): the flags whose empty value parseArgs refuses (the other
// types refuse "" themselves, as not a number, duration or boolean).
func isStringFlag(v flag.Value) bool {
	g, ok := v.(flag.Getter)
	if !ok {
		return false
	}
	_, ok = g.Get().(string)
	return ok
}

// flagValues says what a string flag accepts when its help text is no list
// of valid values, for [emptyFlagError]; ok is false for the other flags
// (--format, --out, the knob flags, sweep's grid lists), which their own
// help text describes. A name here means the same in every command that
// has it.
func flagValues(name string) (valid string, ok bool) {
	switch name {
	case "preset":
		return "an embedded preset (see 'explorer presets') or a .toml design file", true
	case "backend":
		return registry.List(registry.BackendNames()), true
	case "mode":
		return registry.List(registry.ModeNames()), true
	case "kernels":
		return registry.List(registry.KernelSets()), true
	case "mem-limit":
		return "a positive size such as 8GiB or 512MiB; leave the flag out for " + runner.DefaultMemLimit, true
	case "weights":
		return "a safetensors file; leave the flag out for seeded random weights", true
	case "input":
		return `a safetensors file with a tensor "input"; leave the flag out for a seeded random input`, true
	case "save-io":
		return "a file path", true
	case "history":
		return "a file path or off; leave the flag out for " + defaultHistoryText(), true
	case "calib":
		return "a calibration file, a new path, or off; leave the flag out for " + defaultCalibText(), true
	case "exp":
		return experimentList + "|all, comma-separated", true
	case "platform":
		return platformList, true
	case "scales":
		return "a subset of 1,2,4; leave the flag out for all", true
	case "profile-of":
		return "design names or presets, comma-separated; leave the flag out for the first profiled rows", true
	case "in":
		return "results files, comma-separated", true
	case "designs":
		return "a directory of design files", true
	}
	return "", false
}

// emptyFlagError is the one refusal of an explicitly empty (or blank)
// value of a string flag: `invalid --kernels "" (valid: auto|...)`. What
// the flag accepts comes from [flagValues], else from its help text usage.
func emptyFlagError(name, text, usage string) error {
	valid, ok := flagValues(name)
	if !ok {
		valid = usage
	}
	return usagef("invalid --%s %q (valid: %s)", name, text, valid)
}

// accepts says what a refused flag value should have been, by the flag's
// type; for other values (flag.Func, custom flag.Value) their own error.
func accepts(v *checkedValue) string {
	g, ok := v.Value.(flag.Getter)
	if !ok {
		return v.err.Error()
	}
	switch g.Get().(type) {
	case time.Duration:
		return durationProblem(v.text)
	case bool:
		return "true|false"
	case int, int64:
		if outOfRange(v.err) != "" {
			return fmt.Sprintf("an integer in %d..%d", math.MinInt64, math.MaxInt64)
		}
		return "an integer"
	case uint, uint64:
		return "a non-negative integer" + outOfRange(v.err)
	case float64:
		return "a number" + outOfRange(v.err)
	}
	return v.err.Error()
}

// durationSyntax is a duration as time.ParseDuration reads it: numbers
// with units, e.g. 1h30m or 1.5s.
var durationSyntax = regexp.MustCompile(`^[-+]?(([0-9]+\.?[0-9]*|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`)

// durationProblem says why time.ParseDuration refused text (the flag
// package drops its error): an unknown unit, a number too large for a
// duration (about 292 years), or no unit, each with what is valid.
func durationProblem(text string) string {
	const example = "e.g. 2s or 500ms"
	_, err := time.ParseDuration(text)
	switch {
	case err != nil && strings.Contains(err.Error(), "unknown unit"):
		u := strings.TrimPrefix(err.Error(), "time: ")
		if i := strings.Index(u, " in duration"); i > 0 {
			u = u[:i]
		}
		return u + " (valid units: ns, us, ms, s, m, h; " + example + ")"
	case err != nil && durationSyntax.MatchString(text):
		return fmt.Sprintf("too large (valid: a duration up to %v, %s)", time.Duration(math.MaxInt64).Truncate(time.Second), example)
	}
	return "a duration with a unit, " + example
}

// ignoreHelp returns err, or nil when it is flag.ErrHelp: the usage the user
// asked for with -h is printed and the command succeeds.
func ignoreHelp(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// forceHint adds to a refusal to write through a symbolic link how the
// command's --force replaces the link (run --save-io, plot, guidelines);
// other errors are returned as they are. internal/safefile's message
// names no flag: not every writer has one (the calibration cache).
func forceHint(err error) error {
	if errors.Is(err, safefile.ErrSymlink) {
		return fmt.Errorf("%w (--force replaces the link)", err)
	}
	return err
}
