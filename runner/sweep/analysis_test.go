package sweep

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/calib"
	"github.com/shufflelab/explorer/runner/stats"
)

func row(name string, madds int64, ms float64) Row {
	return Row{Version: RowVersion, Key: name, Name: name, MAdds: madds, MAC: 2 * madds, MACFused: madds, Params: madds / 10,
		LatencyMS: stats.Summary{Median: ms}, Backend: "native", Mode: "fused", Threads: 1, Host: "h"}
}

func TestEqualMAddsPairs(t *testing.T) {
	rows := []Row{
		row("a", 100, 1.0),
		row("b", 109, 1.5), // 9% more MAdds than a, 1.5x its latency
		row("c", 111, 1.1), // 11% more than a: outside 10%; 1.8% more than b
		row("d", 300, 3.0),
		row("e", 0, 1.0), // no MAdds: ignored
	}
	ps := EqualMAddsPairs(rows, 0.10)
	// Pairs within 10%: (a,b) 9%, ratio 1.5; (b,c) 2/109, ratio 1.5/1.1.
	if len(ps) != 2 {
		t.Fatalf("%d pairs: %+v", len(ps), ps)
	}
	if ps[0].Fast.Name != "a" || ps[0].Slow.Name != "b" || math.Abs(ps[0].Ratio-1.5) > 1e-12 || math.Abs(ps[0].MAddsDiff-0.09) > 1e-12 {
		t.Errorf("first pair %+v", ps[0])
	}
	if ps[1].Fast.Name != "c" || ps[1].Slow.Name != "b" || math.Abs(ps[1].Ratio-1.5/1.1) > 1e-12 {
		t.Errorf("second pair %+v", ps[1])
	}
}

func TestColumns(t *testing.T) {
	rows := []Row{row("a", 100, 1), row("b", 200, 3), row("c", 300, 2)}
	cols, left := Columns(rows)
	// No calibration: the roofline estimate is 0 and left out, with why.
	if len(cols) != 4 || cols[0].Metric != "MAdds" || cols[3].Metric != "params" {
		t.Fatalf("columns %+v", cols)
	}
	if len(left) != 1 || left[0] != (LeftOut{"roofline estimate", "3 of 3 rows have none"}) {
		t.Errorf("left out %+v", left)
	}
	rows[0].RooflineMS, rows[1].RooflineMS, rows[2].RooflineMS = 0.5, 0.7, 0.6
	cols, left = Columns(rows)
	if len(cols) != 5 || cols[4].Metric != "roofline estimate" || cols[4].X[1] != 0.7 || cols[4].Latency[1] != 3 || len(left) != 0 {
		t.Errorf("columns %+v, left out %+v", cols, left)
	}
}

// TestColumnsSayWhatTheyLeaveOut: a metric one row lacks, or that every
// row has the same value of, is named with the reason (it used to vanish
// from the table without a word), and latencies that cannot rank anything
// say why.
func TestColumnsSayWhatTheyLeaveOut(t *testing.T) {
	rows := []Row{row("a", 100, 1), row("b", 200, 3), row("c", 300, 2)}
	for i := range rows {
		rows[i].RooflineMS = float64(i + 1)
		rows[i].Params = 7
	}
	rows[1].RooflineMS = 0
	cols, left := Columns(rows)
	var names []string
	for _, c := range cols {
		names = append(names, c.Metric)
	}
	want := []LeftOut{{"params", "every design has the same value"}, {"roofline estimate", "1 of 3 rows has none"}}
	if !slices.Equal(names, []string{"MAdds", "MAC", "MAC (fused plan)"}) || !slices.Equal(left, want) {
		t.Errorf("columns %v, left out %+v; want left out %+v", names, left, want)
	}
	for _, c := range []struct {
		rows []Row
		want string
	}{
		{rows[:1], "it needs at least 3 designs to mean anything, there is 1"},
		{rows[:2], "it needs at least 3 designs to mean anything, there are 2"}, // two rank +1 or -1 whatever they measure
		{[]Row{row("a", 100, 2), row("b", 200, 2), row("c", 300, 2)}, "every design has the same median latency (2 ms)"},
		{rows, ""},
	} {
		if got := Unranked(c.rows); got != c.want {
			t.Errorf("Unranked(%d rows) = %q, want %q", len(c.rows), got, c.want)
		}
		if cols, left := Columns(c.rows); c.want != "" && (cols != nil || left != nil) {
			t.Errorf("Columns of unrankable rows: %+v, %+v", cols, left)
		}
	}
}

func TestGroupByConfig(t *testing.T) {
	a, b := row("a", 1, 1), row("b", 2, 2)
	b2 := b
	b2.Host = "other"
	gs := GroupByConfig([]Row{a, b, b2, a})
	if len(gs) != 2 || len(gs[0].Rows) != 2 || len(gs[1].Rows) != 1 {
		t.Errorf("groups %+v", gs)
	}
	if strings.Contains(gs[0].Label, "[") {
		t.Errorf("label %q names a kernel set though the rows have one", gs[0].Label)
	}
	// One design on two kernel sets: two groups, each label naming its
	// set (plot dropped the generic rows as repeats of the avx512 ones).
	a.Fingerprint.Kernels = "avx512"
	g := a
	g.Fingerprint.Kernels = "generic"
	g.LatencyMS.Median *= 7
	gs = GroupByConfig([]Row{a, g})
	if len(gs) != 2 || len(gs[0].Rows) != 1 || len(gs[1].Rows) != 1 ||
		!strings.Contains(gs[0].Label, "native[avx512]/") || !strings.Contains(gs[1].Label, "native[generic]/") {
		t.Errorf("two kernel sets: %+v", gs)
	}
	// cudnn rows name each layer's choice after "; ": one set, one group.
	c1, c2 := row("a", 1, 1), row("b", 2, 2)
	c1.Backend, c2.Backend = "cudnn", "cudnn"
	c1.Fingerprint.Kernels = "cudnn+cuda-graph; dw own 12/13, gemm cublasLt 30/56"
	c2.Fingerprint.Kernels = "cudnn+cuda-graph; dw cudnn 13/13, gemm cudnn 56/56"
	if gs = GroupByConfig([]Row{c1, c2}); len(gs) != 1 || len(gs[0].Rows) != 2 || strings.Contains(gs[0].Label, "[") {
		t.Errorf("cudnn rows of one set: %+v", gs)
	}
	// A repeat with a profile replaces the design's first row.
	p := a
	p.Categories = []CategoryShare{{Name: "conv1x1", TimeShare: 1}}
	b.Fingerprint.Kernels = "avx512"
	gs = GroupByConfig([]Row{a, b, p})
	if len(gs) != 1 || len(gs[0].Rows) != 2 || !gs[0].Rows[0].Profiled() || gs[0].Rows[0].Key != a.Key {
		t.Errorf("profiled repeat: %+v", gs)
	}
}

func TestNewRow(t *testing.T) {
	s := arch.Spec{Width: 1.0}.Normalize()
	g, err := arch.Build(s)
	if err != nil {
		t.Fatal(err)
	}
	d := Design{Name: "snv2 1.0", Preset: "shufflenetv2-1.0", Spec: s}
	res := runner.Result{LatencyMS: stats.Summary{Median: 4}, ThroughputIPS: 250, Iters: 10}
	cfg := testConfig()
	r := NewRow(d, g, res, cfg)
	// reference/paper.md section 12: torchvision ShuffleNetV2 1.0x has
	// 144,907,992 MAdds and 2,278,604 parameters.
	if r.MAdds != 144907992 || r.FLOPs != 2*144907992 || r.Params != 2278604 {
		t.Errorf("MAdds %d FLOPs %d params %d", r.MAdds, r.FLOPs, r.Params)
	}
	// The fused plan reads and writes less than the graph as written.
	if !(r.MACFused > 0 && r.MACFused < r.MAC) {
		t.Errorf("MAC %d, fused %d", r.MAC, r.MACFused)
	}
	if r.RooflineMS != 0 || r.Ceiling.Valid() {
		t.Errorf("roofline %v without a calibration", r.RooflineMS)
	}
	if r.Key != d.Key() || r.Host != calib.HostKey(cfg.Fingerprint) || r.Family != "shufflenetv2" || r.Time.IsZero() {
		t.Errorf("row %+v", r)
	}
	// With a calibration the estimate is positive and lies between the
	// compute-only and the bandwidth-only bound of the fused view: every
	// op's time is at least FLOPs/peak and at least bytes/bandwidth.
	ce := calib.Ceiling{Threads: 1, PeakGFLOPS: 100, L2GBps: 100, DRAMGBps: 30}
	cfg.Calibration = calib.Calibration{L2Bytes: 1 << 20, Ceilings: []calib.Ceiling{ce}}
	r = NewRow(d, g, res, cfg)
	fp := arch.FusedPlan(g)
	tot := cost.Analyze(g, &fp).Totals
	compute := float64(tot.FLOPs+tot.AuxFLOPs) / 100e9 * 1e3
	memory := float64(tot.Bytes) / 100e9 * 1e3
	if !(r.RooflineMS >= compute && r.RooflineMS >= memory && r.RooflineMS <= compute+float64(tot.Bytes)/30e9*1e3) {
		t.Errorf("roofline %v ms; compute bound %v, L2 bound %v", r.RooflineMS, compute, memory)
	}
	if r.Ceiling != ce {
		t.Errorf("ceiling %+v", r.Ceiling)
	}
	// A profile becomes category shares and op points.
	steps := []runner.StepTime{}
	for _, st := range fp.Steps {
		if fp.Steps != nil && !st.View {
			op := g.Ops[st.Ops[0]]
			var ids []string
			for _, i := range st.Ops {
				ids = append(ids, g.Ops[i].ID)
			}
			steps = append(steps, runner.StepTime{Name: op.ID, Ops: ids, Nanos: 1000})
		}
	}
	pr := runner.JoinProfile(cost.Analyze(g, &fp), g, steps)
	res.Profile = &pr
	r = NewRow(d, g, res, cfg)
	var share float64
	for _, c := range r.Categories {
		share += c.TimeShare
	}
	if math.Abs(share-1) > 1e-9 || len(r.Ops) == 0 {
		t.Errorf("category time shares sum to %v; %d op points", share, len(r.Ops))
	}
	for _, op := range r.Ops {
		if !(op.Intensity > 0 && op.GFLOPS > 0 && op.TimeMS == 1e-3) {
			t.Errorf("op point %+v", op)
		}
	}
}

func TestNearPairs(t *testing.T) {
	// Paper Table 8 MAdds (M): ShuffleNet v2 1x 146, ShuffleNet v1 g=3 140,
	// MobileNet v2 0.75x ~145 (here 145), plus a far design (300) and an
	// unmeasured one; latencies made up.
	x := []float64{146, 140, 145, 300, 146}
	lat := []float64{5, 6, 9, 10, 0}
	ps := NearPairs(x, lat, 0.05)
	// Pairs within 5%: (0,1) 4.3% 1.2x, (0,2) 0.7% 1.8x, (1,2) 3.6% 1.5x.
	want := []IndexPair{{0, 2, 1.0 / 145, 1.8}, {1, 2, 5.0 / 140, 1.5}, {0, 1, 6.0 / 140, 1.2}}
	if len(ps) != len(want) {
		t.Fatalf("pairs %+v", ps)
	}
	for i, w := range want {
		p := ps[i]
		if p.Fast != w.Fast || p.Slow != w.Slow || math.Abs(p.XDiff-w.XDiff) > 1e-12 || math.Abs(p.Ratio-w.Ratio) > 1e-12 {
			t.Errorf("pair %d = %+v, want %+v", i, p, w)
		}
	}
	if ps := NearPairs(x, lat, 0); len(ps) != 0 {
		t.Errorf("tol 0: %+v", ps)
	}
}

// TestMostDifferentNearPair: the scan picks exactly the pair NearPairs'
// sorted list would give first among the accepted ones, ties included
// (random values on a coarse grid make equal ratios and distances common).
func TestMostDifferentNearPair(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		n := r.IntN(40)
		x, lat := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i] = float64(1 + r.IntN(12))
			lat[i] = float64(r.IntN(6)) // 0 latencies are left out
		}
		accept := func(p IndexPair) bool { return (p.Fast+p.Slow)%3 != 0 }
		want, wantOK := IndexPair{}, false
		for _, p := range NearPairs(x, lat, 0.25) {
			if accept(p) {
				want, wantOK = p, true
				break
			}
		}
		got, ok := MostDifferentNearPair(x, lat, 0.25, accept)
		if ok != wantOK || got != want {
			t.Fatalf("trial %d: got %+v %v, want %+v %v (x %v, latency %v)", trial, got, ok, want, wantOK, x, lat)
		}
	}
}

// TestTopNearPairs: the bounded selection gives exactly the first n pairs
// of NearPairs' sorted list, ties included, and the count of them all.
func TestTopNearPairs(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 300; trial++ {
		m := r.IntN(40)
		x, lat := make([]float64, m), make([]float64, m)
		for i := range x {
			x[i] = float64(1 + r.IntN(12))
			lat[i] = float64(r.IntN(6))
		}
		all := NearPairs(x, lat, 0.25)
		for _, n := range []int{0, 1, 3, 10, len(all) + 1} {
			top, count := TopNearPairs(x, lat, 0.25, n)
			want := all[:min(n, len(all))]
			if count != len(all) || !slices.Equal(top, want) {
				t.Fatalf("trial %d n %d: got %v (count %d), want %v (count %d)", trial, n, top, count, want, len(all))
			}
		}
	}
	rows := []Row{row("a", 100, 1.0), row("b", 109, 1.5), row("c", 111, 1.1)}
	top, count := EqualMAddsTop(rows, 0.10, 1)
	if count != 2 || len(top) != 1 || !reflect.DeepEqual(top[0], EqualMAddsPairs(rows, 0.10)[0]) {
		t.Errorf("EqualMAddsTop: %+v, %d", top, count)
	}
}

// TestUnusableBounds: a median below one nanosecond (the clock's
// resolution) and counts past arch.MaxWork (2 x MAdds would wrap int64)
// make a row unusable, with the reason; the bounds themselves are usable.
func TestUnusableBounds(t *testing.T) {
	for _, c := range []struct {
		edit func(*Row)
		want string // "" for usable
	}{
		{func(r *Row) { r.LatencyMS.Median = 1e-300 }, "median latency 1e-300 ms"},
		{func(r *Row) { r.LatencyMS.Median = 1e-7 }, "1 ns"},
		{func(r *Row) { r.LatencyMS.Median = MinMedianMS }, ""},
		{func(r *Row) { r.LatencyMS.Median = MaxMedianMS }, ""},
		{func(r *Row) { r.MAdds = 5e18 }, "MAdds 5000000000000000000: past 2^56"},
		{func(r *Row) { r.MAC = arch.MaxWork + 1 }, "MAC"},
		{func(r *Row) { r.MACFused = arch.MaxWork + 1 }, "fused-plan MAC"},
		{func(r *Row) { r.Params = arch.MaxWork + 1 }, "params"},
		{func(r *Row) { r.MAdds, r.MAC = arch.MaxWork, arch.MaxWork }, ""},
		// The mode names chart files: a hand-edited "../x" wrote outside
		// plot's --out (review).
		{func(r *Row) { r.Mode = "../../escaped" }, `mode "../../escaped": not eager or fused`},
		{func(r *Row) { r.Mode = "eager" }, ""},
	} {
		r := row("a", 100, 1)
		c.edit(&r)
		got := r.Unusable()
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("row %+v: Unusable() = %q, want %q", r.LatencyMS, got, c.want)
		}
	}
}

// TestPairsVerdict: the sentence under the pair lists of `explorer sweep`
// and `explorer plot`, with the gap chart's threshold (Misleading).
func TestPairsVerdict(t *testing.T) {
	g1, g8 := row("shufflenetv1-1.0-g1", 143.08e6, 2.812), row("shufflenetv1-1.0-g8", 138.37e6, 3.925)
	for _, tc := range []struct {
		p    Pair
		want string
	}{
		// docs/data/charts-plot.txt: 3.4% apart in MAdds, 1.40x in latency.
		{Pair{Fast: g1, Slow: g8, MAddsDiff: 0.034, Ratio: 1.40}, "shufflenetv1-1.0-g8 and shufflenetv1-1.0-g1 differ by 3.4% in MAdds, but shufflenetv1-1.0-g8 takes 1.40x as long."},
		// 1.25x is not over MisleadingRatio.
		{Pair{Fast: g1, Slow: g8, MAddsDiff: 0.034, Ratio: 1.25}, "no pair within 10% MAdds differs by over 25% in latency; the closest is 1.25x."},
	} {
		if got := PairsVerdict(tc.p, DefaultPairTolerance); got != tc.want {
			t.Errorf("PairsVerdict(ratio %v) = %q, want %q", tc.p.Ratio, got, tc.want)
		}
	}
	if Misleading(MisleadingRatio) || !Misleading(MisleadingRatio+1e-9) {
		t.Error("Misleading is not 'above MisleadingRatio'")
	}
}
