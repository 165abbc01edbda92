package native

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner/weights"
)

// TestFusedCopiesMatchCostView: the fused cost view (arch.FusedPlan's
// Step.Copies, costed by package cost) counts exactly the copies the
// compiled fused program runs: as many copy steps, and MAC = 2 x the
// elements they move (each read once and written once). Every preset and
// guideline micro-network, plus knob variants that change where shuffles
// fold (split ratio, groups, depths, batch).
func TestFusedCopiesMatchCostView(t *testing.T) {
	var specs []arch.Spec
	all, err := presets.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range all {
		specs = append(specs, pr.Design)
	}
	specs = append(specs,
		arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Split: 0.3},
		arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Split: 0.7},
		arch.Spec{Family: arch.ShuffleNetV2, Width: 1.3, Layout: arch.LayoutMegvii, Res: 160},
		arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Groups: 2},
		arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Groups: 3, Depths: []int{1, 2, 1}, Batch: 2, Res: 64},
		arch.Spec{Family: arch.ShuffleNetV1, Width: 0.5, Groups: 2, Depths: []int{2, 1, 3}},
		arch.Spec{Family: arch.ShuffleNetV1, Width: 1, Groups: 1},
		arch.Spec{Family: arch.GuideG1, C1: 32, C2: 32},
		arch.Spec{Family: arch.GuideG2, C: 64, Groups: 4},
		arch.Spec{Family: arch.GuideG3, C: 64, Fragments: 4, Parallel: true},
		arch.Spec{Family: arch.GuideG3, C: 64, Fragments: 2},
		arch.Spec{Family: arch.GuideG4, C: 32},
		// Split != 0.5 with groups > 1 (audit: the engine absorbed shuffles
		// into group convs the plan copied, and copied concat inputs the
		// plan wrote in place).
		arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Split: 0.9, Groups: 2},
		arch.Spec{Family: arch.ShuffleNetV2, Width: 1, Split: 0.3, Groups: 2},
		arch.Spec{Family: arch.ShuffleNetV2, Width: 1.3, Split: 0.9, Groups: 4, Res: 32},
		arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Split: 0.3, Groups: 4, Depths: []int{2, 1, 1}, Res: 40, Classes: 7},
	)
	// Random ShuffleNetV2 knobs where shuffles meet splits and groups; on
	// ten that copy a shuffle the engine must also compute what the
	// reference computes.
	r := rand.New(rand.NewPCG(13, 14))
	splits := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}
	groups := []int{1, 2, 3, 4, 8}
	random := map[string]bool{}
	for len(random) < 40 {
		s := arch.Spec{Family: arch.ShuffleNetV2, Width: 0.25 * float64(1+r.IntN(6)), Split: splits[r.IntN(len(splits))],
			Groups: groups[r.IntN(len(groups))], Depths: []int{1 + r.IntN(3), 1 + r.IntN(3), 1 + r.IntN(3)}, Res: 32}
		if _, err := arch.Build(s); err == nil && !random[s.String()] {
			random[s.String()] = true
			specs = append(specs, s)
		}
	}
	checked := 0
	for _, s := range specs {
		t.Run(s.String(), func(t *testing.T) {
			g, err := arch.Build(s)
			if err != nil {
				t.Fatal(err)
			}
			pl := newPlanner(g, weights.Random(g, 1), true, new([]float32), new([]float32))
			if err := pl.build(); err != nil {
				t.Fatal(err)
			}
			var steps int
			var moved int64
			var names []string
			for _, e := range pl.steps {
				cs, ok := e.s.(*copyStep)
				if !ok {
					continue
				}
				steps++
				for _, m := range cs.moves {
					moved += int64(cs.pixels * len(m.src.pos))
				}
				names = append(names, e.name)
			}
			plan := arch.FusedPlan(g)
			var planSteps int
			var copies, anchors []string
			for _, st := range plan.Steps {
				if len(st.Copies) > 0 {
					planSteps++
					copies = append(copies, fmt.Sprintf("%s%v", g.Ops[st.Ops[0]].ID, st.Copies))
					anchors = append(anchors, g.Ops[st.Ops[0]].ID)
				}
			}
			// The same copies, not just as many: each engine copy step is
			// named after the op the plan anchors that copy to, in order.
			if !slices.Equal(names, anchors) {
				t.Errorf("engine copy steps %v, plan copies at %v", names, anchors)
			}
			var dm cost.Group
			for _, c := range cost.Analyze(g, &plan).Categories {
				if c.Name == string(cost.CatDataMovement) {
					dm = c
				}
			}
			if planSteps != steps || dm.MemAccess != 2*moved || dm.Steps != steps {
				t.Errorf("engine: %d copy steps moving %d elements %v; plan: %d steps %v, data-movement MAC %d in %d launches",
					steps, moved, names, planSteps, copies, dm.MemAccess, dm.Steps)
			}
			// The engine's copy of a shuffle the plan copies (rather than a
			// fold) computes the reference's result.
			copiesShuffle := false
			for _, st := range plan.Steps {
				copiesShuffle = copiesShuffle || g.Ops[st.Ops[0]].Kind == arch.OpShuffle && len(st.Copies) > 0
			}
			if random[s.String()] && copiesShuffle && checked < 10 {
				checked++
				checkAgainstReference(t, g, 7)
			}
		})
	}
	if checked < 10 {
		t.Errorf("only %d random designs copy a shuffle, want 10 checked against the reference", checked)
	}
}
