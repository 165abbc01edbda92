package native

import (
	"fmt"
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
	)
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
			var copies []string
			for _, st := range plan.Steps {
				if len(st.Copies) > 0 {
					planSteps++
					copies = append(copies, fmt.Sprintf("%s%v", g.Ops[st.Ops[0]].ID, st.Copies))
				}
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
		})
	}
}
