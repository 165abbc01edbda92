package main

import (
	"bufio"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// mcaIters is the iteration count of every llvm-mca run: enough for the steady state.
const mcaIters = 400

// mcaResult is llvm-mca's view of one block run mcaIters times.
type mcaResult struct {
	Cycles   float64            // cycles per iteration
	UOps     float64            // micro-ops per iteration
	Width    float64            // dispatch width of the model
	Pressure map[string]float64 // per resource kind: the busiest unit's cycles per iteration
}

var (
	resRE = regexp.MustCompile(`^\[(\d+)(?:\.\d+)?\]\s+-\s+(\S+)`)
	numRE = regexp.MustCompile(`^(Iterations|Total Cycles|Total uOps|Dispatch Width):\s+([\d.]+)`)
)

// runMCA runs llvm-mca for core model mcpu on the block asm.
func runMCA(bin, mcpu, asm string) (mcaResult, error) {
	cmd := exec.Command(bin, "-mtriple=aarch64", "-mcpu="+mcpu, fmt.Sprintf("-iterations=%d", mcaIters),
		"-resource-pressure", "-instruction-info=false")
	cmd.Stdin = strings.NewReader(asm)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return mcaResult{}, fmt.Errorf("%s -mcpu=%s: %v: %s", bin, mcpu, err, out)
	}
	r := mcaResult{Pressure: map[string]float64{}}
	vals := map[string]float64{}
	var cols []string // resource kind of each pressure column
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		s := sc.Text()
		if m := numRE.FindStringSubmatch(s); m != nil {
			vals[m[1]], _ = strconv.ParseFloat(m[2], 64)
			continue
		}
		if m := resRE.FindStringSubmatch(s); m != nil {
			cols = append(cols, m[2])
			continue
		}
		if strings.HasPrefix(s, "Resource pressure per iteration:") {
			sc.Scan() // header
			sc.Scan()
			for i, f := range strings.Fields(sc.Text()) {
				if i >= len(cols) || f == "-" {
					continue
				}
				v, _ := strconv.ParseFloat(f, 64)
				r.Pressure[cols[i]] = max(r.Pressure[cols[i]], v)
			}
		}
	}
	it := vals["Iterations"]
	if it == 0 || vals["Total Cycles"] == 0 {
		return r, fmt.Errorf("%s -mcpu=%s: no summary in the output: %s", bin, mcpu, out)
	}
	r.Cycles = vals["Total Cycles"] / it
	r.UOps = vals["Total uOps"] / it
	r.Width = vals["Dispatch Width"]
	return r, nil
}

// peak is what a model assumes for the instructions the kernels live on, measured by
// llvm-mca itself on blocks of 24 independent instructions.
type peak struct {
	FMLAElem float64 // FMLA Vd.4S, Vn.4S, Vm.S[i] per cycle
	FMLAVec  float64 // FMLA Vd.4S, Vn.4S, Vm.4S per cycle
	FMLALat  float64 // FMLA by element latency (one dependent chain: cycles per FMLA)
	LoadQ    float64 // LDR Qt, [Xn, #imm] per cycle
	Width    float64 // dispatch width
}

func measurePeak(bin, mcpu string) (peak, error) {
	block := func(f func(i int) string) string {
		var b strings.Builder
		for i := range 24 {
			b.WriteString(f(i))
			b.WriteByte('\n')
		}
		return b.String()
	}
	var p peak
	for _, c := range []struct {
		dst *float64
		asm string
		per float64
	}{
		{&p.FMLAElem, block(func(i int) string { return fmt.Sprintf("fmla v%d.4s, v28.4s, v29.s[%d]", i, i%4) }), 24},
		{&p.FMLAVec, block(func(i int) string { return fmt.Sprintf("fmla v%d.4s, v28.4s, v29.4s", i) }), 24},
		{&p.LoadQ, block(func(i int) string { return fmt.Sprintf("ldr q%d, [x0, #%d]", i, 16*i) }), 24},
	} {
		r, err := runMCA(bin, mcpu, c.asm)
		if err != nil {
			return p, err
		}
		*c.dst = c.per / r.Cycles
		p.Width = r.Width
	}
	chain := block(func(i int) string { return fmt.Sprintf("fmla v0.4s, v28.4s, v29.s[%d]", i%4) })
	r, err := runMCA(bin, mcpu, chain)
	if err != nil {
		return p, err
	}
	p.FMLALat = r.Cycles / 24
	return p, nil
}
