package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/registry"
)

func testEnv(t *testing.T) knobEnv {
	t.Helper()
	all, err := presets.List()
	if err != nil {
		t.Fatal(err)
	}
	return knobEnv{presets: all, backends: []Backend{{Name: "native"}, {Name: "cudnn", Unavailable: "no GPU"}}, maxThreads: 4}
}

func startDesign(t *testing.T, env knobEnv, preset string) design {
	t.Helper()
	d, err := design{backend: "native", mode: runner.Fused, threads: 1, kernels: "auto"}.load(preset, env)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestKnobStep checks one step of every knob from a preset (steps are the
// constants of design.go; ShuffleNet v1 group counts from its paper's
// Table 1; kernel sets and modes from runner/registry).
func TestKnobStep(t *testing.T) {
	env := testEnv(t)
	tests := []struct {
		preset string
		k      knobID
		dir    int
		want   string
	}{
		{"shufflenetv2-1.0", kWidth, +1, "1.1"},
		{"shufflenetv2-1.0", kWidth, -1, "0.9"},
		{"shufflenetv2-1.0", kSplit, +1, "0.55"},
		{"shufflenetv2-1.0", kGroups, +1, "2"},
		{"shufflenetv2-1.0", kGroups, -1, "1"}, // clamped at 1
		{"shufflenetv2-1.0", kDepth3, +1, "9"},
		{"shufflenetv2-1.0", kDepth2, -1, "3"},
		{"shufflenetv2-1.0", kInput, +1, "256"},
		{"shufflenetv2-1.0", kInput, -1, "192"},
		{"shufflenetv2-1.0", kBatch, +1, "2"},
		{"shufflenetv2-1.0", kBatch, -1, "1"},
		{"shufflenetv2-1.0", kClasses, -1, "100"},
		{"shufflenetv2-1.0", kBackend, +1, "cudnn"},
		{"shufflenetv2-1.0", kBackend, -1, "cudnn"}, // wraps
		{"shufflenetv2-1.0", kMode, +1, string(runner.Eager)},
		{"shufflenetv2-1.0", kThreads, +1, "2"},
		{"shufflenetv2-1.0", kKernels, +1, registry.KernelSets()[1]},
		{"shufflenetv2-1.0", kFamily, +1, "shufflenetv1"},
		{"shufflenetv2-1.0", kLayout, +1, "megvii"},
		{"shufflenetv1-1.0-g3", kGroups, +1, "4"},
		{"shufflenetv1-1.0-g4", kGroups, +1, "8"},
		{"shufflenetv2-0.5", kDesign, +1, "shufflenetv2-0.5-megvii"}, // presets.List sorts by name
		{"mobilenetv1-0.25", kDesign, -1, "shufflenetv2-2.0-megvii"}, // wraps around
	}
	for _, tc := range tests {
		d := startDesign(t, env, tc.preset)
		if got, _, _ := d.step(tc.k, tc.dir, env); got != tc.want {
			t.Errorf("%s: step %s %+d = %q, want %q", tc.preset, knobLabels[tc.k], tc.dir, got, tc.want)
		}
	}
	// A typed value off the grid steps onto it, as width does (audit:
	// input 100 stepped to 132, batch 3 to 6 and 1, classes 5 to 50):
	// input in multiples of 32, batch in powers of two, classes in powers
	// of ten.
	for _, tc := range []struct {
		k        knobID
		typed    string
		up, down string
	}{
		{kInput, "100", "128", "96"},
		{kInput, "100x50", "128x64", "96x32"},
		{kInput, "96", "128", "64"},
		{kBatch, "3", "4", "2"},
		{kBatch, "4", "8", "2"},
		{kBatch, "1", "2", "1"},
		{kClasses, "5", "10", "1"},
		{kClasses, "256", "1000", "100"},
		{kClasses, "1000", "10000", "100"},
	} {
		d, err := startDesign(t, env, "shufflenetv2-1.0").set(tc.k, tc.typed, env)
		if err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct {
			dir  int
			want string
		}{{+1, tc.up}, {-1, tc.down}} {
			if got, _, _ := d.step(tc.k, step.dir, env); got != step.want {
				t.Errorf("%s %s: step %+d = %q, want %q", knobLabels[tc.k], tc.typed, step.dir, got, step.want)
			}
		}
	}
}

// TestDesignStepsByName: the design knob steps to the neighbours by name
// of a design file's name (it jumped to the ends of the list: l gave
// mobilenetv1-0.25 from any file) or, for a design the family knob made,
// of the family's name; like every knob of names it wraps round at the
// ends.
func TestDesignStepsByName(t *testing.T) {
	env := testEnv(t)
	file := filepath.Join(t.TempDir(), "shufflenetv2-1.0-mine.toml")
	if err := os.WriteFile(file, []byte("name = \"shufflenetv2-1.0-mine\"\n[design]\nfamily = \"shufflenetv2\"\nwidth = 1.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fromFile := startDesign(t, env, file)
	fromFamily := startDesign(t, env, "shufflenetv1")
	if fromFile.preset != "shufflenetv2-1.0-mine" || fromFamily.preset != "" {
		t.Fatalf("loaded %q and %q", fromFile.preset, fromFamily.preset)
	}
	tests := []struct {
		d    design
		dir  int
		want string
	}{
		{fromFile, +1, "shufflenetv2-1.5"},
		{fromFile, -1, "shufflenetv2-1.0-megvii"}, // "-megvii" < "-mine"
		{fromFamily, +1, "shufflenetv1-0.5-g3"},
		{fromFamily, -1, "mobilenetv2-1.4"},
		{startDesign(t, env, "shufflenetv2-2.0-megvii"), +1, "mobilenetv1-0.25"}, // wraps round
		{startDesign(t, env, "mobilenetv1-0.25"), -1, "shufflenetv2-2.0-megvii"},
	}
	for _, tc := range tests {
		if got, _, _ := tc.d.step(kDesign, tc.dir, env); got != tc.want {
			t.Errorf("from %q (%s): step %+d = %q, want %q", tc.d.preset, tc.d.spec, tc.dir, got, tc.want)
		}
	}
}

// TestKnobSet checks typed values: valid ones change the design, invalid
// ones return an error naming the knob and leave the design alone.
func TestKnobSet(t *testing.T) {
	env := testEnv(t)
	tests := []struct {
		k       knobID
		text    string
		errPart string // "" = valid
		check   func(d design) bool
	}{
		{kWidth, "1.5", "", func(d design) bool { return d.spec.Width == 1.5 }},
		{kWidth, "0.01", "invalid width 0.01", nil}, // arch.MinWidth is 0.05
		{kWidth, "wide", "not a number", nil},
		{kChannels, "24,116,232,464,1024", "", func(d design) bool { return len(d.spec.Channels) == 5 && d.spec.Channels[1] == 116 }},
		{kChannels, "24,116", "invalid channels", nil},
		{kChannels, "", "", func(d design) bool { return len(d.spec.Channels) == 0 && d.spec.Width == 1 }},
		{kSplit, "0.3", "", func(d design) bool { return d.spec.Split == 0.3 }},
		{kSplit, "1", "invalid split", nil},
		{kLayout, "megvii", "", func(d design) bool { return d.spec.Layout == arch.LayoutMegvii }},
		{kLayout, "keras", "invalid layout", nil},
		{kFamily, "mobilenetv1", "", func(d design) bool { return d.spec.Family == arch.MobileNetV1 && d.preset == "" }},
		{kFamily, "g1", "invalid family", nil}, // micro-networks live on the guidelines screen
		{kDepth4, "2", "", func(d design) bool { return d.spec.Depths[2] == 2 }},
		{kDepth4, "0", "invalid depth s4 0 (valid: 1..64)", nil}, // arch's "depths 4,8,0"
		{kDepth2, "x", "not an integer", nil},
		{kInput, "224x192", "", func(d design) bool { return d.spec.Res == 224 && d.spec.ResW == 192 }},
		{kInput, "16", "invalid input 16", nil}, // arch's "res": the screen's name

		{kBatch, "8", "", func(d design) bool { return d.spec.Batch == 8 }},
		{kClasses, "10", "", func(d design) bool { return d.spec.Classes == 10 }},
		{kClasses, "0", "invalid classes", nil},
		{kThreads, "4", "", func(d design) bool { return d.threads == 4 }},
		{kThreads, "9", "invalid threads", nil},
		{kMode, "eager", "", func(d design) bool { return d.mode == runner.Eager }},
		{kMode, "lazy", "invalid mode", nil},
		{kBackend, "tpu", "invalid backend", nil},
		{kKernels, "sse2", "invalid kernels", nil},
		{kKernels, "generic", "", func(d design) bool { return d.kernels == "generic" }},
		{kDesign, "mobilenetv2", "", func(d design) bool { return d.spec.Family == arch.MobileNetV2 && d.preset == "" }},
		{kDesign, "shufflenetv1-1.0-g8", "", func(d design) bool { return d.spec.Groups == 8 && d.preset == "shufflenetv1-1.0-g8" }},
		{kDesign, "resnet", "invalid design", nil},
	}
	for _, tc := range tests {
		d := startDesign(t, env, "shufflenetv2-1.0")
		before := d.spec.Key()
		got, err := d.set(tc.k, tc.text, env)
		if tc.errPart != "" {
			var ke *arch.KnobError
			if err == nil || !strings.Contains(err.Error(), tc.errPart) || !errors.As(err, &ke) {
				t.Errorf("set %s=%q: err %v, want a KnobError containing %q", knobLabels[tc.k], tc.text, err, tc.errPart)
			}
			if d.spec.Key() != before {
				t.Errorf("set %s=%q changed the original design", knobLabels[tc.k], tc.text)
			}
			continue
		}
		if err != nil || !tc.check(got) {
			t.Errorf("set %s=%q: err %v, design %s %s", knobLabels[tc.k], tc.text, err, got.spec, got.runLabel())
		}
	}
}

// TestFamilyErrorsInScreenWords: an error another knob causes when the
// family changes names that knob as the screen does (audit: a g1 design
// at input 16 switched to mobilenetv2 said "invalid res 16"; ShuffleNet
// v1's groups pointed to the command line's --channels).
func TestFamilyErrorsInScreenWords(t *testing.T) {
	env := testEnv(t)
	d := startDesign(t, env, "shufflenetv2-1.0")
	// A micro-network comes from a design file (the family knob offers
	// whole networks).
	file := filepath.Join(t.TempDir(), "m.toml")
	if err := os.WriteFile(file, []byte("name = \"m\"\n[design]\nfamily = \"g1\"\nc1 = 32\nc2 = 64\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g1, err := d.set(kDesign, file, env)
	if err != nil {
		t.Fatal(err)
	}
	if g1, err = g1.set(kInput, "16", env); err != nil {
		t.Fatal(err)
	}
	_, err = g1.set(kFamily, "mobilenetv2", env)
	if err == nil || !strings.Contains(err.Error(), "invalid input 16 (valid: 32..8192)") || strings.Contains(err.Error(), "res") {
		t.Errorf("g1 at input 16 to mobilenetv2: %v, want the input knob named", err)
	}
	v1, err := d.set(kFamily, "shufflenetv1", env)
	if err != nil {
		t.Fatal(err)
	}
	_, err = v1.set(kGroups, "5", env)
	if err == nil || !strings.Contains(err.Error(), "or give the channels knob") || strings.Contains(err.Error(), "--channels") {
		t.Errorf("v1 groups 5: %v, want the channels knob named", err)
	}
}

// TestKnobNotApplicable: MobileNet has no split, layout, groups, depths or
// channels; kernels are a knob of the CPU backend only.
func TestKnobNotApplicable(t *testing.T) {
	env := testEnv(t)
	d := startDesign(t, env, "mobilenetv2-1.0")
	for _, k := range []knobID{kSplit, kLayout, kGroups, kDepth2, kChannels} {
		if d.applies(k, env) || d.value(k, env) != "-" {
			t.Errorf("%s applies to mobilenetv2", knobLabels[k])
		}
		if _, err := d.set(k, "2", env); err == nil {
			t.Errorf("set %s on mobilenetv2 succeeded", knobLabels[k])
		}
	}
	d.backend = "cudnn"
	if d.applies(kKernels, env) {
		t.Error("kernels applies to cudnn")
	}
	if !strings.Contains(d.value(kBackend, env), "unavailable") {
		t.Errorf("backend value %q does not say it is unavailable", d.value(kBackend, env))
	}
}

// TestKnobRegistry: the backend, mode and kernels knobs offer exactly the
// registry's names (one registry for flags and knobs).
func TestKnobRegistry(t *testing.T) {
	m := newModel(t, Deps{}, 120, 40)
	e := m.explore
	if got := e.env.backendNames(); !slices.Equal(got, registry.BackendNames()) {
		t.Errorf("backends %v, registry %v", got, registry.BackendNames())
	}
	for knob, want := range map[knobID][]string{kMode: registry.ModeNames(), kKernels: registry.KernelSets(), kBackend: registry.BackendNames()} {
		d := e.d
		var seen []string
		for range want {
			seen = append(seen, d.editText(knob, e.env))
			text, _, _ := d.step(knob, +1, e.env)
			switch knob {
			case kMode:
				d.mode = runner.Mode(text)
			case kKernels:
				d.kernels = text
			case kBackend:
				d.backend = text
			}
		}
		slices.Sort(seen)
		w := slices.Sorted(slices.Values(want))
		if !slices.Equal(seen, w) {
			t.Errorf("%s cycles through %v, registry has %v", knobLabels[knob], seen, w)
		}
	}
}

// TestChannelNotes checks the rounding notes against hand-computed values.
func TestChannelNotes(t *testing.T) {
	tests := []struct {
		spec arch.Spec
		want string
	}{
		// Paper Table 5, 1.0x: 24, 116, 232, 464, 1024.
		{arch.Spec{}, "channels 24·116·232·464·1024"},
		// g=3 rounds stage 2 to a multiple of 2g=6: 116/6=19.33 -> 19*6 = 114.
		{arch.Spec{Groups: 3}, "stage2 116→114 (multiple of 6)"},
		// split 0.3 of 116 channels: 34.8 rounds to 35.
		{arch.Spec{Split: 0.3}, "split c'=35 of 116 (r·c=34.8)"},
	}
	for _, tc := range tests {
		a, err := analyze(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(a.channels, "\n"), tc.want) {
			t.Errorf("%s: notes %q lack %q", tc.spec, a.channels, tc.want)
		}
	}
}

// TestKernelsStepSkipsUnrunnable: stepping the kernels knob through every
// set lands only on sets this machine runs (runner/registry.CheckKernels)
// and comes back to where it started.
func TestKernelsStepSkipsUnrunnable(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	for m.explore.cur != kKernels {
		send(t, m, "down")
	}
	start := m.explore.d.kernels
	seen := map[string]bool{}
	for range registry.KernelSets() {
		send(t, m, "right")
		k := m.explore.d.kernels
		if err := registry.CheckKernels(k); err != nil {
			t.Errorf("landed on %s: %v", k, err)
		}
		seen[k] = true
	}
	if !seen[start] {
		t.Errorf("the cycle from %s never came back (saw %v)", start, seen)
	}
}

// TestKnobsAreArchs: a knob of the design is one its family takes, as
// arch.Family.Takes says, for every family a design can have (a design
// file may hold a guideline micro-network); the explorer had its own list,
// which offered width and classes on micro-networks, whose arch refuses
// them.
func TestKnobsAreArchs(t *testing.T) {
	env := testEnv(t)
	for _, f := range arch.Families() {
		d := design{spec: arch.Spec{Family: f}.Normalize(), backend: "native"}
		for k, name := range archKnobs {
			if got := d.applies(k, env); got != f.Takes(name) {
				t.Errorf("%s: %s applies %v, arch takes %s %v", f, knobLabels[k], got, name, f.Takes(name))
			}
		}
	}
}

// TestMicroNetworkInput: on a micro-network loaded from a design file the
// input steps within arch's range for micro-networks (1..8192), not a
// whole network's (it stopped at 32, "valid: 32..8192"), and the knobs the
// family does not take show "-".
func TestMicroNetworkInput(t *testing.T) {
	file := filepath.Join(t.TempDir(), "micro.toml")
	if err := os.WriteFile(file, []byte("name = \"micro\"\n[design]\nfamily = \"g1\"\nres = 40\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := newTestModel(t, nil, 200, 40)
	typeKnob(t, m, kDesign, file)
	if d := m.explore.d; d.spec.Family != arch.GuideG1 || d.preset != "micro" {
		t.Fatalf("design %s (preset %q), knob message %q", d.spec, d.preset, m.explore.knobErr)
	}
	for _, k := range []knobID{kWidth, kClasses, kSplit, kGroups, kDepth2} {
		if v := m.explore.d.value(k, m.explore.env); v != "-" {
			t.Errorf("g1: %s shows %q, want -", knobLabels[k], v)
		}
	}
	atKnob(t, m, kInput)
	send(t, m, "h") // onto the grid of multiples of 32
	if d := m.explore.d; d.spec.Res != 32 || d.spec.ResW != 32 {
		t.Errorf("input 40 stepped down to %dx%d, want 32 (status %q)", d.spec.Res, d.spec.ResW, statusLine(m))
	}
	send(t, m, "h")
	if d := m.explore.d; d.spec.Res != 1 {
		t.Errorf("input 32 stepped down to %d, want 1 (the range's end)", d.spec.Res)
	}
	send(t, m, "h")
	// The range is arch's (Family.ResRange, which Validate checks).
	lo, hi := arch.GuideG1.ResRange()
	if st := statusLine(m); !strings.Contains(st, fmt.Sprintf("input stops at %d (valid: %d..%d)", lo, lo, hi)) || lo != 1 {
		t.Errorf("status %q", st)
	}
	// A whole network still stops at arch's 32.
	typeKnob(t, m, kDesign, "shufflenetv2-1.0")
	typeKnob(t, m, kInput, "32")
	send(t, m, "h")
	lo, hi = arch.ShuffleNetV2.ResRange()
	if st := statusLine(m); !strings.Contains(st, fmt.Sprintf("input stops at %d (valid: %d..%d)", lo, lo, hi)) || lo != 32 {
		t.Errorf("whole network: status %q", st)
	}
}

// TestKernelsStepSaysWhatItSkipped: stepping past a set this CPU cannot
// run says so in the status line, whatever order the step's messages
// arrive in (audit: the message was batched with a clear of the same
// knob's status and was wiped whenever the clear came second).
func TestKernelsStepSaysWhatItSkipped(t *testing.T) {
	if registry.CheckKernels("neon") == nil || registry.CheckKernels("avx2") != nil || registry.CheckKernels("generic") != nil {
		t.Skip("needs a machine that runs avx2 and generic but not neon")
	}
	m := newTestModel(t, nil, 120, 40)
	for m.explore.cur != kKernels {
		send(t, m, "down")
	}
	send(t, m, "enter", "ctrl+u", "avx2", "enter")
	if m.explore.d.kernels != "avx2" {
		t.Fatalf("kernels %q, want avx2", m.explore.d.kernels)
	}
	_, cmd := m.Update(keyMsg("right"))
	var msgs []tea.Msg
	var collect func(tea.Cmd)
	collect = func(c tea.Cmd) {
		if c == nil {
			return
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				collect(c)
			}
		case nil:
		default:
			msgs = append(msgs, msg)
		}
	}
	collect(cmd)
	for _, msg := range slices.Backward(msgs) {
		_, next := m.Update(msg)
		drain(t, m, next)
	}
	if m.explore.d.kernels != "generic" || !strings.Contains(m.status, "kernels: skipped neon") {
		t.Errorf("kernels %q, status %q; want generic and the skipped neon named", m.explore.d.kernels, m.status)
	}
}

// TestKernelsUnderCUDNN: with the cudnn backend the kernels knob says why
// it does not apply (the backend, not the family: it said "kernels is not
// a knob of shufflenetv2"), and that message goes once the knob takes a
// value again under the native backend (it stayed).
func TestKernelsUnderCUDNN(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	// stepKernelsUnder sets the backend knob to backend, then steps the
	// kernels knob once.
	stepKernelsUnder := func(backend string) {
		for m.explore.cur != kBackend {
			send(t, m, "up")
		}
		for m.explore.d.backend != backend {
			send(t, m, "right")
		}
		for m.explore.cur != kKernels {
			send(t, m, "down")
		}
		send(t, m, "right")
	}
	stepKernelsUnder("cudnn")
	if want := "kernels: the native kernel sets apply to the CPU backend only, not to cudnn"; m.status != want {
		t.Errorf("kernels under cudnn: status %q, want %q", m.status, want)
	}
	stepKernelsUnder("native")
	if strings.Contains(m.status, "CPU backend only") {
		t.Errorf("kernels back under native: status still %q", m.status)
	}
}
