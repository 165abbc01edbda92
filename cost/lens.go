package cost

import (
	"math"
	"sort"

	"github.com/shufflelab/explorer/arch"
)

// Lenses are the figures of the four guidelines of the paper (section 3,
// G1-G4) for one design, as the explorer's cost pane shows them: G1 and G2
// in the cost view on screen (as written or fused), G3 and G4 across both
// views. [LensesOf] computes them once per design; a screen only formats
// them.
type Lenses struct {
	G1 PerView[G1Lens]
	G2 PerView[G2Lens]
	G3 G3Lens
	G4 G4Lens
}

// PerView holds a figure of the graph as written and of the fused plan.
type PerView[T any] struct {
	Written T // of the graph as written (every op materialised)
	Fused   T // of the fused plan (what a backend's fused mode executes)
}

// In returns the figure of view v (Fused, or else AsWritten).
func (p PerView[T]) In(v View) T {
	if v == Fused {
		return p.Fused
	}
	return p.Written
}

// G1Lens sums up guideline G1, "equal channel width minimizes memory access
// cost" (paper Eq. 1), over the 1x1 convs that have a G1 bound (Row.G1:
// stride 1, not depthwise) in one view.
type G1Lens struct {
	// Convs is the number of 1x1 convs with a G1 bound; every other field
	// is zero when it is 0.
	Convs int
	// MinChannelRatio and MaxChannelRatio are the narrowest and widest
	// channel ratios of those convs, each max(c1,c2)/min(c1,c2) >= 1 (a
	// c1:c2 of 1:x); a zero width counts as 1.
	MinChannelRatio, MaxChannelRatio float64
	// MAC is their memory access cost summed, in elements (G1Bound.MAC).
	MAC int64
	// Bound is their G1 lower bounds summed (G1Bound.Bound).
	Bound float64
	// AboveBound is how far their MAC is above the bound together:
	// MAC/Bound - 1 (0 when every conv has c1 = c2 and one group).
	AboveBound float64
	// Worst is the bound of the conv farthest above its own bound (the
	// largest G1Bound.Ratio; the first in the report's order on a tie),
	// and WorstID its row's ID.
	Worst   G1Bound
	WorstID string
}

// G2Lens sums up guideline G2, "excessive group convolution increases MAC",
// in one view.
type G2Lens struct {
	// Groups is the design's group count g (arch.Spec.Groups).
	Groups int
	// MAddsShare and MACShare are the group convs' (CatGroupConv) shares of
	// the view's MAdds and MAC, in 0..1.
	MAddsShare, MACShare float64
	// GroupMACPerMAdd is the group convs' MAC per MAdd (their MAC over their
	// MAdds); NaN where the design has none.
	GroupMACPerMAdd float64
	// DenseMACPerMAdd is the same of the dense 1x1 convs (CatConv1x1); NaN
	// where the design has none.
	DenseMACPerMAdd float64
}

// G3Lens sums up guideline G3, "network fragmentation reduces degree of
// parallelism": how many units the design has, how many parallel conv
// branches and convs each, and how many kernels a pass launches in each
// view.
type G3Lens struct {
	// Units is the number of units (blocks) of the graph (arch.Graph.Units).
	Units int
	// ConvBranches sums the units' conv branches: the paper's parallel
	// fragments (section 2, G3; Table 3's "n-fragment-parallel"), counted
	// from the graph's structure, not from op names.
	// A unit's conv branches are the most inputs of one of its merge ops
	// (add or concat) that each reach back, inside the unit, to a conv
	// that no other input of that merge reaches; a unit with convs but no
	// such merge of two or more is one chain: 1; a unit without convs: 0.
	// A path without a conv (an identity shortcut, a passthrough half, an
	// average pool) is not a conv branch, and a conv before the paths fork
	// is in series with them, not in parallel. ShuffleNetV2: a stride-2
	// unit 2 (branch1 and branch2; branch_proj and branch_main in the
	// megvii layout), a stride-1 unit 1; ShuffleNet v1, MobileNet v1 and
	// v2, G1, G2 and G4: 1; G3 with k fragments in parallel k, in series 1.
	ConvBranches int
	// Convs counts the conv ops inside units.
	Convs int
	// BranchesPerUnit is ConvBranches/Units; 0 without units.
	BranchesPerUnit float64
	// ConvsPerUnit is Convs/Units; 0 without units.
	ConvsPerUnit float64
	// LaunchesWritten and LaunchesFused are the kernel launches of one pass
	// (Totals.Steps) as written and in the fused plan.
	LaunchesWritten, LaunchesFused int
}

// G4Lens sums up guideline G4, "element-wise operations are non-negligible":
// the shares of element-wise ops (BN, ReLU, add) and data movement (split,
// concat, shuffle) together.
type G4Lens struct {
	// MAddsShare is their share of the MAdds as written, in 0..1 (they have
	// none, so it is 0: the point of the guideline).
	MAddsShare float64
	// MACShareWritten and MACShareFused are their shares of the MAC as
	// written and in the fused plan, in 0..1.
	MACShareWritten, MACShareFused float64
	// AuxFLOPs are the auxiliary FLOPs of the graph as written (BN, ReLU,
	// add, pooling; Totals.AuxFLOPs).
	AuxFLOPs int64
}

// LensesOf computes the guideline lenses of graph g from its reports as
// written and fused (Analyze(g, nil) and Analyze(g, &plan) of its fused
// plan).
func LensesOf(g *arch.Graph, written, fused *Report) Lenses {
	return Lenses{
		G1: PerView[G1Lens]{Written: G1LensOf(written), Fused: G1LensOf(fused)},
		G2: PerView[G2Lens]{Written: G2LensOf(written, g.Spec.Groups), Fused: G2LensOf(fused, g.Spec.Groups)},
		G3: G3LensOf(g, written, fused),
		G4: G4LensOf(written, fused),
	}
}

// G1LensOf sums up the G1 bounds of the rows of rep.
func G1LensOf(rep *Report) G1Lens {
	var l G1Lens
	lo, hi := math.Inf(1), 0.0
	for _, r := range rep.Rows {
		if r.G1 == nil {
			continue
		}
		l.Convs++
		l.MAC += r.G1.MAC
		l.Bound += r.G1.Bound
		ratio := float64(max(r.G1.C1, r.G1.C2)) / float64(max(1, min(r.G1.C1, r.G1.C2)))
		lo, hi = math.Min(lo, ratio), math.Max(hi, ratio)
		if r.G1.Ratio > l.Worst.Ratio {
			l.Worst, l.WorstID = *r.G1, r.ID
		}
	}
	if l.Convs == 0 {
		return G1Lens{}
	}
	l.MinChannelRatio, l.MaxChannelRatio = lo, hi
	l.AboveBound = float64(l.MAC)/l.Bound - 1
	return l
}

// G1Farthest returns the rows of rep that have a G1 bound, farthest above
// it first (G1Bound.Ratio descending; the report's order on ties).
func G1Farthest(rep *Report) []Row {
	var rows []Row
	for _, r := range rep.Rows {
		if r.G1 != nil {
			rows = append(rows, r)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].G1.Ratio > rows[j].G1.Ratio })
	return rows
}

// G2LensOf sums up the group convs of rep against its dense 1x1 convs, for
// a design of the given group count.
func G2LensOf(rep *Report, groups int) G2Lens {
	gc, dense := rep.category(CatGroupConv), rep.category(CatConv1x1)
	return G2Lens{Groups: groups, MAddsShare: gc.MultAddsShare, MACShare: gc.MemAccessShare,
		GroupMACPerMAdd: macPerMAdd(gc), DenseMACPerMAdd: macPerMAdd(dense)}
}

// category returns the totals of category c (zero where rep has none).
func (rep *Report) category(c Category) Group {
	for _, gr := range rep.Categories {
		if Category(gr.Name) == c {
			return gr
		}
	}
	return Group{}
}

// macPerMAdd is a group's MAC over its MAdds, NaN without MAdds.
func macPerMAdd(gr Group) float64 {
	if gr.MultAdds == 0 {
		return math.NaN()
	}
	return float64(gr.MemAccess) / float64(gr.MultAdds)
}

// G3LensOf counts the units, parallel conv branches and convs of g and the
// launches of its reports as written and fused.
func G3LensOf(g *arch.Graph, written, fused *Report) G3Lens {
	l := G3Lens{Units: len(g.Units()), LaunchesWritten: written.Totals.Steps, LaunchesFused: fused.Totals.Steps}
	for i := range g.Ops {
		if op := &g.Ops[i]; op.Unit != "" && op.Kind == arch.OpConv {
			l.Convs++
		}
	}
	for _, b := range unitConvBranches(g) {
		l.ConvBranches += b
	}
	if l.Units > 0 {
		l.ConvsPerUnit = float64(l.Convs) / float64(l.Units)
		l.BranchesPerUnit = float64(l.ConvBranches) / float64(l.Units)
	}
	return l
}

// unitConvBranches returns the conv branches of every unit of g, in the
// order of arch.Graph.Units: the most inputs of one merge op (add or
// concat) of the unit that each reach back, through ops of the unit, to a
// conv no other input of that merge reaches; 1 for a unit whose convs meet
// in no such merge of two or more (one chain), 0 for a unit without convs
// (G3Lens.ConvBranches).
func unitConvBranches(g *arch.Graph) []int {
	units := g.Units()
	index := make(map[string]int, len(units))
	for i, u := range units {
		index[u] = i
	}
	out := make([]int, len(units))
	for i := range g.Ops {
		op := &g.Ops[i]
		if op.Unit == "" {
			continue
		}
		u := index[op.Unit]
		if op.Kind == arch.OpConv {
			out[u] = max(out[u], 1)
		}
		if (op.Kind == arch.OpAdd || op.Kind == arch.OpConcat) && len(op.Inputs) > 1 {
			out[u] = max(out[u], parallelConvPaths(g, op))
		}
	}
	return out
}

// parallelConvPaths counts the inputs of merge op m that reach back,
// through ops of m's unit, to a conv that no other input of m reaches.
func parallelConvPaths(g *arch.Graph, m *arch.Op) int {
	reached := make([]map[int]bool, len(m.Inputs))
	seenBy := map[int]int{} // conv op index -> number of inputs reaching it
	for i, t := range m.Inputs {
		reached[i] = unitConvsBehind(g, t, m.Unit)
		for c := range reached[i] {
			seenBy[c]++
		}
	}
	n := 0
	for _, convs := range reached {
		for c := range convs {
			if seenBy[c] == 1 {
				n++
				break
			}
		}
	}
	return n
}

// unitConvsBehind returns the conv ops of unit that tensor t depends on
// through ops of that unit only.
func unitConvsBehind(g *arch.Graph, t arch.TensorID, unit string) map[int]bool {
	convs := map[int]bool{}
	seen := map[int]bool{}
	stack := []arch.TensorID{t}
	for len(stack) > 0 {
		t, stack = stack[len(stack)-1], stack[:len(stack)-1]
		p := g.Tensors[t].Producer
		if p < 0 || seen[p] || g.Ops[p].Unit != unit {
			continue
		}
		seen[p] = true
		if g.Ops[p].Kind == arch.OpConv {
			convs[p] = true
		}
		stack = append(stack, g.Ops[p].Inputs...)
	}
	return convs
}

// G4LensOf sums the element-wise and data-movement shares of the reports
// as written and fused.
func G4LensOf(written, fused *Report) G4Lens {
	wm, wa := elementwiseShares(written)
	_, fa := elementwiseShares(fused)
	return G4Lens{MAddsShare: wm, MACShareWritten: wa, MACShareFused: fa, AuxFLOPs: written.Totals.AuxFLOPs}
}

// elementwiseShares sums the MAdds and MAC shares of the element-wise and
// data-movement categories of rep.
func elementwiseShares(rep *Report) (madds, mac float64) {
	for _, gr := range rep.Categories {
		if c := Category(gr.Name); c == CatElementwise || c == CatDataMovement {
			madds += gr.MultAddsShare
			mac += gr.MemAccessShare
		}
	}
	return madds, mac
}

// ChangePercent is the relative change of a count from old to now in
// percent, 100 (now-old)/old, as the explorer shows a design's totals
// against the design it loaded; ok is false where old is 0 (the count is
// new: no relative change).
func ChangePercent(now, old int64) (pct float64, ok bool) {
	if old == 0 {
		return 0, false
	}
	return 100 * float64(now-old) / float64(old), true
}
