package cost

import (
	"github.com/shufflelab/explorer/arch"
)

// View names the two ways of counting.
type View string

// The two views of a report.
const (
	AsWritten View = "as-written" // every op materialised
	Fused     View = "fused"      // what a fused plan executes
)

// Row is the cost of one op (as-written view) or one plan step (fused view).
type Row struct {
	ID       string       `json:"id"`               // op ID (the step's anchor op in the fused view)
	Kind     arch.OpKind  `json:"kind"`             // op kind of the anchor
	Covers   []string     `json:"covers,omitempty"` // fused view: IDs of every op the step runs
	View     bool         `json:"view,omitempty"`   // fused view: zero-copy step
	Stage    string       `json:"stage"`
	Unit     string       `json:"unit,omitempty"`
	Category Category     `json:"category"`
	In       []arch.Shape `json:"-"`
	Out      []arch.Shape `json:"-"`

	MultAdds  int64    `json:"madds"`
	AuxFLOPs  int64    `json:"aux_flops"`
	Params    int64    `json:"params"`
	MemAccess int64    `json:"mem_access"`
	Bytes     int64    `json:"bytes"`
	Intensity float64  `json:"intensity"` // (2*MAdds + aux FLOPs) / bytes
	G1        *G1Bound `json:"g1,omitempty"`
	OpIndex   []int    `json:"-"` // graph op indices covered
}

// FLOPs is 2 x MAdds (auxiliary FLOPs excluded).
func (r Row) FLOPs() int64 { return 2 * r.MultAdds }

// Totals sums a set of rows.
type Totals struct {
	MultAdds  int64   `json:"madds"`
	FLOPs     int64   `json:"flops"`
	AuxFLOPs  int64   `json:"aux_flops"`
	Params    int64   `json:"params"`
	MemAccess int64   `json:"mem_access"`
	Bytes     int64   `json:"bytes"`
	Intensity float64 `json:"intensity"`
	Steps     int     `json:"steps"` // rows (kernel launches) counted, view steps excluded
}

func (t *Totals) add(r Row) {
	t.MultAdds += r.MultAdds
	t.FLOPs += r.FLOPs()
	t.AuxFLOPs += r.AuxFLOPs
	t.Params += r.Params
	t.MemAccess += r.MemAccess
	t.Bytes += r.Bytes
	if !r.View {
		t.Steps++
	}
}

func (t *Totals) finish() {
	if t.Bytes > 0 {
		t.Intensity = float64(t.FLOPs+t.AuxFLOPs) / float64(t.Bytes)
	}
}

// Group is the total of a stage or a category, with its shares of the
// network's MAdds and MAC.
type Group struct {
	Name string `json:"name"`
	Totals
	MultAddsShare  float64 `json:"madds_share"`
	MemAccessShare float64 `json:"mem_access_share"`
}

// Report is the analytic cost of a graph in one view.
type Report struct {
	View       View    `json:"view"`
	Rows       []Row   `json:"ops"`
	Stages     []Group `json:"stages"`
	Categories []Group `json:"categories"`
	Totals     Totals  `json:"totals"`
}

// Analyze computes the cost of g as written (plan == nil) or as the given
// plan executes it. It is pure and takes microseconds for a ShuffleNetV2.
func Analyze(g *arch.Graph, plan *arch.Plan) Report {
	var rep Report
	if plan == nil || !plan.Fused {
		rep.View = AsWritten
		rep.Rows = make([]Row, len(g.Ops))
		for i := range g.Ops {
			rep.Rows[i] = opRow(g, &g.Ops[i])
		}
	} else {
		rep.View = Fused
		rep.Rows = make([]Row, len(plan.Steps))
		for i, st := range plan.Steps {
			rep.Rows[i] = stepRow(g, st)
		}
	}
	stageIdx := map[string]int{}
	for _, s := range g.Stages() {
		stageIdx[s] = len(rep.Stages)
		rep.Stages = append(rep.Stages, Group{Name: s})
	}
	catIdx := map[Category]int{}
	for _, c := range Categories() {
		catIdx[c] = len(rep.Categories)
		rep.Categories = append(rep.Categories, Group{Name: string(c)})
	}
	for _, r := range rep.Rows {
		rep.Totals.add(r)
		rep.Stages[stageIdx[r.Stage]].add(r)
		rep.Categories[catIdx[r.Category]].add(r)
	}
	rep.Totals.finish()
	for _, gs := range [][]Group{rep.Stages, rep.Categories} {
		for i := range gs {
			gs[i].finish()
			if rep.Totals.MultAdds > 0 {
				gs[i].MultAddsShare = float64(gs[i].MultAdds) / float64(rep.Totals.MultAdds)
			}
			if rep.Totals.MemAccess > 0 {
				gs[i].MemAccessShare = float64(gs[i].MemAccess) / float64(rep.Totals.MemAccess)
			}
		}
	}
	return rep
}

func shapes(g *arch.Graph, ts []arch.TensorID) []arch.Shape {
	out := make([]arch.Shape, len(ts))
	for i, t := range ts {
		out[i] = g.Tensors[t].Shape
	}
	return out
}

func opRow(g *arch.Graph, op *arch.Op) Row {
	r := Row{
		ID: op.ID, Kind: op.Kind, Stage: op.Stage, Unit: op.Unit, Category: CategoryOf(g, op),
		In: shapes(g, op.Inputs), Out: shapes(g, op.Outputs),
		MultAdds: MultAdds(g, op), AuxFLOPs: AuxFLOPs(g, op), Params: g.ParamCount(op),
		MemAccess: MemAccess(g, op), G1: G1(g, op), OpIndex: []int{op.Index},
	}
	r.Bytes = r.MemAccess * BytesPerElement
	if r.Bytes > 0 {
		r.Intensity = float64(r.FLOPs()+r.AuxFLOPs) / float64(r.Bytes)
	}
	return r
}

// stepRow costs one plan step: MAdds and params of its ops; auxiliary FLOPs
// without batch norm (folded: one bias add per output instead); memory
// access of the tensors crossing the step boundary plus the weights it
// reads (folded batch norm becomes a bias of Cout). View steps cost nothing;
// a step that still copies (Step.Copies) reads and writes each copied
// element once.
func stepRow(g *arch.Graph, st arch.Step) Row {
	anchor := &g.Ops[st.Ops[0]]
	r := Row{ID: anchor.ID, Kind: anchor.Kind, View: st.View, Stage: anchor.Stage, Unit: anchor.Unit,
		Category: CategoryOf(g, anchor), OpIndex: append([]int(nil), st.Ops...)}
	in := map[int]bool{}
	for _, i := range st.Ops {
		in[i] = true
		op := &g.Ops[i]
		r.Covers = append(r.Covers, op.ID)
		r.MultAdds += MultAdds(g, op)
		r.Params += g.ParamCount(op)
	}
	r.In = shapes(g, anchor.Inputs)
	last := &g.Ops[st.Ops[len(st.Ops)-1]]
	r.Out = shapes(g, last.Outputs)
	if st.View {
		return r
	}
	if len(st.Copies) > 0 {
		for _, t := range st.Copies {
			r.MemAccess += 2 * g.Tensors[t].Shape.Elems()
		}
		r.Bytes = r.MemAccess * BytesPerElement
		return r
	}
	folded := false
	for _, i := range st.Ops {
		op := &g.Ops[i]
		if op.Kind == arch.OpBatchNorm && len(st.Ops) > 1 {
			// Folded into the anchor: no FLOPs or parameters of its own
			// (the bias is added below), but a step that ends in it still
			// writes its output.
			folded = true
		} else {
			r.AuxFLOPs += AuxFLOPs(g, op)
			r.MemAccess += WeightElems(g, op)
		}
		for _, t := range op.Inputs {
			if p := g.Tensors[t].Producer; p < 0 || !in[p] {
				r.MemAccess += g.Tensors[t].Shape.Elems()
			}
		}
		for _, t := range op.Outputs {
			external := t == g.Output
			for _, c := range g.Tensors[t].Consumers {
				if !in[c] {
					external = true
				}
			}
			if external {
				r.MemAccess += g.Tensors[t].Shape.Elems()
			}
		}
	}
	if folded {
		oc := int64(r.Out[0].C)
		if !anchor.Conv.Bias {
			r.MemAccess += oc // the folded bias vector
			r.AuxFLOPs += r.Out[0].Elems()
		}
	}
	if anchor.Kind == arch.OpConv {
		r.G1 = G1(g, anchor)
	}
	r.Bytes = r.MemAccess * BytesPerElement
	if r.Bytes > 0 {
		r.Intensity = float64(r.FLOPs()+r.AuxFLOPs) / float64(r.Bytes)
	}
	return r
}
