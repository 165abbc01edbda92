package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
)

// atKnob moves the explore screen's cursor to knob k.
func atKnob(t *testing.T, m *Model, k knobID) {
	t.Helper()
	for i := 0; m.explore.cur != k; i++ {
		if i > int(numKnobs) {
			t.Fatalf("knob %s not reached", knobLabels[k])
		}
		send(t, m, "down")
	}
}

// typeKnob types text into knob k (enter, the text, enter).
func typeKnob(t *testing.T, m *Model, k knobID, text string) {
	t.Helper()
	atKnob(t, m, k)
	send(t, m, "enter", "ctrl+u")
	if text != "" {
		send(t, m, text)
	}
	send(t, m, "enter")
}

// TestKnobStepNeverBackwards: a step moves the knob the way pressed or
// not at all (saying where it stops). Outside the stepping range a step
// goes toward the range only in the pressed direction: split h after 0.04
// gave 0.05 (raised it) and l after 0.96 gave 0.95 (lowered it, status
// "split stops at 0.95"). Off the grid a step lands on the grid.
func TestKnobStepNeverBackwards(t *testing.T) {
	tests := []struct {
		preset string
		sets   [][2]string // knob label, typed value, before the step
		k      knobID
		typed  string
		key    string
		want   string // the knob's value after the step
		status string // part of the status line ("" = no "stops")
	}{
		{"shufflenetv2-1.0", nil, kSplit, "0.04", "h", "0.04", "split stops at 0.04"},
		{"shufflenetv2-1.0", nil, kSplit, "0.04", "l", "0.05", ""},
		{"shufflenetv2-1.0", nil, kSplit, "0.96", "l", "0.96", "split stops at 0.96"},
		{"shufflenetv2-1.0", nil, kSplit, "0.96", "h", "0.95", ""},
		{"shufflenetv2-1.0", nil, kSplit, "0.33", "l", "0.35", ""},
		{"shufflenetv2-1.0", nil, kSplit, "0.33", "h", "0.3", ""},
		{"shufflenetv2-1.0", nil, kSplit, "0.95", "l", "0.95", "split stops at 0.95"},
		{"shufflenetv2-1.0", nil, kSplit, "0.05", "left", "0.05", "split stops at 0.05"},
		{"shufflenetv2-1.0", nil, kWidth, "1.05", "l", "1.1", ""},
		{"shufflenetv2-1.0", nil, kWidth, "1.05", "h", "1", ""},
		{"shufflenetv2-1.0", nil, kWidth, "0.05", "h", "0.05", "width stops at 0.05"},
		{"shufflenetv2-1.0", nil, kWidth, "16", "l", "16", "width stops at 16"},
		{"shufflenetv2-1.0", nil, kInput, "33", "h", "32", ""},
		{"shufflenetv2-1.0", nil, kInput, "32", "h", "32", "input stops at 32"},
		{"shufflenetv2-1.0", nil, kClasses, "5", "h", "1", ""},
		// Off the grid onto it: batch in powers of two (3 stepped to 6),
		// input in multiples of 32 (100 stepped to 132).
		{"shufflenetv2-1.0", nil, kBatch, "3", "l", "4", ""},
		{"shufflenetv2-1.0", nil, kInput, "100", "l", "128", ""},
		// ShuffleNet v1 with explicit channels takes any group count; the
		// next of the paper's counts is the next one up or down, not the
		// first of the list (l from 5 gave 2).
		// (20,240,480,960 builds with 4 and 5 groups, not with 8.)
		{"shufflenetv1-1.0-g4", [][2]string{{"channels", "20,240,480,960"}}, kGroups, "5", "l", "5", "groups stops at 5: invalid channels"},
		{"shufflenetv1-1.0-g4", [][2]string{{"channels", "20,240,480,960"}}, kGroups, "5", "h", "4", ""},
	}
	for _, tc := range tests {
		name := tc.preset + " " + knobLabels[tc.k] + " " + tc.typed + " " + tc.key
		m := newTestModel(t, nil, 120, 40)
		send(t, m, "enter", "ctrl+u", tc.preset, "enter")
		for _, s := range tc.sets {
			for k := range knobLabels {
				if knobLabels[k] == s[0] {
					typeKnob(t, m, knobID(k), s[1])
				}
			}
		}
		typeKnob(t, m, tc.k, tc.typed)
		if got := m.explore.d.value(tc.k, m.explore.env); got != tc.typed || m.explore.knobErr != "" {
			t.Errorf("%s: typed %q, knob reads %q (%s)", name, tc.typed, got, m.explore.knobErr)
			continue
		}
		send(t, m, tc.key)
		got := m.explore.d.value(tc.k, m.explore.env)
		st := statusLine(m)
		if got != tc.want || tc.status != "" && !strings.Contains(st, tc.status) || tc.status == "" && strings.Contains(st, "stops") {
			t.Errorf("%s: knob %q status %q; want %q status %q", name, got, st, tc.want, tc.status)
		}
	}
}

// TestKnobErrorsUseTheKnobsName: a value refused by arch is reported with
// the knob's name on screen ("input", arch's "res"), arch's message
// otherwise kept.
func TestKnobErrorsUseTheKnobsName(t *testing.T) {
	for _, tc := range []struct {
		typed, want string
	}{
		{"31", "invalid input 31 (valid: 32..8192)"},
		{"224x16", "invalid input 224x16 (valid: 32..8192)"},
		{"abc", `invalid input "abc"`},
	} {
		m := newTestModel(t, nil, 120, 40)
		typeKnob(t, m, kInput, tc.typed)
		if got := m.explore.knobErr; !strings.HasPrefix(got, tc.want) || strings.Contains(got, "res") {
			t.Errorf("input %q: message %q, want %q...", tc.typed, got, tc.want)
		}
		if v := view(m); !strings.Contains(v, "! invalid input ") || strings.Contains(v, "invalid res") {
			t.Errorf("input %q: the message under the knob is not %q:\n%s", tc.typed, tc.want, v)
		}
	}
	m0 := newTestModel(t, nil, 120, 40)
	typeKnob(t, m0, kDepth3, "0")
	if got := m0.explore.knobErr; got != "invalid depth s3 0 (valid: 1..64)" {
		t.Errorf("depth s3 0: message %q", got)
	}
	// Stepping down from the smallest input says the knob's name too.
	m := newTestModel(t, nil, 120, 40)
	typeKnob(t, m, kInput, "32")
	send(t, m, "h")
	if st := statusLine(m); !strings.Contains(st, "input stops at 32") || strings.Contains(st, "res") {
		t.Errorf("status %q", st)
	}
}

// TestStarMeansChanged: "*" after the preset's name means the design
// differs from the loaded one: a step and its way back leave no "*"
// (width l then h showed Δ = everywhere beside "shufflenetv2-2.0-megvii*").
// How it runs (backend, mode, threads, kernels) is not the design.
func TestStarMeansChanged(t *testing.T) {
	tests := []struct {
		preset string
		k      knobID
		keys   []string
		star   bool
	}{
		{"shufflenetv2-2.0-megvii", kWidth, []string{"l"}, true},
		{"shufflenetv2-2.0-megvii", kWidth, []string{"l", "h"}, false},
		{"shufflenetv2-1.0", kSplit, []string{"h", "l"}, false},
		{"shufflenetv2-1.0", kLayout, []string{"l", "l"}, false},
		{"shufflenetv2-1.0", kGroups, []string{"l", "h"}, false},
		{"shufflenetv2-1.0", kDepth3, []string{"h", "h", "l", "l"}, false},
		{"shufflenetv2-1.0", kInput, []string{"l", "h"}, false},
		{"shufflenetv2-1.0", kBatch, []string{"l"}, true},
		{"shufflenetv2-1.0", kBatch, []string{"l", "h"}, false},
		{"shufflenetv2-1.0", kClasses, []string{"h", "l"}, false},
		{"shufflenetv1-1.0-g3", kGroups, []string{"l", "h"}, false},
		{"mobilenetv2-1.0", kWidth, []string{"h", "l"}, false},
		{"shufflenetv2-1.0", kMode, []string{"l"}, false},
		{"shufflenetv2-1.0", kThreads, []string{"l"}, false},
	}
	for _, tc := range tests {
		m := newTestModel(t, nil, 120, 40)
		send(t, m, "enter", "ctrl+u", tc.preset, "enter")
		atKnob(t, m, tc.k)
		send(t, m, tc.keys...)
		got := m.explore.d.value(kDesign, m.explore.env)
		if strings.HasSuffix(got, "*") != tc.star || strings.TrimSuffix(got, "*") != tc.preset {
			t.Errorf("%s, %s %v: design reads %q, want the preset's name with star=%v", tc.preset, knobLabels[tc.k], tc.keys, got, tc.star)
		}
		if !tc.star && m.explore.d.name() != tc.preset {
			t.Errorf("%s, %s %v: the design is called %q", tc.preset, knobLabels[tc.k], tc.keys, m.explore.d.name())
		}
	}
}

// TestFamilyIsTheCommandLines: a new family (stepped, or typed on the
// family or design knob) is the design arch.Spec.Override makes of a
// --family over a preset, as `explorer cost --preset P --family F` does:
// the width, depths, input, batch and classes stay where the new family
// takes them, every other knob starts at its default (the explorer kept
// only input, batch and classes: shufflenetv2-1.5 became ShuffleNet v1 1x
// here and 1.5x g=3 on the command line). The preset's name goes with its
// design, and the new design is the deltas' reference.
func TestFamilyIsTheCommandLines(t *testing.T) {
	for _, how := range []struct {
		name   string
		preset string
		knobs  [][2]string // typed before, knob label and text
		family arch.Family // the family it goes to
		do     func(t *testing.T, m *Model)
	}{
		{"step", "shufflenetv2-1.5", nil, arch.ShuffleNetV1, func(t *testing.T, m *Model) { atKnob(t, m, kFamily); send(t, m, "l") }},
		{"step knobs", "shufflenetv2-1.0", [][2]string{{"input", "160x192"}, {"batch", "4"}, {"classes", "10"}, {"width", "1.5"}, {"depth s3", "6"}, {"split", "0.3"}},
			arch.ShuffleNetV1, func(t *testing.T, m *Model) { atKnob(t, m, kFamily); send(t, m, "l") }},
		{"family", "shufflenetv2-1.5", [][2]string{{"input", "160x192"}, {"classes", "10"}}, arch.MobileNetV2, func(t *testing.T, m *Model) { typeKnob(t, m, kFamily, "mobilenetv2") }},
		{"design", "shufflenetv1-1.0-g3", [][2]string{{"width", "0.5"}, {"batch", "4"}}, arch.MobileNetV1, func(t *testing.T, m *Model) { typeKnob(t, m, kDesign, "mobilenetv1") }},
	} {
		m := newTestModel(t, nil, 120, 40)
		typeKnob(t, m, kDesign, how.preset)
		for _, kt := range how.knobs {
			k := knobID(slices.Index(knobLabels[:], kt[0]))
			typeKnob(t, m, k, kt[1])
			if m.explore.knobErr != "" {
				t.Fatalf("%s: %s %s: %s", how.name, kt[0], kt[1], m.explore.knobErr)
			}
		}
		before := m.explore.d.spec
		how.do(t, m)
		want, err := before.Override(map[string]string{"family": string(how.family)})
		if err != nil {
			t.Fatal(err)
		}
		s := m.explore.d.spec
		if s.Family != how.family || s.Key() != want.Key() || m.explore.d.preset != "" {
			t.Errorf("%s: %s (preset %q), want %s", how.name, s, m.explore.d.preset, want.Normalize())
		}
		if how.family.Takes("width") && s.Width != before.Width || s.Res != before.Res || s.ResW != before.ResW || s.Batch != before.Batch || s.Classes != before.Classes {
			t.Errorf("%s: %s lost width, input, batch or classes of %s", how.name, s, before)
		}
		if m.explore.base.graph.Spec.Key() != s.Key() {
			t.Errorf("%s: the deltas' reference is %s, not the new design", how.name, m.explore.base.graph.Spec)
		}
	}

	// The family the design has: nothing changes, the preset's name stays.
	m := newTestModel(t, nil, 120, 40)
	typeKnob(t, m, kDesign, "shufflenetv2-1.5")
	before := m.explore.d.spec
	typeKnob(t, m, kFamily, "shufflenetv2")
	if d := m.explore.d; d.spec.Key() != before.Key() || d.preset != "shufflenetv2-1.5" || d.edited {
		t.Errorf("the same family: %s preset %q edited %v, want shufflenetv2-1.5 unchanged", d.spec, d.preset, d.edited)
	}
}

// TestChannelsOverWidth: typed channels replace the width rule whatever
// the width was (arch refuses a width beside explicit channels: "invalid
// width 1.5: channels ... set every stage's width explicitly"); empty goes
// back to the width rule at width 1.
func TestChannelsOverWidth(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	typeKnob(t, m, kWidth, "1.5")
	typeKnob(t, m, kChannels, "24,116,232,464,1024")
	d := m.explore.d
	if m.explore.knobErr != "" || len(d.spec.Channels) != 5 || d.value(kWidth, m.explore.env) != "(channels)" {
		t.Fatalf("channels over width 1.5: %q, design %s", m.explore.knobErr, d.spec)
	}
	typeKnob(t, m, kChannels, "")
	if d := m.explore.d; m.explore.knobErr != "" || len(d.spec.Channels) != 0 || d.spec.Width != 1 {
		t.Errorf("channels emptied: %q, design %s", m.explore.knobErr, d.spec)
	}
}
