package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// lastLine is the last non-empty line of a command's standard error.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestBatchSameInEveryCommand: the same bad --batch gives the same message
// and exit code in every command that takes it. Before: guidelines said
// `invalid --batch 0 (valid: 1..4096)` and `invalid --batch "abc": an
// integer (...)` where cost and run said `invalid batch "0" (valid:
// 1..4096)` and `invalid batch "abc": not an integer (valid: 1..4096)`.
func TestBatchSameInEveryCommand(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{"0", `explorer: invalid batch "0" (valid: 1..4096)`},
		{"abc", `explorer: invalid batch "abc": not an integer (valid: 1..4096)`},
		{"1.5", `explorer: invalid batch "1.5": not an integer (valid: 1..4096)`},
		{"-3", `explorer: invalid batch -3 (valid: 1..4096)`},
		{"4097", `explorer: invalid batch 4097 (valid: 1..4096)`},
	} {
		for _, cmd := range []string{"cost", "run", "guidelines"} {
			code, _, stderr := runCLI(cmd, "--batch", tc.value)
			if code != 2 || lastLine(stderr) != tc.want {
				t.Errorf("%s --batch %s: exit %d, %q; want exit 2, %q", cmd, tc.value, code, lastLine(stderr), tc.want)
			}
		}
	}
}

// TestSweepListKnobsSayArchRange: a bad value of a sweep list knob is
// quoted, said to be no number as arch says it for cost and run, with the
// knob's range as cost and run state it, and what the list flag takes;
// --depths says what it takes (triples, no ranges). Before: `invalid width
// abc: "abc" is not a number (valid: a list a,b,c or a range ...)`, and
// --depths a,b,c offered ranges.
func TestSweepListKnobsSayArchRange(t *testing.T) {
	const list = "; a list a,b,c or a range start:stop:step)"
	for _, tc := range []struct{ flag, value, single, want string }{
		{"width", "abc", `explorer: invalid width "abc": not a number (valid: 0.05..16)`,
			`explorer: invalid width "abc": not a number (valid: 0.05..16` + list},
		{"width", "0.5,abc", "", `explorer: invalid width "abc": not a number (valid: 0.05..16` + list},
		{"width", "a:2:0.5", "", `explorer: invalid width "a": not a number (valid: 0.05..16` + list},
		{"split", "q", `explorer: invalid split "q": not a number (valid: 0 < split < 1)`,
			`explorer: invalid split "q": not a number (valid: 0 < split < 1` + list},
		{"groups", "x", `explorer: invalid groups "x": not an integer (valid: 1..64)`,
			`explorer: invalid groups "x": not an integer (valid: 1..64` + list},
		{"batch", "abc", `explorer: invalid batch "abc": not an integer (valid: 1..4096)`,
			`explorer: invalid batch "abc": not an integer (valid: 1..4096` + list},
		{"batch", "1.5", `explorer: invalid batch "1.5": not an integer (valid: 1..4096)`,
			`explorer: invalid batch "1.5": not an integer (valid: 1..4096` + list},
		{"res", "1,a", "", `explorer: invalid res "a": not an integer (valid: 32..8192` + list},
		{"depths", "a,b,c", "", `explorer: invalid depths "a,b,c": "a" is not an integer (valid: triples a,b,c of 1..64 separated by ;, e.g. 4,8,4;2,4,2)`},
		{"depths", "4:8:2,1,1", "", `explorer: invalid depths "4:8:2,1,1": "4:8:2" is not an integer (valid: triples a,b,c of 1..64 separated by ;, e.g. 4,8,4;2,4,2)`},
		{"depths", "4,8", "", `explorer: invalid depths "4,8": "4,8" is not a triple (valid: triples a,b,c of 1..64 separated by ;, e.g. 4,8,4;2,4,2)`},
	} {
		code, _, stderr := runCLI("sweep", "--"+tc.flag, tc.value, "--list")
		if code != 2 || lastLine(stderr) != tc.want {
			t.Errorf("sweep --%s %s: exit %d, %q; want exit 2, %q", tc.flag, tc.value, code, lastLine(stderr), tc.want)
		}
		if tc.single == "" {
			continue
		}
		// cost says the same of the value, without the list guidance.
		code, _, stderr = runCLI("cost", "--"+tc.flag, tc.value)
		if code != 2 || lastLine(stderr) != tc.single {
			t.Errorf("cost --%s %s: exit %d, %q; want exit 2, %q", tc.flag, tc.value, code, lastLine(stderr), tc.single)
		}
	}
}

// helpUsage is the help text `explorer CMD -h` gives the flag name.
func helpUsage(t *testing.T, cmd, name string) string {
	for _, f := range helpFlags(t, cmd) {
		if f.name == name {
			return f.usage
		}
	}
	t.Fatalf("explorer %s -h lists no --%s", cmd, name)
	return ""
}

// TestSameFlagSameValidText: a flag two commands share says what it takes
// in the same words, empty or bad, and documents it alike in -h. Before:
// guidelines --format= said (valid: chart format: png|svg|pdf) where plot
// said (valid: png|svg|pdf), and sweep --family= said (valid: family of
// the grid's designs (default shufflenetv2)), naming no family, as did
// sweep -h.
func TestSameFlagSameValidText(t *testing.T) {
	for _, tc := range []struct {
		cmds []string
		args []string
		want string
	}{
		{[]string{"guidelines", "plot"}, []string{"--format="}, `explorer: invalid --format "" (valid: png|svg|pdf)`},
		{[]string{"guidelines", "plot"}, []string{"--format=gif"}, `explorer: invalid --format "gif" (valid: png|svg|pdf)`},
		{[]string{"cost", "run", "sweep"}, []string{"--family="}, `explorer: invalid --family "" (valid: ` + knobUsage("family") + `)`},
		{[]string{"cost", "run", "sweep"}, []string{"--layout="}, `explorer: invalid --layout "" (valid: ` + knobUsage("layout") + `)`},
	} {
		for _, cmd := range tc.cmds {
			code, _, stderr := runCLI(append([]string{cmd}, tc.args...)...)
			if code != 2 || lastLine(stderr) != tc.want {
				t.Errorf("%s %v: exit %d, %q; want exit 2, %q", cmd, tc.args, code, lastLine(stderr), tc.want)
			}
		}
	}
	for _, tc := range []struct {
		flag string
		cmds []string
	}{
		{"format", []string{"guidelines", "plot"}},
		{"family", []string{"cost", "run", "sweep"}},
		{"layout", []string{"cost", "run", "sweep"}},
	} {
		want := helpUsage(t, tc.cmds[0], tc.flag)
		for _, cmd := range tc.cmds[1:] {
			if got := helpUsage(t, cmd, tc.flag); got != want {
				t.Errorf("%s -h --%s: %q; %s -h says %q", cmd, tc.flag, got, tc.cmds[0], want)
			}
		}
	}
	if u := helpUsage(t, "sweep", "family"); !strings.Contains(u, strings.Join(familyNames(), "|")) {
		t.Errorf("sweep -h --family: %q lists no families", u)
	}
}

// TestSameRefusalSameExitCode: what one command refuses as a usage error
// (exit 2), every command refuses so. Before: plot --out at a regular file
// failed at mkdir with exit 1 (guidelines: exit 2, invalid --out), and a
// design over --mem-limit was exit 2 in run but 1 in guidelines.
func TestSameRefusalSameExitCode(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "my-design.toml")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	results, _ := sweepFile(t, dir)
	notDir := fmt.Sprintf("explorer: invalid --out %q: not a directory (valid: a directory, made if missing", file)
	below := fmt.Sprintf("explorer: invalid --out %q: %s is not a directory (valid: a directory, made if missing", file+"/sub", file)
	for _, tc := range []struct {
		args []string
		want string // the start of the last line of standard error
	}{
		{[]string{"guidelines", "--out", file}, notDir},
		{[]string{"plot", "--in", results, "--out", file}, notDir},
		{[]string{"guidelines", "--out", file + "/sub"}, below},
		{[]string{"plot", "--in", results, "--out", file + "/sub"}, below},
		{[]string{"run", "--preset", "shufflenetv2-0.5", "--mem-limit", "100"}, "explorer: design needs an estimated"},
		{[]string{"guidelines", "--exp", "G4", "--scales", "1", "--out", "", "--mem-limit", "100", "--rounds", "1", "--min-time", "1ms"},
			`explorer: guidelines: G4 row`},
	} {
		code, _, stderr := runCLI(tc.args...)
		if code != 2 || !strings.HasPrefix(lastLine(stderr), tc.want) {
			t.Errorf("%v: exit %d, %q; want exit 2, %q...", tc.args, code, lastLine(stderr), tc.want)
		}
		if strings.Contains(tc.want, "estimated") || strings.Contains(tc.want, "G4 row") {
			if !strings.Contains(stderr, "limit is 100 B (--mem-limit)") {
				t.Errorf("%v: %q names no --mem-limit", tc.args, stderr)
			}
		}
	}
}

// TestListFlagsRefuseEmptyEntries: every list flag refuses an empty entry
// the same way, naming the flag and its value, exit 2. Before: sweep
// --presets a, and plot --in r.jsonl, were accepted, --exp G1, said
// unknown experiment "", --scales 1, and --width 0.5, were refused in
// their own words, and --presets , said only "no design to measure".
func TestListFlagsRefuseEmptyEntries(t *testing.T) {
	dir := t.TempDir()
	results, _ := sweepFile(t, dir)
	widthValid := "0.05..16; a list a,b,c or a range start:stop:step"
	for _, tc := range []struct {
		args        []string
		flag, value string
		valid       string
	}{
		{[]string{"sweep", "--list"}, "presets", "shufflenetv2-0.5,", "presets (names or .toml files) or T8, comma-separated"},
		{[]string{"sweep", "--list"}, "presets", ",", "presets (names or .toml files) or T8, comma-separated"},
		{[]string{"sweep", "--list"}, "width", "0.5,", widthValid},
		{[]string{"sweep", "--list"}, "width", "0.5,,1", widthValid},
		{[]string{"sweep", "--list"}, "split", ",0.5", "0 < split < 1; a list a,b,c or a range start:stop:step"},
		{[]string{"sweep", "--list"}, "groups", "1,", "1..64; a list a,b,c or a range start:stop:step"},
		{[]string{"sweep", "--list"}, "res", "224,", "32..8192; a list a,b,c or a range start:stop:step"},
		{[]string{"sweep", "--list"}, "batch", "1,", "1..4096; a list a,b,c or a range start:stop:step"},
		{[]string{"sweep", "--list"}, "depths", "4,8,4;", "triples a,b,c of 1..64 separated by ;, e.g. 4,8,4;2,4,2"},
		{[]string{"sweep", "--list"}, "depths", "4,,8", "triples a,b,c of 1..64 separated by ;, e.g. 4,8,4;2,4,2"},
		{[]string{"plot", "--out", dir}, "in", results + ",", "results files, comma-separated"},
		{[]string{"guidelines", "--out", ""}, "exp", "G1,", "G1|G2|G3|G4|T8|all, comma-separated"},
		{[]string{"guidelines", "--out", ""}, "scales", "1,", "a subset of 1,2,4"},
	} {
		args := append(slices.Clone(tc.args), "--"+tc.flag, tc.value)
		want := fmt.Sprintf("explorer: invalid --%s %q: empty entry (valid: %s)", tc.flag, tc.value, tc.valid)
		code, _, stderr := runCLI(args...)
		if code != 2 || lastLine(stderr) != want {
			t.Errorf("%v: exit %d, %q; want exit 2, %q", args, code, lastLine(stderr), want)
		}
	}
}
