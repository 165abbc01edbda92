package guideline

import (
	"fmt"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/runner/stats"
)

// Margin is the least relative speed difference counted as a difference:
// repeated ~1 s measurements of one design on this shared 2-core machine
// vary by a few percent, so smaller gaps are noise.
const Margin = 0.03

// Outcome is whether a paper ordering was reproduced.
type Outcome string

// Outcomes of a verdict.
const (
	Holds    Outcome = "holds"         // extremes ordered as in the paper and ranks agree (tau-b > 0)
	Weak     Outcome = "weak"          // only one of the two
	NotHeld  Outcome = "does not hold" // neither, or the paper's fastest is slower here
	Unknown  Outcome = "not measured"
	noSeries Outcome = "no paper data"
)

// Verdict compares the local ordering of one scale column with a paper
// series.
type Verdict struct {
	Scale   int
	Against Series
	// Tau is Kendall's tau-b between the local and the paper's speeds.
	Tau float64
	// PaperFastest and PaperSlowest are the labels of the paper's fastest
	// and slowest rows; Ratio is the local speed of the first over the
	// second (> 1: the paper's extremes keep their order here).
	PaperFastest, PaperSlowest string
	Ratio                      float64
	// LocalFirstVsWorst is the local speed of the first row over the
	// slowest local row (>= 1), and LocalWorst that row's label.
	LocalFirstVsWorst float64
	LocalWorst        string
	Outcome           Outcome
}

// String is a one-line summary.
func (v Verdict) String() string {
	if v.Outcome == Unknown || v.Outcome == noSeries {
		return fmt.Sprintf("x%d vs %s: %s", v.Scale, v.Against, v.Outcome)
	}
	return fmt.Sprintf("x%d vs %s: %s (tau-b %+.2f; paper's fastest %q is %.2fx the speed of its slowest %q here)",
		v.Scale, v.Against, v.Outcome, v.Tau, v.PaperFastest, v.Ratio, v.PaperSlowest)
}

// Verdicts compares every scale column with the paper series (the
// platform's first, then the other).
func (t Table) Verdicts() []Verdict {
	order := []Series{PaperARM, PaperGPU}
	if t.Platform == GPU {
		order = []Series{PaperGPU, PaperARM}
	}
	var out []Verdict
	for _, s := range order {
		for j, k := range t.Scales {
			v := Judge(t.Speeds(Local, j), t.Speeds(s, j), labels(t))
			v.Scale, v.Against = k, s
			out = append(out, v)
		}
	}
	return out
}

func labels(t Table) []string {
	out := make([]string, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = r.Label
	}
	return out
}

// Judge compares local speeds with paper speeds of the same rows (higher
// is faster). Rows with a missing value (0) make it Unknown / no paper data.
func Judge(local, paper []float64, labels []string) Verdict {
	var v Verdict
	for i := range local {
		if !(local[i] > 0) {
			v.Outcome = Unknown
			return v
		}
		if !(paper[i] > 0) {
			v.Outcome = noSeries
			return v
		}
	}
	if len(local) < 2 {
		v.Outcome = Unknown
		return v
	}
	fast, slow := 0, 0
	for i, p := range paper {
		if p > paper[fast] {
			fast = i
		}
		if p <= paper[slow] {
			slow = i
		}
	}
	worst := 0
	for i, l := range local {
		if l < local[worst] {
			worst = i
		}
	}
	v.PaperFastest, v.PaperSlowest = labels[fast], labels[slow]
	v.Ratio = local[fast] / local[slow]
	v.LocalWorst = labels[worst]
	v.LocalFirstVsWorst = local[0] / local[worst]
	// Tau-b is undefined (an error) when a side is all ties (or holds an
	// infinity); Tau stays 0 then: no agreement.
	if tau, err := stats.KendallTauB(local, paper); err == nil {
		v.Tau = tau
	}
	ordered := v.Ratio >= 1+Margin
	agree := v.Tau > 0
	switch {
	case v.Ratio <= 1-Margin:
		v.Outcome = NotHeld
	case ordered && agree:
		v.Outcome = Holds
	case ordered || agree:
		v.Outcome = Weak
	default:
		v.Outcome = NotHeld
	}
	return v
}

// totalMAdds is the network's MAdds (graph as written).
func totalMAdds(g *arch.Graph) int64 { return cost.Analyze(g, nil).Totals.MultAdds }
