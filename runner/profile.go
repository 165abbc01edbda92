package runner

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/runner/stats"
)

// ExtraStage is the stage of extra steps (see JoinProfile) when no step of
// the profile has a cost row to take the stage from.
const ExtraStage = "extra"

// Profile joins measured step times to the analytic cost report: per op (or
// per fused step) time beside MAdds and MAC, and per category and per stage
// the time share beside the MAdds share and the MAC share (the paper's
// Fig. 2 on the local machine).
type Profile struct {
	View       cost.View `json:"view"`     // the cost view the rows follow
	TotalNanos int64     `json:"total_ns"` // sum of every step's time
	// MultAdds is the report's total MAdds and GFLOPS the achieved 2*MAdds
	// per nanosecond over TotalNanos (0 without time or MAdds).
	MultAdds   int64          `json:"madds"`
	GFLOPS     float64        `json:"gflops"`
	Rows       []ProfileRow   `json:"ops"` // one per cost report row, in report order
	Categories []ProfileGroup `json:"categories"`
	Stages     []ProfileGroup `json:"stages"`
	// Extra lists the steps that are not attributed to a cost row: steps
	// covering no op (a layout conversion, a copy the plan needed), or
	// naming op IDs the graph does not have. Their time counts in the
	// data-movement category and in the stage of the step run before them.
	Extra []ExtraStep `json:"extra,omitempty"`
}

// ProfileRow is one cost report row with its measured time.
type ProfileRow struct {
	ID       string        `json:"id"`
	Kind     arch.OpKind   `json:"kind"`
	Stage    string        `json:"stage"`
	Category cost.Category `json:"category"`
	// Covers lists every op whose time is in this row: the row's own ops and
	// those of any measured step anchored here (a fused kernel).
	Covers []string `json:"covers,omitempty"`
	// FusedInto names the row that holds this row's time when a measured
	// step anchored elsewhere covered it (as-written view of a fused run).
	FusedInto string  `json:"fused_into,omitempty"`
	Steps     int     `json:"steps"` // measured steps attributed to the row
	Nanos     int64   `json:"ns"`
	TimeShare float64 `json:"time_share"`
	MultAdds  int64   `json:"madds"`
	MemAccess int64   `json:"mem_access"`
	Bytes     int64   `json:"bytes"`
	// GFLOPS is the achieved 2*MAdds per nanosecond (0 without time).
	GFLOPS float64 `json:"gflops"`
	// GBPerS is the achieved bytes (the row's MAC x 4) per nanosecond.
	GBPerS float64 `json:"gbytes_per_s"`
	// Kernel names what ran the row's steps where the backend says
	// (StepTime.Kernel; several distinct ones joined by " | ").
	Kernel string `json:"kernel,omitempty"`
}

// ProfileGroup is a category or stage total.
type ProfileGroup struct {
	Name           string  `json:"name"`
	Nanos          int64   `json:"ns"`
	TimeShare      float64 `json:"time_share"`
	MultAdds       int64   `json:"madds"`
	MultAddsShare  float64 `json:"madds_share"`
	MemAccess      int64   `json:"mem_access"`
	MemAccessShare float64 `json:"mem_access_share"`
	// GFLOPS is the achieved 2*MAdds per nanosecond (0 without time or
	// MAdds).
	GFLOPS float64 `json:"gflops"`
}

// ExtraStep is a measured step attributed to no cost row.
type ExtraStep struct {
	Name   string   `json:"name"`
	Ops    []string `json:"ops,omitempty"`
	Nanos  int64    `json:"ns"`
	Stage  string   `json:"stage"` // the stage its time is counted in
	Reason string   `json:"reason"`
}

// JoinProfile attributes measured steps to the rows of rep, a cost report of
// g in either view. A step goes to the row that holds its anchor op (Ops[0]);
// the row then also lists every op the step covers, and rows of other covered
// ops point to it with FusedInto. Steps with no ops, or whose anchor is not
// in g, are extra work: listed in Extra and summed under the data-movement
// category and under the stage of the nearest preceding attributed step (the
// following one for extra work before any). Several steps landing on one row
// (an eager run joined to the fused view) add up.
func JoinProfile(rep cost.Report, g *arch.Graph, steps []StepTime) Profile {
	pr := Profile{View: rep.View, Rows: make([]ProfileRow, len(rep.Rows)), MultAdds: rep.Totals.MultAdds}
	opRow := map[string]int{} // op ID -> row index
	for i, r := range rep.Rows {
		pr.Rows[i] = ProfileRow{ID: r.ID, Kind: r.Kind, Stage: r.Stage, Category: r.Category,
			Covers: slices.Clone(r.Covers), MultAdds: r.MultAdds, MemAccess: r.MemAccess, Bytes: r.Bytes}
		for _, oi := range r.OpIndex {
			if oi >= 0 && oi < len(g.Ops) {
				opRow[g.Ops[oi].ID] = i
			}
		}
		if len(r.OpIndex) == 0 {
			opRow[r.ID] = i
		}
		for _, id := range r.Covers {
			opRow[id] = i
		}
	}
	// First pass: the row of every step (-1 for extra work).
	stepRow := make([]int, len(steps))
	for i, st := range steps {
		stepRow[i] = -1
		if len(st.Ops) > 0 {
			if ri, ok := opRow[st.Ops[0]]; ok {
				stepRow[i] = ri
			}
		}
	}
	extraStage := map[string]int64{} // stage -> nanos of extra steps
	for i, st := range steps {
		pr.TotalNanos += st.Nanos
		ri := stepRow[i]
		if ri < 0 {
			e := ExtraStep{Name: st.Name, Ops: slices.Clone(st.Ops), Nanos: st.Nanos, Stage: neighbourStage(rep, stepRow, i)}
			if len(st.Ops) == 0 {
				e.Reason = "covers no graph op"
			} else {
				e.Reason = fmt.Sprintf("anchor op %q is not in the graph", st.Ops[0])
			}
			pr.Extra = append(pr.Extra, e)
			extraStage[e.Stage] += st.Nanos
			continue
		}
		row := &pr.Rows[ri]
		row.Nanos += st.Nanos
		row.Steps++
		if st.Kernel != "" && !slices.Contains(strings.Split(row.Kernel, " | "), st.Kernel) {
			if row.Kernel != "" {
				row.Kernel += " | "
			}
			row.Kernel += st.Kernel
		}
		if len(row.Covers) == 0 {
			row.Covers = append(row.Covers, row.ID)
		}
		for _, id := range st.Ops {
			if !slices.Contains(row.Covers, id) {
				row.Covers = append(row.Covers, id)
			}
			if oi, ok := opRow[id]; ok && oi != ri && pr.Rows[oi].FusedInto == "" {
				pr.Rows[oi].FusedInto = row.ID
			}
		}
	}
	for i := range pr.Rows {
		r := &pr.Rows[i]
		// A row covering only itself needs no list.
		if len(r.Covers) == 1 && r.Covers[0] == r.ID {
			r.Covers = nil
		}
		r.TimeShare = share(r.Nanos, pr.TotalNanos)
		r.GFLOPS = gflops(r.MultAdds, r.Nanos)
		if r.Nanos > 0 {
			r.GBPerS = float64(r.Bytes) / float64(r.Nanos)
		}
	}
	pr.GFLOPS = gflops(pr.MultAdds, pr.TotalNanos)

	// Categories: the report's MAdds and MAC totals beside summed time.
	catIdx := map[string]int{}
	for _, c := range rep.Categories {
		catIdx[c.Name] = len(pr.Categories)
		pr.Categories = append(pr.Categories, ProfileGroup{Name: c.Name, MultAdds: c.MultAdds, MultAddsShare: c.MultAddsShare,
			MemAccess: c.MemAccess, MemAccessShare: c.MemAccessShare})
	}
	stageIdx := map[string]int{}
	for _, s := range rep.Stages {
		stageIdx[s.Name] = len(pr.Stages)
		pr.Stages = append(pr.Stages, ProfileGroup{Name: s.Name, MultAdds: s.MultAdds, MultAddsShare: s.MultAddsShare,
			MemAccess: s.MemAccess, MemAccessShare: s.MemAccessShare})
	}
	group := func(gs *[]ProfileGroup, idx map[string]int, name string) *ProfileGroup {
		i, ok := idx[name]
		if !ok {
			i = len(*gs)
			idx[name] = i
			*gs = append(*gs, ProfileGroup{Name: name})
		}
		return &(*gs)[i]
	}
	for _, r := range pr.Rows {
		group(&pr.Categories, catIdx, string(r.Category)).Nanos += r.Nanos
		group(&pr.Stages, stageIdx, r.Stage).Nanos += r.Nanos
	}
	for _, e := range pr.Extra {
		group(&pr.Categories, catIdx, string(cost.CatDataMovement)).Nanos += e.Nanos
	}
	for _, name := range slices.Sorted(maps.Keys(extraStage)) {
		group(&pr.Stages, stageIdx, name).Nanos += extraStage[name]
	}
	for _, gs := range [][]ProfileGroup{pr.Categories, pr.Stages} {
		for i := range gs {
			gs[i].TimeShare = share(gs[i].Nanos, pr.TotalNanos)
			gs[i].GFLOPS = gflops(gs[i].MultAdds, gs[i].Nanos)
		}
	}
	return pr
}

// gflops is the achieved rate of madds multiply-adds in ns nanoseconds:
// 2*madds/ns GFLOP/s, 0 without time.
func gflops(madds, ns int64) float64 {
	if ns <= 0 {
		return 0
	}
	return float64(2*madds) / float64(ns)
}

// ProfileOf joins steps profiled in mode to the cost view that mode
// executes: the fused plan for Fused, the graph as written for Eager. It is
// the one join of `explorer run --profile`, sweeps, the interactive
// explorer's run pane and its export.
func ProfileOf(g *arch.Graph, mode Mode, steps []StepTime) Profile {
	var plan *arch.Plan
	if mode == Fused {
		p := arch.FusedPlan(g)
		plan = &p
	}
	return JoinProfile(cost.Analyze(g, plan), g, steps)
}

// neighbourStage is the stage of extra step i: that of the nearest
// preceding step with a row, else of the nearest following one, else
// ExtraStage.
func neighbourStage(rep cost.Report, stepRow []int, i int) string {
	for j := i - 1; j >= 0; j-- {
		if stepRow[j] >= 0 {
			return rep.Rows[stepRow[j]].Stage
		}
	}
	for j := i + 1; j < len(stepRow); j++ {
		if stepRow[j] >= 0 {
			return rep.Rows[stepRow[j]].Stage
		}
	}
	return ExtraStage
}

func share(part, total int64) float64 {
	if total <= 0 {
		return 0
	}
	return float64(part) / float64(total)
}

// ExtraNanos is the time of the extra steps (Extra), summed.
func (p Profile) ExtraNanos() int64 {
	var n int64
	for _, e := range p.Extra {
		n += e.Nanos
	}
	return n
}

// TopExtra returns up to n extra steps with the most time, longest first
// (ties in run order).
func (p Profile) TopExtra(n int) []ExtraStep {
	ex := slices.Clone(p.Extra)
	slices.SortStableFunc(ex, func(a, b ExtraStep) int { return cmp.Compare(b.Nanos, a.Nanos) })
	return ex[:min(max(n, 0), len(ex))]
}

// Top returns up to n rows with the most time, longest first (ties in
// report order).
func (p Profile) Top(n int) []ProfileRow {
	rows := slices.Clone(p.Rows)
	slices.SortStableFunc(rows, func(a, b ProfileRow) int { return cmp.Compare(b.Nanos, a.Nanos) })
	return rows[:min(max(n, 0), len(rows))]
}

// ProfileSteps runs p.Profile runs times (at least once) and returns, per
// step, the median of its times over the runs, so one slow run does not
// dominate the profile. Every run must execute the same steps.
func ProfileSteps(ctx context.Context, p Program, input, output []float32, runs int) ([]StepTime, error) {
	runs = max(runs, 1)
	var first []StepTime
	var times [][]float64 // per step, one time per run
	for r := 0; r < runs; r++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("profile run %d: %w", r+1, err)
		}
		st, err := p.Profile(ctx, input, output)
		if err != nil {
			return nil, fmt.Errorf("profile run %d: %w", r+1, err)
		}
		if r == 0 {
			first = st
			times = make([][]float64, len(st))
		}
		if len(st) != len(first) {
			return nil, fmt.Errorf("profile run %d: %d steps, the first run had %d", r+1, len(st), len(first))
		}
		for i, s := range st {
			if s.Name != first[i].Name {
				return nil, fmt.Errorf("profile run %d: step %d is %q, the first run had %q", r+1, i, s.Name, first[i].Name)
			}
			times[i] = append(times[i], float64(s.Nanos))
		}
	}
	out := make([]StepTime, len(first))
	for i, s := range first {
		out[i] = StepTime{Name: s.Name, Ops: slices.Clone(s.Ops), Nanos: int64(stats.Median(times[i])), Kernel: s.Kernel}
	}
	return out, nil
}
