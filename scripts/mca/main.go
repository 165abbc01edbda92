// Command mca predicts the speed of the NEON kernels (runner/kernels/*_neon_arm64.s) where
// no ARM machine is at hand: it builds the arm64 test binary of runner/kernels, takes every
// loop of every NEON assembly function from `llvm-objdump -d -l` (loops are backward
// branches; each is named after the assembly label it starts at), runs LLVM's llvm-mca on
// it for several AArch64 core models, and reports cycles per iteration, the fraction of the
// model's FMA issue rate and the bound. It then combines the cycles with the loop trip
// counts of ShuffleNetV2 1.0x at batch 1 (the fused plan's layer shapes and the NEON
// wrappers' blocking) into a predicted latency per core. Everything it prints is a
// prediction of a model, not a measurement.
//
//	go run ./scripts/mca                     # table to stdout
//	go run ./scripts/mca -write docs/neon.md # replace the generated section of docs/neon.md
//
// Needs llvm-objdump and llvm-mca (LLVM 14: Debian's llvm-14 package); -mca and -objdump
// name other binaries.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/shufflelab/explorer/internal/safefile"
)

// cpu is one llvm-mca core model and, where known, the real core's FMA issue rate and clock.
type cpu struct {
	Name     string  // llvm-mca -mcpu
	Real     float64 // 128-bit FMAs issued per cycle by the real core (0: not stated)
	GHz      float64 // clock for the millisecond column (0: cycles only)
	Device   string  // the device whose published latency it predicts
	NcnnMs   float64 // ncnn's published ShuffleNetV2 1.0x latency there (1 thread), 0 if none
	RealNote string
}

// cpus: FMA issue rates and clocks (an M1 performance core issues 4 x 128-bit FMAs per
// cycle at ~3.2 GHz; Cortex-A76 and Neoverse N1 issue 2; neither is stated for the Neoverse N2,
// nor the Cortex-A72's rate) and ncnn's latencies from Tencent/ncnn benchmark/README.md
// (benchncnn shufflenet_v2, 1 thread: M1 3.69 ms, Raspberry Pi 5 (Cortex-A76 2.4 GHz)
// 7.07 ms, Raspberry Pi 4 (Cortex-A72 1.8 GHz) 41.62 ms, Azure Cobalt 100 (Neoverse N2)
// 4.20 ms).
var cpus = []cpu{
	{Name: "apple-m1", Real: 4, GHz: 3.2, Device: "Apple M1 (P core, ~3.2 GHz)", NcnnMs: 3.69},
	{Name: "neoverse-n1", Real: 2},
	{Name: "neoverse-n2", Real: 0, Device: "Azure Cobalt 100 (Neoverse N2)", NcnnMs: 4.20, RealNote: "FMA rate and clock not stated"},
	{Name: "cortex-a76", Real: 2, GHz: 2.4, Device: "Raspberry Pi 5 (Cortex-A76, 2.4 GHz)", NcnnMs: 7.07},
	{Name: "cortex-a72", Real: 0, GHz: 1.8, Device: "Raspberry Pi 4 (Cortex-A72, 1.8 GHz)", NcnnMs: 41.62, RealNote: "FMA rate not stated"},
}

func main() {
	bin := flag.String("bin", "", "arm64 test binary of runner/kernels (default: build one)")
	objdump := flag.String("objdump", "llvm-objdump", "llvm-objdump binary")
	mca := flag.String("mca", "llvm-mca", "llvm-mca binary (LLVM 14 models apple-m1 with its Cyclone model and the Neoverse/Cortex cores with its Cortex-A57 model)")
	write := flag.String("write", "", "markdown file whose section between the mca markers is replaced (e.g. docs/neon.md)")
	flag.Parse()
	if err := run(*bin, *objdump, *mca, *write); err != nil {
		fmt.Fprintln(os.Stderr, "mca:", err)
		os.Exit(1)
	}
}

func run(bin, objdump, mcaBin, write string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	kdir := filepath.Join(root, "runner", "kernels")
	if bin == "" {
		tmp, err := os.MkdirTemp("", "mca")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		bin = filepath.Join(tmp, "kernels.test")
		cmd := exec.Command("go", "test", "-c", "-o", bin, "./runner/kernels")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOARCH=arm64", "GOOS=linux", "CGO_ENABLED=0")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building the arm64 test binary: %w", err)
		}
	}
	names, err := neonFuncs(kdir)
	if err != nil {
		return err
	}
	dis, err := exec.Command(objdump, "-d", "-l", "--no-show-raw-insn", bin).Output()
	if err != nil {
		return fmt.Errorf("%s -d %s: %w", objdump, bin, err)
	}
	funcs, err := parseObjdump(dis, names)
	if err != nil {
		return err
	}
	srcs := map[string][]string{}
	var loops []*loop
	var blocks []*block // every innermost loop, then every label region
	for _, name := range names {
		f := funcs[name]
		if f == nil {
			return fmt.Errorf("function %s not in the binary", name)
		}
		ls, err := findLoops(name, f, srcs)
		if err != nil {
			return err
		}
		loops = append(loops, ls...)
		for _, l := range ls {
			if len(l.children) == 0 {
				blocks = append(blocks, &block{key: l.key(), insts: l.own(), loop: l})
			}
		}
		rs, err := regions(name, f, srcs)
		if err != nil {
			return err
		}
		blocks = append(blocks, rs...)
	}
	peaks := map[string]peak{}
	for _, c := range cpus {
		p, err := measurePeak(mcaBin, c.Name)
		if err != nil {
			return err
		}
		peaks[c.Name] = p
		for _, b := range blocks {
			r, err := runMCA(mcaBin, c.Name, blockAsm(b.insts))
			if err != nil {
				return fmt.Errorf("%s %s: %w", b.key, c.Name, err)
			}
			b.res = append(b.res, r)
			if b.loop != nil {
				b.loop.res = b.res
			}
		}
	}
	var out bytes.Buffer
	report(&out, loops, blocks, peaks)
	if write == "" {
		_, err := os.Stdout.Write(out.Bytes())
		return err
	}
	return replaceSection(write, out.String())
}

// repoRoot is the module root (the directory of go.mod above the working directory).
func repoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run inside the explorer module")
	}
	return filepath.Dir(mod), nil
}

var textRE = regexp.MustCompile(`(?m)^TEXT\s+·(\w+)\(SB\)`)

// neonFuncs lists the assembly functions of runner/kernels/*_neon_arm64.s in file order.
func neonFuncs(kdir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(kdir, "*_neon_arm64.s"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no *_neon_arm64.s in %s", kdir)
	}
	sort.Strings(files)
	var names []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, m := range textRE.FindAllSubmatch(b, -1) {
			names = append(names, string(m[1]))
		}
	}
	return names, nil
}

// inst is one disassembled instruction with its source position.
type inst struct {
	addr uint64
	text string
	file string
	line int
}

var (
	funcRE = regexp.MustCompile(`^([0-9a-f]+) <(.+)>:$`)
	lineRE = regexp.MustCompile(`^; (/\S+\.[sh]):(\d+)$`)
	instRE = regexp.MustCompile(`^\s+([0-9a-f]+):\s+(.+)$`)
	symRE  = regexp.MustCompile(`\s*<[^>]*>`)
	hexRE  = regexp.MustCompile(`0x[0-9a-f]+`)
)

const pkgPrefix = "github.com/shufflelab/explorer/runner/kernels."

// parseObjdump collects the instructions of the named functions (Go symbols pkg.name.abi0).
func parseObjdump(dis []byte, names []string) (map[string][]inst, error) {
	want := map[string]string{}
	for _, n := range names {
		want[pkgPrefix+n+".abi0"] = n
	}
	funcs := map[string][]inst{}
	cur, file, line := "", "", 0
	sc := bufio.NewScanner(bytes.NewReader(dis))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		s := sc.Text()
		if m := funcRE.FindStringSubmatch(s); m != nil {
			cur = want[m[2]]
			continue
		}
		if cur == "" {
			continue
		}
		if m := lineRE.FindStringSubmatch(s); m != nil {
			file = m[1]
			line, _ = strconv.Atoi(m[2])
			continue
		}
		if m := instRE.FindStringSubmatch(s); m != nil {
			a, err := strconv.ParseUint(m[1], 16, 64)
			if err != nil {
				return nil, err
			}
			text := strings.Join(strings.Fields(symRE.ReplaceAllString(m[2], "")), " ")
			funcs[cur] = append(funcs[cur], inst{addr: a, text: text, file: file, line: line})
		}
	}
	return funcs, sc.Err()
}

// loop is one loop of a kernel: instructions [start, end] of its function, the loops nested
// in it, and the llvm-mca results of its own instructions (those in no nested loop).
type loop struct {
	fn, label  string
	insts      []inst // the function's instructions
	start, end int
	children   []*loop
	res        []mcaResult // per cpus entry
}

func (l *loop) key() string { return l.fn + "/" + l.label }

// own lists the loop's instructions outside its nested loops.
func (l *loop) own() []inst {
	var out []inst
	for i := l.start; i <= l.end; i++ {
		inner := false
		for _, c := range l.children {
			if i >= c.start && i <= c.end {
				inner = true
			}
		}
		if !inner {
			out = append(out, l.insts[i])
		}
	}
	return out
}

// block is a unit the latency model costs: an innermost loop (key: the function and the
// label the loop starts at; one iteration) or a label region (key: the function and a
// label; the instructions assembled from the lines below that label up to the next one,
// "entry" before the first) run once.
type block struct {
	key   string
	insts []inst
	loop  *loop
	res   []mcaResult // per cpus entry
}

// blockAsm is a block's instructions as llvm-mca input (which repeats it to a steady
// state); branch targets become a label.
func blockAsm(insts []inst) string {
	var b strings.Builder
	b.WriteString("L:\n")
	for _, in := range insts {
		op, _, _ := strings.Cut(in.text, " ")
		switch {
		case op == "udf": // padding after the last RET
			continue
		case op == "b" || branchRE.MatchString(op):
			b.WriteString(hexRE.ReplaceAllString(in.text, "L"))
		default:
			b.WriteString(in.text)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// labelsOf returns, per line of a source file, the assembly label in force there (the
// nearest "name:" line above; "entry" after a TEXT line).
func labelsOf(file string, srcs map[string][]string) ([]string, error) {
	lines, ok := srcs[file]
	if !ok {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("source of line info: %w", err)
		}
		lines = strings.Split(string(b), "\n")
		srcs[file] = lines
	}
	labs := make([]string, len(lines)+1)
	cur := ""
	for i, ln := range lines {
		if strings.HasPrefix(ln, "TEXT") {
			cur = "entry"
		} else if m := labelRE.FindStringSubmatch(ln); m != nil {
			cur = m[1]
		}
		labs[i+1] = cur // line numbers are 1-based
	}
	return labs, nil
}

// regions groups a function's instructions by the label in force at their source line.
func regions(fn string, insts []inst, srcs map[string][]string) ([]*block, error) {
	var out []*block
	byKey := map[string]*block{}
	for _, in := range insts {
		labs, err := labelsOf(in.file, srcs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fn, err)
		}
		lab := "entry"
		if in.line > 0 && in.line < len(labs) && labs[in.line] != "" {
			lab = labs[in.line]
		}
		key := fn + "/" + lab + ":region"
		b := byKey[key]
		if b == nil {
			b = &block{key: key}
			byKey[key] = b
			out = append(out, b)
		}
		b.insts = append(b.insts, in)
	}
	return out, nil
}

// count returns how many own instructions satisfy f.
func (l *loop) count(f func(op, args string) bool) int {
	n := 0
	for _, in := range l.own() {
		op, args, _ := strings.Cut(in.text, " ")
		if f(op, args) {
			n++
		}
	}
	return n
}

func isFMLA(op, _ string) bool { return op == "fmla" }
func isFMLAElem(op, args string) bool {
	return op == "fmla" && strings.Contains(args, "[")
}
func isLoad(op, _ string) bool {
	return strings.HasPrefix(op, "ld") && op != "ldxr"
}
func isStore(op, _ string) bool { return strings.HasPrefix(op, "st") }

// branchRE matches the conditional branches: a loop's back edge is always one (an
// unconditional branch back is a jump from out-of-line code, e.g. a masked-store path).
var branchRE = regexp.MustCompile(`^(b\.\w+|cbz|cbnz|tbz|tbnz)$`)
var labelRE = regexp.MustCompile(`^\s*(\w+):`)

// findLoops finds the loops of function fn (a branch back to an earlier instruction; back
// branches to the same target form one loop, ending at the last of them), nests them, and
// names each after the assembly label just above the source line of its first instruction.
func findLoops(fn string, insts []inst, srcs map[string][]string) ([]*loop, error) {
	index := map[uint64]int{}
	for i, in := range insts {
		index[in.addr] = i
	}
	byStart := map[int]*loop{}
	for i, in := range insts {
		op, args, _ := strings.Cut(in.text, " ")
		if !branchRE.MatchString(op) {
			continue
		}
		m := hexRE.FindString(args)
		if m == "" {
			continue
		}
		t, err := strconv.ParseUint(m[2:], 16, 64)
		if err != nil {
			return nil, err
		}
		j, ok := index[t]
		if !ok || j > i {
			continue
		}
		if l := byStart[j]; l != nil {
			l.end = max(l.end, i)
			continue
		}
		byStart[j] = &loop{fn: fn, insts: insts, start: j, end: i}
	}
	var loops []*loop
	for _, l := range byStart {
		// A conditional branch back from out-of-line code (a masked-store path after the
		// RET jumping to the next tile) is no loop: a loop body never returns.
		ret := false
		for _, in := range insts[l.start : l.end+1] {
			ret = ret || in.text == "ret"
		}
		if !ret {
			loops = append(loops, l)
		}
	}
	sort.Slice(loops, func(a, b int) bool { return loops[a].start < loops[b].start })
	for _, l := range loops {
		// The innermost enclosing loop is the enclosing one that starts last.
		var parent *loop
		for _, p := range loops {
			if p != l && p.start <= l.start && l.end <= p.end && (parent == nil || p.start > parent.start) {
				parent = p
			}
		}
		if parent != nil {
			parent.children = append(parent.children, l)
		}
		in := insts[l.start]
		lines, ok := srcs[in.file]
		if !ok {
			b, err := os.ReadFile(in.file)
			if err != nil {
				return nil, fmt.Errorf("%s: source of line info: %w", fn, err)
			}
			lines = strings.Split(string(b), "\n")
			srcs[in.file] = lines
		}
		for k := in.line - 2; k >= 0 && k < len(lines); k-- {
			if m := labelRE.FindStringSubmatch(lines[k]); m != nil {
				l.label = m[1]
				break
			}
			if strings.HasPrefix(lines[k], "TEXT") {
				break
			}
		}
		if l.label == "" {
			return nil, fmt.Errorf("%s: no label above %s:%d (loop at %#x)", fn, in.file, in.line, in.addr)
		}
	}
	return loops, nil
}

// replaceSection replaces the text between the begin and end markers of file with body.
func replaceSection(file, body string) error {
	const begin, end = "<!-- mca:begin (generated by go run ./scripts/mca -write docs/neon.md) -->", "<!-- mca:end -->"
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %q ... %q section", file, begin, end)
	}
	s = s[:i+len(begin)] + "\n" + body + s[j:]
	return safefile.WriteFile(file, []byte(s)) // temporary file, synced, renamed: never a half-written doc
}
