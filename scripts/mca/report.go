package main

import (
	"bytes"
	"fmt"

	"sort"
	"strings"
)

// gemmLoops are the GEMM inner loops the acceptance figure covers (issue 13: every NEON
// GEMM inner loop at >= 85% of the FMA issue rate on apple-m1 and neoverse-n1).
var gemmLoops = map[string]bool{}

func init() {
	for _, t := range gemmTiles {
		gemmLoops[t.fn+"/loop"] = true
	}
	gemmLoops["gemm1x16/loop1"] = true
}

// accept is the FMA-rate fraction the GEMM loops must reach on acceptCPUs.
const accept = 0.85

var acceptCPUs = []string{"apple-m1", "neoverse-n1"}

// fmaFrac is the fraction of the model's FMA issue rate a loop reaches (0 without FMLAs).
func fmaFrac(l *loop, r mcaResult, p peak) float64 {
	e := float64(l.count(isFMLAElem))
	v := float64(l.count(isFMLA)) - e
	if e+v == 0 {
		return 0
	}
	return (e/p.FMLAElem + v/p.FMLAVec) / r.Cycles
}

// resourceNames gives the llvm-mca 14 resource kinds of the Cortex-A57 and Cyclone models
// words (AArch64SchedA57.td, AArch64SchedCyclone.td).
var resourceNames = map[string]string{
	"A57UnitW": "FP/ASIMD", "A57UnitX": "FP/ASIMD", "A57UnitL": "load", "A57UnitS": "store",
	"A57UnitI": "integer", "A57UnitM": "integer multi-cycle", "A57UnitB": "branch",
	"CyUnitV": "vector", "CyUnitVM": "vector multiply", "CyUnitVC": "vector crypto",
	"CyUnitVD": "vector divide", "CyUnitLS": "load/store", "CyUnitI": "integer",
	"CyUnitIS": "integer shift", "CyUnitIM": "integer multiply", "CyUnitB": "branch",
	"CyUnitBR": "branch",
}

// bound names what limits a loop in a model: the busiest resource kind, or dispatch, or
// latency when the cycles exceed every throughput bound by more than 15%.
func bound(r mcaResult) string {
	name, top := "", 0.0
	for k, v := range r.Pressure {
		if v > top || (v == top && k < name) {
			name, top = k, v
		}
	}
	if d := r.UOps / r.Width; d > top {
		name, top = "dispatch", d
	}
	if r.Cycles > 1.15*top {
		return "latency"
	}
	if w, ok := resourceNames[name]; ok {
		return w
	}
	return name
}

// modelName is the LLVM scheduling model behind a result, from its resource names.
func modelName(r mcaResult) string {
	for k := range r.Pressure {
		switch {
		case strings.HasPrefix(k, "A57"):
			return "Cortex-A57"
		case strings.HasPrefix(k, "Cy"):
			return "Cyclone (Apple A7)"
		}
	}
	return "?"
}

func f1(v float64) string { return fmt.Sprintf("%.1f", v) }

// tableHead writes the header and rule of a markdown table: the lead
// columns, one column per core model of cpus (perCPU with %s for its name),
// then the trailing columns.
func tableHead(w *bytes.Buffer, lead []string, perCPU string, trail ...string) {
	cols := append([]string(nil), lead...)
	for _, c := range cpus {
		cols = append(cols, strings.Replace(perCPU, "%s", c.Name, 1))
	}
	cols = append(cols, trail...)
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(cols, " | "), strings.Repeat("---|", len(cols)))
}

func report(w *bytes.Buffer, loops []*loop, blocks []*block, peaks map[string]peak) {
	cpuIdx := map[string]int{}
	for i, c := range cpus {
		cpuIdx[c.Name] = i
	}
	ref := blocks[0]
	fmt.Fprintf(w, "\n### What the LLVM 14 models assume\n\n")
	fmt.Fprintf(w, "Measured with llvm-mca itself on 24 independent instructions (FMLA rates, LDR Q) and on a chain of 24 dependent FMLAs (latency).\n\n")
	fmt.Fprintf(w, "| -mcpu | scheduling model | dispatch width | FMLA by element / cycle | FMLA vector / cycle | FMLA latency | LDR Q / cycle | real core: 128-bit FMAs / cycle |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|\n")
	for i, c := range cpus {
		p := peaks[c.Name]
		real := "not stated"
		if c.Real > 0 {
			real = fmt.Sprintf("%g", c.Real)
		}
		fmt.Fprintf(w, "| %s | %s | %g | %.2f | %.2f | %.1f | %.2f | %s |\n", c.Name, modelName(ref.res[i]),
			p.Width, p.FMLAElem, p.FMLAVec, p.FMLALat, p.LoadQ, real)
	}

	fmt.Fprintf(w, "\n### Inner loops\n\n")
	fmt.Fprintf(w, "Per iteration of each innermost loop of every NEON assembly function: FMLA, load and store instructions; then per model the cycles per iteration and, for loops with FMLAs, the fraction of that model's FMA issue rate (by-element and vector FMLAs each at their own rate); the bound is the busiest resource, dispatch, or latency when the cycles exceed every throughput bound by >15%%.\n\n")
	tableHead(w, []string{"function / loop", "FMLA", "loads", "stores"}, "%s cycles (% FMA)", "bound (apple-m1; cortex-a76 etc.)")
	for _, l := range loops {
		if len(l.children) > 0 {
			continue
		}
		fmt.Fprintf(w, "| %s | %d | %d | %d |", l.key(), l.count(isFMLA), l.count(isLoad), l.count(isStore))
		for i, c := range cpus {
			r := l.res[i]
			if fr := fmaFrac(l, r, peaks[c.Name]); fr > 0 {
				fmt.Fprintf(w, " %s (%.0f%%) |", f1(r.Cycles), 100*fr)
			} else {
				fmt.Fprintf(w, " %s |", f1(r.Cycles))
			}
		}
		fmt.Fprintf(w, " %s; %s |\n", bound(l.res[cpuIdx["apple-m1"]]), bound(l.res[cpuIdx["cortex-a76"]]))
	}

	fmt.Fprintf(w, "\nGEMM inner loops against the %.0f%% target:", 100*accept)
	ok := true
	var keys []string
	for _, l := range loops {
		if gemmLoops[l.key()] {
			keys = append(keys, l.key())
		}
	}
	sort.Strings(keys)
	for _, name := range acceptCPUs {
		lo, at := 2.0, ""
		for _, l := range loops {
			if !gemmLoops[l.key()] {
				continue
			}
			i := cpuIdx[name]
			if fr := fmaFrac(l, l.res[i], peaks[name]); fr < lo {
				lo, at = fr, l.key()
			}
		}
		fmt.Fprintf(w, " %s lowest %.0f%% (%s);", name, 100*lo, at)
		ok = ok && lo >= accept
	}
	if ok {
		fmt.Fprintf(w, " all %d at or above the target.\n", len(keys))
	} else {
		fmt.Fprintf(w, " BELOW the target.\n")
	}
	if len(keys) != len(gemmLoops) {
		fmt.Fprintf(w, "\n(missing GEMM loops: found %v)\n", keys)
	}

	cats, err := shuffleNetV2Model()
	if err != nil {
		fmt.Fprintf(w, "\nmodel: %v\n", err)
		return
	}
	byKey := map[string]*block{}
	for _, b := range blocks {
		byKey[b.key] = b
	}
	fmt.Fprintf(w, "\n### Predicted ShuffleNetV2 1.0x latency, batch 1, one core (a prediction, not a measurement)\n\n")
	fmt.Fprintf(w, "Cycles = sum over the kernels' innermost loops (per iteration) and the straight-line code between their labels (per pass) of executions x llvm-mca cycles, the executions counted from the fused plan's layer shapes and the NEON wrappers' blocking (scripts/mca/model.go). The asm side of every call (%s calls) is in; the Go wrappers, the runner's thread hand-offs and the caches are not.\n\n", callsTotal(cats))
	tableHead(w, []string{"layers", "MAdds (M)", "asm calls"}, "%s Mcycles")
	totA := make([]float64, len(cpus))
	totB := make([]float64, len(cpus))
	missing := map[string]bool{}
	for _, cat := range cats {
		fmt.Fprintf(w, "| %s | %.1f | %.0f |", cat.name, cat.w.madds/1e6, cat.w.calls)
		for i, c := range cpus {
			a, b := 0.0, 0.0
			for key, n := range cat.w.runs {
				bl := byKey[key]
				if bl == nil {
					missing[key] = true
					continue
				}
				r := bl.res[i]
				a += n * r.Cycles
				l := &loop{insts: bl.insts, end: len(bl.insts) - 1}
				fmla := float64(l.count(isFMLA))
				if fr := fmaFrac(l, r, peaks[c.Name]); fr > 0 && c.Real > 0 {
					b += n * fmla / (c.Real * min(fr, 1))
				} else {
					b += n * r.Cycles
				}
			}
			totA[i] += a
			totB[i] += b
			fmt.Fprintf(w, " %.2f |", a/1e6)
		}
		fmt.Fprintf(w, "\n")
	}
	fmt.Fprintf(w, "| **total** | | |")
	for i := range cpus {
		fmt.Fprintf(w, " **%.2f** |", totA[i]/1e6)
	}
	fmt.Fprintf(w, "\n")
	if len(missing) > 0 {
		var ks []string
		for k := range missing {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		fmt.Fprintf(w, "\nloops the model counts but the binary lacks: %s\n", strings.Join(ks, ", "))
	}

	fmt.Fprintf(w, "\n| core (model) | clock | (a) llvm-mca 14 as is | (b) at the real FMA issue rate | ncnn, published (1 thread) |\n|---|---|---|---|---|\n")
	for i, c := range cpus {
		if c.Device == "" {
			continue
		}
		clock, a, b := "not stated", fmt.Sprintf("%.2f Mcycles", totA[i]/1e6), "-"
		if c.GHz > 0 {
			clock = fmt.Sprintf("%g GHz", c.GHz)
			a = fmt.Sprintf("**%.2f ms** (predicted)", totA[i]/(c.GHz*1e6))
		}
		if c.Real > 0 && c.GHz > 0 {
			b = fmt.Sprintf("**%.2f ms** (predicted)", totB[i]/(c.GHz*1e6))
		} else if c.RealNote != "" {
			b = "- (" + c.RealNote + ")"
		}
		fmt.Fprintf(w, "| %s (%s) | %s | %s | %s | %.2f ms |\n", c.Device, c.Name, clock, a, b, c.NcnnMs)
	}
	fmt.Fprintf(w, "\n(b) takes each loop with FMLAs to run at the same fraction of the real core's FMA issue rate as it reaches of the model's (cycles = FMLAs / (real rate x that fraction)); loops without FMLAs keep the model's cycles.\n")
}

func callsTotal(cats []*category) string {
	n := 0.0
	for _, c := range cats {
		n += c.w.calls
	}
	return fmt.Sprintf("%.0f", n)
}
