package guideline

import (
	"fmt"
	"math"
	"strings"

	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/stats"
)

// Margin is the least relative speed difference counted as an effect when
// the rounds themselves vary less: repeated ~1 s measurements of one design
// on a shared 2-core machine vary by a few percent, so smaller gaps are
// noise. A verdict's margin is the larger of this and the measured
// round-to-round spread of the two designs it compares.
const Margin = 0.03

// Outcome is whether the paper's claim was reproduced.
type Outcome string

// Outcomes of a verdict.
const (
	// Holds: the paper's faster design is faster here by more than the
	// noise margin, in every round.
	Holds Outcome = "holds"
	// Weak: the difference is within the noise margin, or the rounds
	// disagree on its direction.
	Weak Outcome = "weak"
	// NotHeld: the paper's slower design is faster here by more than the
	// noise margin, in every round.
	NotHeld Outcome = "does not hold"
	// Unknown: a design of the comparison was not measured.
	Unknown Outcome = "not measured"
	// NoPaper: the paper gives no two different speeds to compare.
	NoPaper Outcome = "no paper ordering"
)

// Effect is the paper's claim measured in one execution mode: how much
// faster the paper's fastest design (Verdict.Fast) runs here than its
// slowest (Verdict.Slow).
type Effect struct {
	Mode runner.Mode
	// Ratio is the local speed of Fast over Slow, each at its fastest
	// round (> 1: the paper's direction).
	Ratio float64
	// Lo and Hi are the lowest and highest ratio of a single round (the
	// rows are measured round-robin, so round k of both is comparable);
	// both equal Ratio with one round.
	Lo, Hi float64
	Rounds int
	// Margin is the noise margin: the larger of [Margin] and the
	// round-to-round spread ((slowest - fastest) / fastest) of either design.
	Margin  float64
	Outcome Outcome
}

// Percent is the effect as a speed-up in percent ((Ratio - 1) x 100).
func (e Effect) Percent() float64 { return (e.Ratio - 1) * 100 }

// Verdict says whether the paper's claim of one scale column holds on this
// machine. The claim is the paper's own extremes: its fastest row is faster
// than its slowest (G1: 1:1 vs 1:12; G2: g=1 vs g=8; G4: neither vs
// ReLU+shortcut). Show [Verdict.Sentence]; the fields are for tables and
// tests.
type Verdict struct {
	ID    string // experiment, e.g. "G1"
	Scale int    // channel scale of the column (1 for whole networks)
	Whole bool   // a whole-network comparison (no scale shown)
	// Against is the paper series the claim is taken from (the table's
	// platform when it has the data), PaperRatio its speed of Fast over Slow.
	Against    Series
	PaperRatio float64
	// Other and OtherRatio are the other paper series' ratio of the same
	// two rows (0 when the paper has no data).
	Other      Series
	OtherRatio float64
	// Fast and Slow are the labels of the paper's fastest and slowest row;
	// they always differ unless Outcome is NoPaper.
	Fast, Slow string
	// Effects holds the claim per measured mode, in Table.Modes order.
	Effects []Effect
	// Outcome is the first effect's (eager when both modes were measured).
	Outcome Outcome
	// Tau is Kendall's tau-b of the first mode's local speeds against the
	// paper series over all rows (NaN when undefined, e.g. all speeds equal).
	Tau float64
	// FusionRemoves is the fraction of the eager effect that the fused mode
	// removes, 1 - (fused ratio - 1) / (eager ratio - 1); NaN unless both
	// modes were measured and the eager effect exceeds its noise margin.
	FusionRemoves float64
}

// Verdicts is one verdict per scale column.
func (t Table) Verdicts() []Verdict {
	out := make([]Verdict, len(t.Scales))
	for j := range t.Scales {
		out[j] = t.Verdict(j)
	}
	return out
}

// Verdict judges scale column j: the paper's fastest and slowest rows (of
// the table's platform series, or the other series when it lacks data)
// against the local speeds of every measured mode.
func (t Table) Verdict(j int) Verdict {
	v := Verdict{ID: t.ID, Scale: t.Scales[j], Whole: t.Whole, Tau: math.NaN(), FusionRemoves: math.NaN()}
	v.Against, v.Other = PaperARM, PaperGPU
	if t.Platform == GPU {
		v.Against, v.Other = PaperGPU, PaperARM
	}
	fast, slow := extremes(t.Speeds(v.Against, j))
	if fast < 0 {
		v.Against, v.Other = v.Other, v.Against
		fast, slow = extremes(t.Speeds(v.Against, j))
	}
	if fast < 0 {
		v.Outcome = NoPaper
		return v
	}
	paper := t.Speeds(v.Against, j)
	v.Fast, v.Slow = t.Rows[fast].Label, t.Rows[slow].Label
	v.PaperRatio = paper[fast] / paper[slow]
	if other := t.Speeds(v.Other, j); other[fast] > 0 && other[slow] > 0 {
		v.OtherRatio = other[fast] / other[slow]
	}
	var eager, fused *Effect
	for m, mode := range t.modes() {
		e := effect(t.Rows[fast], t.Rows[slow], m, j)
		e.Mode = mode
		v.Effects = append(v.Effects, e)
	}
	for i := range v.Effects {
		switch v.Effects[i].Mode {
		case runner.Eager:
			eager = &v.Effects[i]
		case runner.Fused:
			fused = &v.Effects[i]
		}
	}
	v.Outcome = v.Effects[0].Outcome
	if eager != nil && fused != nil && eager.Outcome != Unknown && fused.Outcome != Unknown && eager.Ratio-1 > eager.Margin {
		v.FusionRemoves = 1 - (fused.Ratio-1)/(eager.Ratio-1)
	}
	if v.Outcome != Unknown {
		var local, ref []float64
		speeds := t.ModeSpeeds(0, j)
		for i := range paper {
			if paper[i] > 0 {
				local, ref = append(local, speeds[i]), append(ref, paper[i])
			}
		}
		if tau, err := stats.KendallTauB(local, ref); err == nil {
			v.Tau = tau
		}
	}
	return v
}

// extremes returns the indices of the largest and the smallest positive
// speed (the first of equals), or -1, -1 when fewer than two rows have one
// or all are equal.
func extremes(speeds []float64) (fast, slow int) {
	fast, slow = -1, -1
	for i, s := range speeds {
		if !(s > 0) {
			continue
		}
		if fast < 0 || s > speeds[fast] {
			fast = i
		}
		if slow < 0 || s < speeds[slow] {
			slow = i
		}
	}
	if fast < 0 || speeds[fast] == speeds[slow] {
		return -1, -1
	}
	return fast, slow
}

// effect measures the claim "fast is faster than slow" in mode m at scale
// column j.
func effect(fast, slow Row, m, j int) Effect {
	e := Effect{Outcome: Unknown}
	fr, sr := fast.RoundsMS(m, j), slow.RoundsMS(m, j)
	if len(fr) == 0 || len(sr) == 0 {
		return e
	}
	bf, bs := float64(max(fast.Specs[j].Batch, 1)), float64(max(slow.Specs[j].Batch, 1))
	ratio := func(fms, sms float64) float64 { return (bf / fms) / (bs / sms) }
	e.Ratio = ratio(fast.BestMS(m, j), slow.BestMS(m, j))
	e.Rounds = min(len(fr), len(sr))
	e.Lo, e.Hi = math.Inf(1), math.Inf(-1)
	for k := range e.Rounds {
		r := ratio(fr[k], sr[k])
		e.Lo, e.Hi = math.Min(e.Lo, r), math.Max(e.Hi, r)
	}
	e.Margin = max(Margin, spread(fr), spread(sr))
	// The boundaries are inclusive up to rounding: 100 against 97 ms is a
	// ratio of 0.97000000000000008 in floating point, and "<= 1 - margin"
	// means 0.97 for a 3% margin.
	const ulps = 1e-12
	switch {
	case e.Ratio >= 1+e.Margin-ulps && e.Lo > 1:
		e.Outcome = Holds
	case e.Ratio <= 1-e.Margin+ulps && e.Hi < 1:
		e.Outcome = NotHeld
	default:
		e.Outcome = Weak
	}
	return e
}

// spread is (max - min) / min of positive values, 0 for fewer than two.
func spread(ms []float64) float64 {
	if len(ms) < 2 {
		return 0
	}
	lo, hi := ms[0], ms[0]
	for _, x := range ms {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return (hi - lo) / lo
}

// Column names the scale column for a line of text: "x2", or the
// experiment ID for a whole-network table.
func (v Verdict) Column() string {
	if v.Whole {
		return v.ID
	}
	return fmt.Sprintf("x%d", v.Scale)
}

// String is the verdict for a list: the column, then [Verdict.Sentence].
func (v Verdict) String() string { return v.Column() + " " + v.Sentence() }

// Headline is the outcome in words, e.g. "holds", "weak", or for eager and
// fused "holds in eager execution by 21%; fusion removes 85% of it" (or,
// when the eager effect is within the noise, "weak in eager execution,
// weak fused").
func (v Verdict) Headline() string {
	eager, fused, both := v.modePair()
	if !both || v.Outcome == NoPaper || v.Outcome == Unknown {
		return string(v.Outcome)
	}
	h := string(eager.Outcome) + " in eager execution"
	if eager.Outcome == Holds {
		h += fmt.Sprintf(" by %.0f%%", eager.Percent())
	}
	switch {
	case fused.Outcome == Unknown:
	case !math.IsNaN(v.FusionRemoves) && v.FusionRemoves > 1 && fused.Outcome == NotHeld:
		// Fused, the paper's slower design is the faster one.
		h += "; fusion removes all of it and reverses the order"
	case !math.IsNaN(v.FusionRemoves) && v.FusionRemoves > 1:
		h += "; fusion removes all of it"
	case !math.IsNaN(v.FusionRemoves) && v.FusionRemoves >= 0:
		h += fmt.Sprintf("; fusion removes %.0f%% of it", 100*v.FusionRemoves)
	case !math.IsNaN(v.FusionRemoves):
		h += fmt.Sprintf("; fusion widens it by %.0f%%", -100*v.FusionRemoves)
	default:
		h += fmt.Sprintf(", %s fused", fused.Outcome)
	}
	return h
}

// modePair returns the eager and fused effects when both were measured.
func (v Verdict) modePair() (eager, fused Effect, ok bool) {
	var e, f bool
	for _, x := range v.Effects {
		switch x.Mode {
		case runner.Eager:
			eager, e = x, true
		case runner.Fused:
			fused, f = x, true
		}
	}
	return eager, fused, e && f
}

// Sentence is the verdict in one sentence for a student: the outcome, the
// measured ratio of the paper's fastest over its slowest design with its
// spread over rounds and the noise margin, and the paper's own ratio.
// It never compares a row with itself. Example:
//
//	holds: "1:1" runs 1.26x the speed of "1:12" (rounds 1.22-1.29x, noise margin 3%); paper ARM 1.32x, GPU 1.98x.
func (v Verdict) Sentence() string {
	switch v.Outcome {
	case NoPaper:
		return "no paper ordering: the paper gives no two different speeds to compare."
	case Unknown:
		return fmt.Sprintf("not measured: %q and %q need a local speed.", v.Fast, v.Slow)
	}
	var b strings.Builder
	b.WriteString(v.Headline())
	b.WriteString(": ")
	_, _, both := v.modePair()
	// Later effects give their numbers in the first one's direction: when
	// the first is worded the reverse of the paper, so are they.
	inverted := v.Effects[0].Outcome == NotHeld
	for i, e := range v.Effects {
		if i > 0 {
			b.WriteString("; ")
		}
		mode := ""
		if both || len(v.Effects) > 1 {
			mode = " " + string(e.Mode)
		}
		b.WriteString(v.effectWords(e, mode, i == 0, inverted))
	}
	fmt.Fprintf(&b, "; paper %s %.2fx", shortSeries(v.Against), v.PaperRatio)
	if v.OtherRatio > 0 {
		fmt.Fprintf(&b, ", %s %.2fx", shortSeries(v.Other), v.OtherRatio)
	}
	if v.Outcome == Holds && !math.IsNaN(v.Tau) && v.Tau <= 0 {
		fmt.Fprintf(&b, "; the other rows do not follow the paper's order (tau-b %+.2f)", v.Tau)
	}
	b.WriteString(".")
	return b.String()
}

// effectWords is one effect: "“a” runs 1.26x the speed of “b” (rounds ...)".
// full names both designs; later effects of the same pair only give the
// numbers, inverted when the first effect was worded the reverse of the
// paper (slow over fast).
func (v Verdict) effectWords(e Effect, mode string, full, inverted bool) string {
	if e.Outcome == Unknown {
		return strings.TrimSpace(mode) + " not measured"
	}
	rounds := fmt.Sprintf("rounds %.2f-%.2fx", e.Lo, e.Hi)
	if e.Rounds == 1 {
		rounds = "1 round"
	}
	noise := fmt.Sprintf("noise margin %.0f%%", 100*e.Margin)
	if !full {
		if inverted {
			return fmt.Sprintf("%s %.2fx (%s, %s)", strings.TrimSpace(mode), 1/e.Ratio, invRounds(e), noise)
		}
		return fmt.Sprintf("%s %.2fx (%s, %s)", strings.TrimSpace(mode), e.Ratio, rounds, noise)
	}
	if e.Outcome == NotHeld {
		return fmt.Sprintf("%q runs %.2fx the speed of %q%s (%s, %s), the reverse of the paper",
			v.Slow, 1/e.Ratio, v.Fast, mode, invRounds(e), noise)
	}
	s := fmt.Sprintf("%q runs %.2fx the speed of %q%s (%s, %s)", v.Fast, e.Ratio, v.Slow, mode, rounds, noise)
	if e.Outcome == Weak {
		if math.Abs(e.Ratio-1) < e.Margin {
			s += ", within the noise"
		} else {
			s += ", but the rounds disagree"
		}
	}
	return s
}

// invRounds is the rounds' spread of the inverse ratio.
func invRounds(e Effect) string {
	if e.Rounds == 1 {
		return "1 round"
	}
	return fmt.Sprintf("rounds %.2f-%.2fx", 1/e.Hi, 1/e.Lo)
}

// shortSeries is "ARM" or "GPU".
func shortSeries(s Series) string { return strings.TrimPrefix(string(s), "paper ") }
