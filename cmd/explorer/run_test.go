package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/history"
	"github.com/shufflelab/explorer/runner/weights"
)

// small is a quick ShuffleNetV2 design for the command tests.
var small = []string{"--width", "0.5", "--res", "32", "--depths", "1,1,1"}

// fakeBackend compiles to fakeProg; it records what it was given.
type fakeBackend struct {
	unavailable error
	compiled    int
	prog        *fakeProg
}

func (b *fakeBackend) Name() string     { return "fake" }
func (b *fakeBackend) Available() error { return b.unavailable }
func (b *fakeBackend) Compile(g *arch.Graph, w weights.Set, o runner.Options) (runner.Program, error) {
	b.compiled++
	b.prog.g, b.prog.opts = g, o
	return b.prog, nil
}

// fakeProg runs instantly; its output is the input's first element
// everywhere; it cancels its context at run number cancelAt.
type fakeProg struct {
	g        *arch.Graph
	opts     runner.Options
	runs     int
	firstIn  float32
	cancelAt int
	cancel   context.CancelFunc
	closed   bool
	steps    []runner.StepTime // what Profile returns; nil: one 1000 ns step per op
}

func (p *fakeProg) Run(ctx context.Context, in, out []float32) error {
	p.runs++
	if p.runs == 1 {
		p.firstIn = in[0]
	}
	for i := range out {
		out[i] = in[0]
	}
	if p.runs == p.cancelAt {
		p.cancel()
		return ctx.Err()
	}
	return nil
}

// Profile gives every graph op its own 1000 ns step (an eager run), or
// the steps it was given.
func (p *fakeProg) Profile(ctx context.Context, in, out []float32) ([]runner.StepTime, error) {
	if p.steps != nil {
		return slices.Clone(p.steps), nil
	}
	var st []runner.StepTime
	for _, op := range p.g.Ops {
		st = append(st, runner.StepTime{Name: op.ID, Ops: []string{op.ID}, Nanos: 1000})
	}
	return st, nil
}

func (p *fakeProg) Info() runner.ProgramInfo {
	return runner.ProgramInfo{Backend: "fake", Mode: p.opts.Mode, Threads: p.opts.Threads, Kernels: "generic"}
}
func (p *fakeProg) Close() error { p.closed = true; return nil }

// fakeDeps wires a fake backend and in-memory tensor files.
type fakeDeps struct {
	be      *fakeBackend
	files   map[string]map[string]weights.Tensor // readTensors contents by path
	written map[string]weights.Tensor
	meta    map[string]string
	memErr  error
	wErr    error
}

func newFakeDeps() *fakeDeps {
	return &fakeDeps{be: &fakeBackend{prog: &fakeProg{}}, files: map[string]map[string]weights.Tensor{}}
}

func (f *fakeDeps) deps() runDeps {
	return runDeps{
		backend: func(name string) (runner.Backend, error) {
			if name != "native" {
				return nil, errors.New("no such backend here")
			}
			return f.be, nil
		},
		checkMemory: func(*arch.Graph, runner.Options) error { return f.memErr },
		randomWeights: func(context.Context, *arch.Graph, int64) (weights.Set, error) {
			return weights.Set{"w": {Shape: []int{1}, Data: []float32{0.5}}}, nil
		},
		checkWeights: func(weights.Set, *arch.Graph) error { return f.wErr },
		readTensors: func(path string, _ int64) (map[string]weights.Tensor, map[string]string, error) {
			t, ok := f.files[path]
			if !ok {
				return nil, nil, os.ErrNotExist
			}
			return t, nil, nil
		},
		writeTensors: func(path string, t map[string]weights.Tensor, meta map[string]string, _ bool) error {
			f.written, f.meta = t, meta
			return nil
		},
	}
}

func runFake(t *testing.T, ctx context.Context, f *fakeDeps, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := runWith(ctx, append(slices.Clone(small), args...), &out, &errb, f.deps())
	return out.String(), err
}

func TestRunBadInput(t *testing.T) {
	tests := [][]string{
		{"--mode", "slow"},
		{"--threads", "0"},
		{"--format", "xml"},
		{"--backend", "tpu"},
		{"--kernels", "sse"},
		{"--mem-limit", "8XB"},
		{"--mem-limit", "0"},
		{"--min-iters", "0"},
		{"--warmup", "-1"},
		{"--min-time", "-1s"},
		{"--history", ""},
		{"--width", "99"},
		{"--input", "missing.safetensors"},
		{"--weights", "missing.safetensors"},
		{"extra"},
	}
	for _, args := range tests {
		f := newFakeDeps()
		_, err := runFake(t, context.Background(), f, args...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: err %v, want a usage error (exit 2)", args, err)
		}
		if f.be.compiled != 0 {
			t.Errorf("%v: compiled despite bad input", args)
		}
	}
	// through main's exit-code mapping, with the real dependencies
	var out, errb bytes.Buffer
	if code := run([]string{"run", "--mode", "slow"}, &out, &errb); code != 2 || strings.Count(errb.String(), "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want 2 and one line", code, errb.String())
	}
}

func TestRunJSONAndHistory(t *testing.T) {
	f := newFakeDeps()
	hist := filepath.Join(t.TempDir(), "h.jsonl")
	out, err := runFake(t, context.Background(), f, "--format", "json", "--warmup", "2", "--min-iters", "5", "--min-time", "0", "--history", hist)
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if res["version"] != 1.0 || res["iters"] != 5.0 || res["warmup"] != 2.0 || res["mode"] != "fused" || res["backend"] != "fake" {
		t.Errorf("result %v", res)
	}
	for _, k := range []string{"latency_ms", "throughput_ips", "fingerprint", "spec", "time"} {
		if _, ok := res[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if sp := res["spec"].(map[string]any); sp["family"] != "shufflenetv2" || sp["width"] != 0.5 {
		t.Errorf("spec %v", sp)
	}
	if f.be.prog.runs != 7 || !f.be.prog.closed {
		t.Errorf("program ran %d times (want 2 warm-up + 5), closed %v", f.be.prog.runs, f.be.prog.closed)
	}
	rs, ws, err := history.Load(hist)
	if err != nil || len(ws) != 0 || len(rs) != 1 || rs[0].Iters != 5 {
		t.Errorf("history: %d results %v %v", len(rs), ws, err)
	}
}

func TestRunProfile(t *testing.T) {
	f := newFakeDeps()
	out, err := runFake(t, context.Background(), f, "--mode", "eager", "--profile", "--profile-runs", "2", "--min-iters", "2", "--min-time", "0", "--warmup", "0", "--history", "off")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"latency (ms): median", "category", "time %", "MAdds %", "MAC %", "conv1x1", "depthwise", "top 10 ops by time:", "stage"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// JSON: every op took 1000 ns, so a category's time share is its share of ops.
	f = newFakeDeps()
	out, err = runFake(t, context.Background(), f, "--mode", "eager", "--profile", "--profile-runs", "1", "--min-iters", "1", "--min-time", "0", "--format", "json", "--history", "off")
	if err != nil {
		t.Fatal(err)
	}
	var res runner.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Profile == nil {
		t.Fatalf("profile JSON: %v %v", err, res.Profile)
	}
	g := f.be.prog.g
	n1x1 := 0
	for i := range g.Ops {
		if cost.CategoryOf(g, &g.Ops[i]) == cost.CatConv1x1 {
			n1x1++
		}
	}
	for _, c := range res.Profile.Categories {
		if c.Name == string(cost.CatConv1x1) {
			if want := float64(n1x1) / float64(len(g.Ops)); math.Abs(c.TimeShare-want) > 1e-12 {
				t.Errorf("conv1x1 time share %v, want %d/%d", c.TimeShare, n1x1, len(g.Ops))
			}
		}
	}
	if res.Profile.View != cost.AsWritten {
		t.Errorf("eager run joined to the %s view, want as-written", res.Profile.View)
	}
}

func TestRunCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFakeDeps()
	f.be.prog.cancelAt, f.be.prog.cancel = 6, cancel // 2 warm-up, 3 timed, then cancelled
	hist := filepath.Join(t.TempDir(), "h.jsonl")
	out, err := runFake(t, ctx, f, "--warmup", "2", "--min-iters", "1000", "--history", hist)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 130 || ee.err.Error() != "cancelled" {
		t.Fatalf("err %v, want exit 130 cancelled", err)
	}
	if !strings.Contains(out, "cancelled: partial statistics over 3 timed runs") || !strings.Contains(out, "median") {
		t.Errorf("stdout:\n%s", out)
	}
	if _, err := os.Stat(hist); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a cancelled run was written to the history (%v)", err)
	}
	if !f.be.prog.closed {
		t.Error("program not closed")
	}
}

func TestRunInputAndSaveIO(t *testing.T) {
	good := make([]float32, 1*3*32*32)
	good[0] = 42
	tests := []struct {
		name    string
		tensors map[string]weights.Tensor
		bad     bool
	}{
		{name: "good", tensors: map[string]weights.Tensor{"input": {Shape: []int{1, 3, 32, 32}, Data: good}}},
		{name: "wrong shape", tensors: map[string]weights.Tensor{"input": {Shape: []int{1, 3, 32, 31}, Data: good[:3*32*31]}}, bad: true},
		{name: "no input tensor", tensors: map[string]weights.Tensor{"x": {Shape: []int{1, 3, 32, 32}, Data: good}}, bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDeps()
			f.files["in.st"] = tc.tensors
			_, err := runFake(t, context.Background(), f, "--input", "in.st", "--save-io", "io.st", "--min-iters", "1", "--min-time", "0", "--history", "off")
			var ue usageError
			if tc.bad {
				if !errors.As(err, &ue) || f.be.compiled != 0 {
					t.Errorf("err %v compiled %d; want a usage error before compiling", err, f.be.compiled)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.be.prog.firstIn != 42 {
				t.Errorf("program got input[0] = %v, want 42 from the file", f.be.prog.firstIn)
			}
			in, out, w := f.written["input"], f.written["output"], f.written["w"]
			if !slices.Equal(in.Shape, []int{1, 3, 32, 32}) || !slices.Equal(out.Shape, []int{1, 1000}) || len(w.Data) != 1 {
				t.Errorf("saved input %v output %v weights %v", in.Shape, out.Shape, w)
			}
			if out.Data[0] != 42 { // the fake's output copies input[0]
				t.Errorf("saved output[0] = %v, want 42", out.Data[0])
			}
			if !strings.Contains(f.meta["explorer_spec"], `"shufflenetv2"`) || f.meta["mode"] != "fused" {
				t.Errorf("metadata %v", f.meta)
			}
			// the torchvision constructor arguments scripts/check_torch.py reads:
			// ShuffleNetV2 0.5x channels 24,48,96,192,1024 (paper Table 5), depths 1,1,1 as given.
			var ts map[string]any
			if err := json.Unmarshal([]byte(f.meta["spec"]), &ts); err != nil {
				t.Fatalf("spec metadata %q: %v", f.meta["spec"], err)
			}
			if ts["family"] != "shufflenet_v2" || fmtJSON(ts["stages_out_channels"]) != "[24,48,96,192,1024]" ||
				fmtJSON(ts["stages_repeats"]) != "[1,1,1]" || ts["num_classes"] != 1000.0 || fmtJSON(ts["input"]) != "[1,3,32,32]" {
				t.Errorf("torch spec %v", ts)
			}
		})
	}
}

func TestRunRefusals(t *testing.T) {
	// over the memory limit: a usage error with the standard text, nothing compiled
	f := newFakeDeps()
	f.memErr = runner.FormatMemError(10<<30, 8<<30, map[string]int64{"activations": 10 << 30})
	_, err := runFake(t, context.Background(), f, "--mem-limit", "8GiB")
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "limit is 8 GiB (--mem-limit)") || f.be.compiled != 0 {
		t.Errorf("memory: err %v compiled %d", err, f.be.compiled)
	}
	// mismatched weights: a usage error naming the problem
	f = newFakeDeps()
	f.files["w.st"] = map[string]weights.Tensor{}
	f.wErr = errors.New(`tensor "fc.weight" has shape [10 1024], want [1000 1024]`)
	_, err = runFake(t, context.Background(), f, "--weights", "w.st")
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "fc.weight") {
		t.Errorf("weights: err %v", err)
	}
	// an unavailable backend is a runtime failure (exit 1), not a usage error
	f = newFakeDeps()
	f.be.unavailable = errors.New("no GPU")
	_, err = runFake(t, context.Background(), f)
	if err == nil || errors.As(err, &ue) {
		t.Errorf("unavailable backend: err %v, want a runtime error", err)
	}
}

func fmtJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestTorchSpec(t *testing.T) {
	tests := []struct {
		name string
		spec arch.Spec
		want string // JSON of the torch spec, "" when torchvision cannot express the design
	}{
		// torchvision shufflenet_v2_x1_0: stages_repeats [4,8,4], stages_out_channels [24,116,232,464,1024].
		{name: "snv2 1.0", spec: arch.Spec{Family: arch.ShuffleNetV2, Width: 1},
			want: `{"family":"shufflenet_v2","input":[1,3,224,224],"layout":"torchvision","num_classes":1000,"stages_out_channels":[24,116,232,464,1024],"stages_repeats":[4,8,4]}`},
		// torchvision shufflenet_v2_x2_0: [24,244,488,976,2048].
		{name: "snv2 2.0 batch 2", spec: arch.Spec{Family: arch.ShuffleNetV2, Width: 2, Batch: 2, Res: 64, Classes: 10},
			want: `{"family":"shufflenet_v2","input":[2,3,64,64],"layout":"torchvision","num_classes":10,"stages_out_channels":[24,244,488,976,2048],"stages_repeats":[4,8,4]}`},
		{name: "mnv2 0.35", spec: arch.Spec{Family: arch.MobileNetV2, Width: 0.35},
			want: `{"family":"mobilenet_v2","input":[1,3,224,224],"layout":"torchvision","num_classes":1000,"width_mult":0.35}`},
		{name: "split 0.4", spec: arch.Spec{Family: arch.ShuffleNetV2, Split: 0.4}},
		{name: "groups 2", spec: arch.Spec{Family: arch.ShuffleNetV2, Groups: 2}},
		{name: "megvii", spec: arch.Spec{Family: arch.ShuffleNetV2, Layout: arch.LayoutMegvii}},
		{name: "v1", spec: arch.Spec{Family: arch.ShuffleNetV1}},
	}
	for _, tc := range tests {
		g, err := arch.Build(tc.spec)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		ts, ok := torchSpec(g)
		got := ""
		if ok {
			got = fmtJSON(ts)
		}
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// TestKernelsFlag: --kernels names the program's kernel set. A set of
// another architecture is a usage error naming the flag, the value, every
// valid value and why; a supported set runs and the JSON fingerprint names
// it (real native backend, tiny design).
func TestKernelsFlag(t *testing.T) {
	foreign, why := "neon", "neon needs arm64"
	if runtime.GOARCH == "arm64" {
		foreign, why = "avx512", "avx512 needs amd64"
	}
	for _, cmd := range [][]string{{"run"}, {"sweep", "--presets", "shufflenetv2-0.5", "--out", "off"}, {"guidelines"}, {"ui"}} {
		var out, errb bytes.Buffer
		args := append(slices.Clone(cmd), "--kernels", foreign)
		code := run(args, &out, &errb)
		msg := errb.String()
		if code != 2 || !strings.Contains(msg, `--kernels "`+foreign+`"`) || !strings.Contains(msg, "auto|avx512|avx2|neon|generic") || !strings.Contains(msg, why) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and the flag, value, valid values and %q", args, code, msg, why)
		}
	}
	var out, errb bytes.Buffer
	args := append([]string{"run"}, small...)
	args = append(args, "--kernels", "generic", "--format", "json", "--warmup", "0", "--min-iters", "1", "--min-time", "0", "--history", "off")
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, errb.String())
	}
	var res struct {
		Fingerprint struct {
			Kernels string `json:"kernels"`
		} `json:"fingerprint"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Fingerprint.Kernels != "generic" {
		t.Errorf("fingerprint kernels %q (%v), want generic", res.Fingerprint.Kernels, err)
	}
}

// TestRunRefusesEmptyValuesAndCUDAFlags: an explicitly empty value is
// refused naming the flag and its valid values (--save-io= saved nothing
// and --weights=, --input=, --mem-limit=, --kernels=, --preset= were taken
// as unset, exit 0); --mode= quotes the empty value; --cuda-graph and
// --tf32 need --backend cudnn (they were ignored with native).
func TestRunRefusesEmptyValuesAndCUDAFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--save-io="}, `invalid --save-io "" (valid: a file path)`},
		{[]string{"--weights="}, `invalid --weights "" (valid: a safetensors file`},
		{[]string{"--input", ""}, `invalid --input "" (valid: a safetensors file`},
		{[]string{"--mem-limit="}, `invalid --mem-limit "" (valid: a positive size`},
		{[]string{"--kernels="}, `invalid --kernels "" (valid: auto|`},
		{[]string{"--preset="}, `invalid --preset "" (valid: an embedded preset`},
		{[]string{"--mode="}, `invalid --mode "" (valid: eager|fused)`},
		{[]string{"--mode", "slow"}, `invalid --mode "slow" (valid: eager|fused)`},
		{[]string{"--cuda-graph"}, "invalid --cuda-graph with --backend native (it needs --backend cudnn)"},
		{[]string{"--tf32"}, "invalid --tf32 with --backend native (it needs --backend cudnn)"},
	} {
		f := newFakeDeps()
		_, err := runFake(t, context.Background(), f, tc.args...)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v, want a usage error with %q", tc.args, err, tc.want)
		}
		if f.be.compiled != 0 || f.written != nil {
			t.Errorf("%v: compiled %d, wrote %v despite bad input", tc.args, f.be.compiled, f.written != nil)
		}
	}
	// Off is fine with any backend.
	f := newFakeDeps()
	if _, err := runFake(t, context.Background(), f, "--cuda-graph=false", "--tf32=false", "--min-iters", "1", "--min-time", "0", "--history", "off"); err != nil {
		t.Errorf("--cuda-graph=false --tf32=false: %v", err)
	}
}

// TestRunHistorySaveFailure: a --history file that cannot take the
// result (a directory, a FIFO, a file that is not a history) prints the
// result and exits 1 (it was a warning, exit 0); a failure at the default
// path stays a warning.
func TestRunHistorySaveFailure(t *testing.T) {
	dir := t.TempDir()
	notHistory := filepath.Join(dir, "notes.txt")
	os.WriteFile(notHistory, []byte("my notes\n"), 0o644)
	paths := map[string]string{"directory": dir, "not a history": notHistory}
	if runtime.GOOS == "linux" {
		fifo := filepath.Join(dir, "fifo")
		if err := mkfifo(fifo); err == nil {
			paths["FIFO"] = fifo
		}
	}
	for what, path := range paths {
		f := newFakeDeps()
		out, err := runFake(t, context.Background(), f, "--min-iters", "1", "--min-time", "0", "--history", path)
		var ue usageError
		if err == nil || errors.As(err, &ue) || !strings.Contains(err.Error(), "result not saved to --history "+path) {
			t.Errorf("%s: err %v, want a runtime error (exit 1) naming --history", what, err)
		}
		if !strings.Contains(out, "latency (ms)") || strings.Contains(out, "result appended") {
			t.Errorf("%s: the result was not printed, or said saved:\n%s", what, out)
		}
	}
	if b, _ := os.ReadFile(notHistory); string(b) != "my notes\n" {
		t.Errorf("notes.txt changed to %q", b)
	}
	if runtime.GOOS != "linux" {
		return
	}
	// The default path (XDG_STATE_HOME/explorer/history.jsonl) is a
	// directory: a warning, exit 0.
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	os.MkdirAll(filepath.Join(state, "explorer", "history.jsonl"), 0o755)
	f := newFakeDeps()
	var out, errb bytes.Buffer
	err := runWith(context.Background(), append(slices.Clone(small), "--min-iters", "1", "--min-time", "0"), &out, &errb, f.deps())
	if err != nil || !strings.Contains(errb.String(), "explorer: warning: result not saved") || !strings.Contains(out.String(), "latency (ms)") {
		t.Errorf("default path: err %v, stderr %q", err, errb.String())
	}
}
