package sweep

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
)

func TestParseFloats(t *testing.T) {
	tests := []struct {
		in   string
		want []float64
		bad  bool
	}{
		// The example range: 0.5 to 2.0 in steps of 0.25, both ends included.
		{in: "0.5:2.0:0.25", want: []float64{0.5, 0.75, 1, 1.25, 1.5, 1.75, 2}},
		// 0.1 steps accumulate float error without rounding (0.1*3 != 0.3).
		{in: "0.1:0.4:0.1", want: []float64{0.1, 0.2, 0.3, 0.4}},
		{in: "1:1:1", want: []float64{1}},
		{in: "0.3, 0.5,0.7", want: []float64{0.3, 0.5, 0.7}},
		{in: "", want: nil},
		{in: "1:2", bad: true},
		{in: "2:1:0.5", bad: true},
		{in: "1:2:0", bad: true},
		{in: "1:2:-1", bad: true},
		{in: "a,b", bad: true},
		{in: "NaN", bad: true},
		{in: "0:1e9:1", bad: true}, // too many values
		// Issue 15 reproduction 3: a step so small the count is no int
		// (makeslice panicked).
		{in: "0.05:16:1e-300", bad: true},
		{in: "32:64:1e-300", bad: true},
		{in: "0.1:0.9:1e-300", bad: true},
		{in: "0:1:5e-324", bad: true},
		{in: "-1e308:1e308:1", bad: true}, // the span itself is +Inf
	}
	// The refusal of a long range says how long: digits while they are
	// few (it printed 1.6e+03), a rounded power of ten past 10^12.
	for in, want := range map[string]string{
		"0.05:16:0.01":   "1596 values (at most 1000)",
		"0.05:16:1e-300": "about 1.59e+301 values (at most 1000)",
	} {
		if _, err := ParseFloats("width", in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseFloats(%q) err = %v, want %q", in, err, want)
		}
	}
	for _, tc := range tests {
		got, err := ParseFloats("width", tc.in)
		if tc.bad {
			var ke *arch.KnobError
			if !errors.As(err, &ke) || ke.Knob != "width" {
				t.Errorf("ParseFloats(%q) err = %v, want a KnobError naming width", tc.in, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseFloats(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseIntsAndDepths(t *testing.T) {
	if got, err := ParseInts("groups", "1,2,4"); err != nil || !slices.Equal(got, []int{1, 2, 4}) {
		t.Errorf("ParseInts = %v, %v", got, err)
	}
	if got, err := ParseInts("res", "160:224:32"); err != nil || !slices.Equal(got, []int{160, 192, 224}) {
		t.Errorf("ParseInts range = %v, %v", got, err)
	}
	if _, err := ParseInts("groups", "1.5"); err == nil {
		t.Error("ParseInts(1.5) gave no error")
	}
	d, err := ParseDepthsList("4,8,4;2,4,2")
	if err != nil || len(d) != 2 || !slices.Equal(d[0], []int{4, 8, 4}) || !slices.Equal(d[1], []int{2, 4, 2}) {
		t.Errorf("ParseDepthsList = %v, %v", d, err)
	}
	for _, bad := range []string{"4,8", "4,8,4;2", "1:3:1"} {
		if _, err := ParseDepthsList(bad); err == nil {
			t.Errorf("ParseDepthsList(%q) gave no error", bad)
		}
	}
}

func TestGridExpand(t *testing.T) {
	g := Grid{
		Widths: []float64{0.5, 1.0, 1.5},
		Splits: []float64{0.3, 0.5},
		Groups: []int{1, 2},
		Depths: [][]int{{4, 8, 4}, {2, 4, 2}},
	}
	ds, skipped, _ := g.Expand()
	if len(skipped) != 0 {
		t.Fatalf("skipped %v", skipped)
	}
	// 3 widths x 2 splits x 2 groups x 2 depths.
	if len(ds) != 24 {
		t.Fatalf("got %d designs, want 24", len(ds))
	}
	// Width is the outermost loop, batch the innermost.
	if ds[0].Spec.Width != 0.5 || ds[len(ds)-1].Spec.Width != 1.5 || ds[1].Spec.Width != 0.5 {
		t.Errorf("order: first %v, second %v, last %v", ds[0].Spec, ds[1].Spec, ds[len(ds)-1].Spec)
	}
	keys := map[string]bool{}
	for _, d := range ds {
		if keys[d.Key()] {
			t.Errorf("duplicate design %s", d.Name)
		}
		keys[d.Key()] = true
		if _, err := arch.Build(d.Spec); err != nil {
			t.Errorf("%s does not build: %v", d.Name, err)
		}
	}
	// The same grid expands to the same list.
	again, _, _ := g.Expand()
	for i := range ds {
		if ds[i].Key() != again[i].Key() {
			t.Fatalf("expansion %d differs between calls", i)
		}
	}
}

func TestGridSkipsInvalidPoints(t *testing.T) {
	// arch.MinRes is 32: 16 px does not build.
	ds, skipped, _ := Grid{Res: []int{16, 224}}.Expand()
	if len(ds) != 1 || len(skipped) != 1 || skipped[0].Spec.Res != 16 {
		t.Fatalf("designs %v skipped %v", ds, skipped)
	}
	var ke *arch.KnobError
	if !errors.As(skipped[0].Err, &ke) || ke.Knob != "res" {
		t.Errorf("skip reason %v, want a res KnobError", skipped[0].Err)
	}
}

func TestDedupeKeepsFirst(t *testing.T) {
	// Width 0 normalises to 1.0: the same design under two names.
	a := Design{Name: "a", Spec: arch.Spec{Width: 1}}
	b := Design{Name: "b", Spec: arch.Spec{}}
	c := Design{Name: "c", Spec: arch.Spec{Width: 0.5}}
	got := Dedupe([]Design{a, b, c})
	if len(got) != 2 || got[0].Name != "a" || got[1].Name != "c" {
		t.Errorf("Dedupe = %v", got)
	}
}

func TestShard(t *testing.T) {
	var ds []Design
	for i := range 10 {
		ds = append(ds, Design{Name: string(rune('a' + i)), Spec: arch.Spec{Width: 0.5 + 0.1*float64(i)}})
	}
	for _, n := range []int{1, 2, 3, 4, 10, 13} {
		seen := map[string]int{}
		lo, hi := len(ds), 0
		for i := 1; i <= n; i++ {
			sh, err := Shard(ds, i, n)
			if err != nil {
				t.Fatal(err)
			}
			lo, hi = min(lo, len(sh)), max(hi, len(sh))
			for _, d := range sh {
				seen[d.Name]++
			}
			again, _ := Shard(ds, i, n)
			if !slices.EqualFunc(sh, again, func(a, b Design) bool { return a.Name == b.Name }) {
				t.Errorf("shard %d/%d not deterministic", i, n)
			}
		}
		if len(seen) != len(ds) {
			t.Errorf("n=%d: shards cover %d of %d designs", n, len(seen), len(ds))
		}
		for name, k := range seen {
			if k != 1 {
				t.Errorf("n=%d: design %s in %d shards", n, name, k)
			}
		}
		if hi-lo > 1 {
			t.Errorf("n=%d: shard sizes %d..%d differ by more than one", n, lo, hi)
		}
	}
	if _, err := Shard(ds, 0, 2); err == nil {
		t.Error("shard 0/2 accepted")
	}
	if _, err := Shard(ds, 3, 2); err == nil {
		t.Error("shard 3/2 accepted")
	}
}

func TestParseShard(t *testing.T) {
	if i, n, err := ParseShard("2/3"); err != nil || i != 2 || n != 3 {
		t.Errorf("ParseShard(2/3) = %d, %d, %v", i, n, err)
	}
	if i, n, err := ParseShard(""); err != nil || i != 1 || n != 1 {
		t.Errorf("ParseShard('') = %d, %d, %v", i, n, err)
	}
	for _, bad := range []string{"0/2", "3/2", "1/0", "x/2", "2", "1/2/3"} {
		if _, _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) gave no error", bad)
		}
	}
}

// TestGridSize: a grid's size is the checked product of its list lengths;
// past MaxGridPoints it is a KnobError naming the longest list, and Expand
// refuses it before building a single point.
func TestGridSize(t *testing.T) {
	w, _ := ParseFloats("width", "0.5:2.0:0.25") // 7
	if n, err := (Grid{Widths: w, Batch: []int{1, 2}}).Size(); n != 14 || err != nil {
		t.Errorf("Size = %d, %v; want 14", n, err)
	}
	long := make([]int, 1000)
	for i := range long {
		long[i] = 32 + i
	}
	ws := make([]float64, 1000)
	g := Grid{Widths: ws, Splits: ws, Groups: long, Res: long, Batch: long, Depths: make([][]int, 1000)} // 10^18 points
	_, err := g.Size()
	var ke *arch.KnobError
	if !errors.As(err, &ke) || ke.Knob != "width" || !strings.Contains(ke.Error(), "at most 10000") {
		t.Errorf("Size of a 10^18-point grid = %v, want a KnobError naming the longest list", err)
	}
	if ds, sk, err := g.Expand(); err == nil || ds != nil || sk != nil {
		t.Errorf("Expand of a 10^18-point grid = %d designs, %d skipped, %v", len(ds), len(sk), err)
	}
	g = Grid{Res: long[:101], Batch: long[:100]} // 10100 points, just past the cap
	if _, err := g.Size(); !errors.As(err, &ke) || ke.Knob != "res" {
		t.Errorf("Size of 101 x 100 = %v, want a KnobError naming res", err)
	}
}

// TestGridRefusesZero: a 0 in a list is refused with the error 'explorer
// cost' gives a typed 0 (arch.Spec.Set, with the grid family's range:
// arch.MinWidth..MaxWidth, MinMicroRes..MaxRes for g1-g4, ShuffleNet v1's
// groups 1|2|3|4|8), never measured as the default (audit: '--width 0,1'
// listed only 1x; '--res 0', '--batch 0', '--split 0', '--groups 0' gave
// 224, 1, 0.5 and g=3). A negative value is still a skipped grid point.
func TestGridRefusesZero(t *testing.T) {
	for _, tc := range []struct {
		grid Grid
		want string
	}{
		{Grid{Widths: []float64{0, 1}}, `invalid width "0" (valid: 0.05..16)`},
		{Grid{Widths: []float64{1, math.Copysign(0, -1)}}, `invalid width "0" (valid: 0.05..16)`},
		{Grid{Splits: []float64{0}}, `invalid split "0" (valid: 0 < split < 1)`},
		{Grid{Base: arch.Spec{Family: arch.ShuffleNetV1}, Groups: []int{0, 5}}, `invalid groups "0" (valid: 1|2|3|4|8 (or give --channels))`},
		{Grid{Groups: []int{2, 0}}, `invalid groups "0" (valid: 1..64)`},
		{Grid{Res: []int{0}}, `invalid res "0" (valid: 32..8192)`},
		{Grid{Base: arch.Spec{Family: arch.GuideG1}, Res: []int{0}}, `invalid res "0" (valid: 1..8192)`},
		{Grid{Batch: []int{0, 8}}, `invalid batch "0" (valid: 1..4096)`},
	} {
		ds, sk, err := tc.grid.Expand()
		var ke *arch.KnobError
		if !errors.As(err, &ke) || err.Error() != tc.want {
			t.Errorf("%+v: Expand = %d designs, %d skipped, %v; want %q", tc.grid, len(ds), len(sk), err, tc.want)
		}
		// The same text as a typed 0 (explorer cost --KNOB 0).
		s := arch.Spec{Family: tc.grid.Base.Family}
		if setErr := s.Set(ke.Knob, "0"); setErr == nil || setErr.Error() != err.Error() {
			t.Errorf("%+v: %v, Set gives %v", tc.grid, err, setErr)
		}
	}
	ds, sk, err := Grid{Res: []int{-5, 224}}.Expand()
	if err != nil || len(ds) != 1 || len(sk) != 1 {
		t.Errorf("res -5,224: %d designs, %d skipped, %v; want 1 and 1 skipped", len(ds), len(sk), err)
	}
}
