package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSpecFlagsAudit: the knob-flag defects of the audit, through the
// whole command (exit code, one line on stderr). Valid ranges are arch's:
// MinMicroRes..MaxRes for the micro-networks g1-g4, 4..MaxChannels for g4's
// c, ShuffleNet v1's groups 1|2|3|4|8 (its paper's Table 1).
func TestSpecFlagsAudit(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string // on stderr if code != 0, else on stdout
	}{
		// A typed knob is named as its flag, not as its design-file key.
		{[]string{"cost", "--family", "g4", "--no-relu", "maybe"}, 2, `invalid no-relu "maybe" (valid: true|false)`},
		// A typed 0 states the family's range.
		{[]string{"cost", "--family", "g1", "--res", "0"}, 2, `invalid res "0" (valid: 1..8192)`},
		{[]string{"cost", "--family", "g4", "--c", "0"}, 2, `invalid c "0" (valid: a multiple of 4 in 4..65536)`},
		// G4's bottleneck is c/4, not rounded (audit: c=7 built a
		// 1-channel bottleneck named "g4 c=7").
		{[]string{"cost", "--family", "g4", "--c", "7"}, 2, `invalid c 7: the bottleneck is c/4 wide (valid: a multiple of 4 in 4..65536)`},
		{[]string{"cost", "--family", "shufflenetv1", "--groups", "0"}, 2, `invalid groups "0" (valid: 1|2|3|4|8`},
		{[]string{"cost", "--res", "0"}, 2, `invalid res "0" (valid: 32..8192)`},
		// Channels too few for the split blame the channels.
		{[]string{"cost", "--channels", "1,1,1,1,1"}, 2, "invalid channels 1,1,1,1,1: stage 2 has 1 channel, too few for split 0.5"},
		// Width and channels: one or the other.
		{[]string{"cost", "--channels", "24,116,232,464,1024", "--width", "2"}, 2, "invalid width 2: channels 24,116,232,464,1024 set every stage's width explicitly; give one of them"},
		// Width 1 drops nothing beside channels (design files saved before
		// the two were exclusive hold it): accepted, as Validate does.
		{[]string{"cost", "--channels", "24,116,232,464,1024", "--width", "1"}, 0, "\nshufflenetv2 channels=24,116,232,464,1024  ["},
		{[]string{"cost", "--preset", "shufflenetv2-1.5", "--channels", "24,48,96,192,1024"}, 0, "\nshufflenetv2 channels=24,48,96,192,1024  ["},
		// --preset= is refused like any empty string flag (parseArgs); a
		// blank value too, quoted as typed.
		{[]string{"cost", "--preset="}, 2, `invalid --preset "" (valid: an embedded preset (see 'explorer presets') or a .toml design file)`},
		{[]string{"cost", "--preset", " ", "--width", "2"}, 2, `invalid --preset " " (valid: an embedded preset (see 'explorer presets') or a .toml design file)`},
		{[]string{"run", "--preset="}, 2, `invalid --preset "" (valid: an embedded preset (see 'explorer presets') or a .toml design file)`},
		// --family overrides a preset's family; the preset's knobs the
		// new family does not take are dropped, typed ones are checked.
		{[]string{"cost", "--preset", "shufflenetv2-1.0", "--family", "mobilenetv2"}, 0, "\nmobilenetv2 1x  ["},
		{[]string{"cost", "--preset", "shufflenetv2-2.0-megvii", "--family", "shufflenetv1"}, 0, "\nshufflenetv1 2x g=3  ["},
		{[]string{"cost", "--preset", "shufflenetv1-1.0-g8", "--family", "g2"}, 0, "\ng2 c=128 g=1 224px  ["},
		// The preset's name stays only while the design is the preset's:
		// a typed knob that changes it drops the name (a run recorded
		// shufflenetv2-1.0 at classes 256 under that preset's name).
		{[]string{"cost", "--preset", "shufflenetv2-1.0", "--classes", "1000"}, 0, "\nshufflenetv2-1.0: shufflenetv2 1x  ["},
		{[]string{"cost", "--preset", "shufflenetv2-1.0", "--classes", "256", "--format", "json"}, 0, `"classes": 256`},
		{[]string{"cost", "--preset", "shufflenetv2-1.0", "--family", "mobilenetv2", "--depths", "2,2,2"}, 2, "invalid depths 2,2,2 (valid: only ShuffleNet families take stage depths)"},
	} {
		code, out, errs := runCLI(tc.args...)
		got := errs
		if tc.code == 0 {
			got = "\n" + out
		}
		if slices.Contains(tc.args, "256") && strings.Contains(out, `"preset"`) {
			t.Errorf("%v: the changed design still carries the preset's name: %.300q", tc.args, out)
		}
		if code != tc.code || !strings.Contains(got, tc.want) {
			t.Errorf("%v: exit %d, stdout %.200q, stderr %q; want exit %d and %q", tc.args, code, out, errs, tc.code, tc.want)
		}
		if tc.code != 0 && strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: %q, want one line", tc.args, errs)
		}
	}
}

// TestFlagParseErrorsOneLine: a value a flag cannot parse is one line that
// names the flag and what it accepts, without the ~80 lines of usage the
// flag package printed ('invalid value "10" for flag -min-time: parse
// error' plus the usage).
func TestFlagParseErrorsOneLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--threads", "abc"}, `invalid --threads "abc": not an integer (valid: 1..256)`},
		{[]string{"run", "--seed", "abc"}, `invalid --seed "abc": an integer (run 'explorer run -h' for the flags)`},
		{[]string{"run", "--seed", "99999999999999999999"}, `invalid --seed "99999999999999999999": an integer in -9223372036854775808..9223372036854775807`},
		{[]string{"run", "--min-time", "10"}, `invalid --min-time "10": a duration with a unit, e.g. 2s or 500ms (run 'explorer run -h' for the flags)`},
		{[]string{"sweep", "--max-time", "5", "--list"}, `invalid --max-time "5": a duration with a unit, e.g. 2s or 500ms`},
		{[]string{"sweep", "--tol", "x", "--list"}, `invalid --tol "x": a number`},
		{[]string{"sweep", "--pairs", "99999999999999999999", "--list"}, `invalid --pairs "99999999999999999999": out of range (valid: >= 0)`},
		{[]string{"sweep", "--profile=maybe", "--list"}, `invalid --profile "maybe": true|false`},
		{[]string{"cost", "--bogus"}, "cost: flag provided but not defined: -bogus (run 'explorer cost -h' for the flags)"},
		{[]string{"cost", "--preset"}, "cost: flag needs an argument: -preset"},
		{[]string{"presets", "--format"}, "presets: flag needs an argument: -format"},
	} {
		code, out, errs := runCLI(tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, out, errs, tc.want)
		}
		if strings.Count(strings.TrimSpace(errs), "\n") != 0 || strings.Contains(errs, "Usage") {
			t.Errorf("%v: %q, want one line without the usage", tc.args, errs)
		}
	}
}

// TestHelpGoesToStdout: the usage asked for with -h, --help or 'explorer
// help CMD' goes to standard output with exit 0 ('explorer run -h | grep
// history' found nothing: the flag package wrote it to stderr); a usage
// error stays on standard error. The process's own stdout and stderr are
// replaced by files for the test, as main passes them.
func TestHelpGoesToStdout(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr := os.Stdout, os.Stderr
	defer func() { os.Stdout, os.Stderr = stdout, stderr }()
	call := func(args ...string) (int, string, string) {
		o, err := os.Create(filepath.Join(dir, "stdout"))
		if err != nil {
			t.Fatal(err)
		}
		e, err := os.Create(filepath.Join(dir, "stderr"))
		if err != nil {
			t.Fatal(err)
		}
		os.Stdout, os.Stderr = o, e
		code := run(args, os.Stdout, os.Stderr)
		os.Stdout, os.Stderr = stdout, stderr
		o.Close()
		e.Close()
		ob, _ := os.ReadFile(o.Name())
		eb, _ := os.ReadFile(e.Name())
		return code, string(ob), string(eb)
	}
	for _, c := range commands() {
		for _, args := range [][]string{{c.name, "-h"}, {c.name, "--help"}, {"help", c.name}} {
			code, out, errs := call(args...)
			if code != 0 || !strings.HasPrefix(out, "Usage: explorer "+c.name) || errs != "" {
				t.Errorf("%v: exit %d, stdout %.80q, stderr %.200q; want exit 0 and the usage on stdout only", args, code, out, errs)
			}
		}
		code, out, errs := call(c.name, "--no-such-flag")
		if code != 2 || out != "" || !strings.Contains(errs, "-no-such-flag") || strings.Contains(errs, "Usage") {
			t.Errorf("%s --no-such-flag: exit %d, stdout %.80q, stderr %.200q; want exit 2 and one line on stderr", c.name, code, out, errs)
		}
	}
	if _, out, _ := call("run", "-h"); !strings.Contains(out, "-history") {
		t.Errorf("explorer run -h | grep history finds nothing:\n%s", out)
	}
}
