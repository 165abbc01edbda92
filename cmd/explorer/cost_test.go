package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost/costfmt"
)

// TestCostRefusesBadKnobs: each case of issue 15 that printed a wrong
// number or silently ignored a knob exits 2 with a message naming the knob.
func TestCostRefusesBadKnobs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		// Reproduction 4: MAdds printed as 0 (int64 overflow), rc 0.
		{[]string{"--family", "g1", "--c1", "65536", "--c2", "65536", "--res", "8192", "--batch", "4096"}, []string{"invalid res 8192", "2^56", "valid: 1.."}},
		// Reproduction 4: a negative byte count, and +Inf in JSON.
		{[]string{"--family", "g2", "--c", "65536", "--groups", "64", "--res", "8192", "--batch", "4096", "--blocks", "100", "--format", "json"}, []string{"invalid res 8192", "2^56"}},
		{[]string{"--split", "1e-9"}, []string{"invalid split 1e-09", "conv branch would have 0 channels"}},
		{[]string{"--split", "0.999"}, []string{"invalid split 0.999", "identity branch would have 0 channels"}},
		// An empty knob flag: parseArgs' refusal of every empty flag, with
		// the knob's help text as what it accepts.
		{[]string{"--depths="}, []string{`invalid --depths "" (valid: ShuffleNet v1/v2 only: units per stage, three values each 1..`}},
		{[]string{"--channels="}, []string{`invalid --channels "" (valid: explicit channels`}},
		{[]string{"--layout="}, []string{`invalid --layout "" (valid: `, "torchvision|megvii"}},
		{[]string{"--family="}, []string{`invalid --family "" (valid: `, "shufflenetv2|"}},
		{[]string{"--width="}, []string{`invalid --width "" (valid: width multiplier, 0.05..16`}},
		{[]string{"--c1", "64"}, []string{"invalid c1 64", "only the g1 micro-network takes c1"}},
		{[]string{"--family", "mobilenetv2", "--c2", "64"}, []string{"invalid c2 64"}},
		// --width was ignored for the micro-networks (same MAdds as width 1).
		{[]string{"--family", "g1", "--width", "2"}, []string{"invalid width 2", "not set for family g1", "c1/c2, c"}},
		// --by with --format json was ignored (JSON has every row kind).
		{[]string{"--by", "op", "--format", "json"}, []string{"invalid --by op: --by needs --format table or csv"}},
	} {
		var out, errOut bytes.Buffer
		code := run(append([]string{"cost"}, tc.args...), &out, &errOut)
		if code != 2 {
			t.Errorf("cost %v: exit %d, want 2; stdout %q", tc.args, code, out.String())
		}
		for _, w := range tc.want {
			if !strings.Contains(errOut.String(), w) {
				t.Errorf("cost %v: stderr %q, want %q", tc.args, errOut.String(), w)
			}
		}
		if out.Len() != 0 {
			t.Errorf("cost %v printed %q on stdout", tc.args, out.String())
		}
	}
}

// TestCostG1Header: in the fused view a step's MAC counts the ops fused
// into it, while the G1 ratio is its conv's own (cost.G1), so the column
// says so (audit: g4 c=32's block0.conv3 step showed MAC 226080 beside
// "G1 MAC/bound 1.25", where 226080 / 100608 = 2.25).
func TestCostG1Header(t *testing.T) {
	for _, tc := range []struct {
		view, want, not string
	}{
		{"as-written", "G1 MAC/bound", "G1 conv MAC/bound"},
		{"fused", "G1 conv MAC/bound", ""},
	} {
		var out bytes.Buffer
		if code := run([]string{"cost", "--family", "g4", "--c", "32", "--by", "op", "--view", tc.view}, &out, &out); code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.view, code, out.String())
		}
		if s := out.String(); !strings.Contains(s, tc.want) || tc.not != "" && strings.Contains(s, tc.not) {
			t.Errorf("%s view: header lacks %q (or has %q):\n%s", tc.view, tc.want, tc.not, s[:min(len(s), 400)])
		}
	}
}

// TestCostPrintsChannelNotes: the table output names the channels the
// knobs produced and the rounding, with the notes the interactive
// explorer's cost pane shows (costfmt.ChannelNotes): --groups 7 changed
// stage 2 from 116 to 112 channels without a word.
func TestCostPrintsChannelNotes(t *testing.T) {
	code, out, errs := runCLI("cost", "--groups", "7")
	if code != 0 {
		t.Fatalf("cost --groups 7: exit %d: %s", code, errs)
	}
	g, err := arch.Build(arch.Spec{Family: arch.ShuffleNetV2, Groups: 7}.Normalize())
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(costfmt.ChannelNotes(g), "  ")
	lines := strings.Split(out, "\n")
	if len(lines) < 3 || lines[2] != want || !strings.Contains(want, "stage2 116→112 (multiple of 14)") {
		t.Errorf("cost --groups 7 printed %q, want its third line %q naming the rounding", out, want)
	}
}
