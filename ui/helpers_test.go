package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/plots/chartdata"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/calib"
	"github.com/shufflelab/explorer/runner/host"
	"github.com/shufflelab/explorer/runner/stats"
)

// fakeMeasurer stands in for the real runner: its latency is a made-up
// linear function of the design's analytic cost, so results are
// deterministic; with block set it waits for cancellation.
type fakeMeasurer struct {
	block       bool
	blockFamily arch.Family // block only designs of this family
}

// fakeSteps are one step per op of g, 1 ns per MAdd and 4 ns per MAC
// element (arbitrary, only deterministic), and one extra copy step of
// 1000 ns that covers no op (as the native engine's passthrough copies).
func fakeSteps(g *arch.Graph) ([]runner.StepTime, int64) {
	var steps []runner.StepTime
	var total int64
	for i := range g.Ops {
		op := &g.Ops[i]
		ns := cost.MultAdds(g, op) + 4*cost.MemAccess(g, op)
		total += ns
		steps = append(steps, runner.StepTime{Name: op.ID, Ops: []string{op.ID}, Nanos: ns})
	}
	steps = append(steps, runner.StepTime{Name: "copy", Nanos: 1000})
	return steps, total + 1000
}

func (f fakeMeasurer) Measure(ctx context.Context, req RunRequest, progress func(float64)) (Measurement, error) {
	progress(0.25)
	if f.block || f.blockFamily != "" && req.Spec.Family == f.blockFamily {
		<-ctx.Done()
		return Measurement{}, fmt.Errorf("fake run: %w", ctx.Err())
	}
	g, err := arch.Build(req.Spec)
	if err != nil {
		return Measurement{}, err
	}
	steps, total := fakeSteps(g)
	progress(1)
	ms := float64(total) / 1e6
	res := runner.Result{Backend: req.Backend, Mode: req.Mode, Spec: req.Spec, Iters: 100,
		LatencyMS:     stats.Summary{Median: ms, Min: ms * 0.98, P10: ms * 0.99, P90: ms * 1.03, IQR: ms * 0.02},
		ThroughputIPS: float64(req.Spec.Batch) * 1000 / ms}
	res.Fingerprint.Kernels, res.Fingerprint.Threads = "fake", req.Threads
	m := Measurement{Result: res}
	if req.Profile {
		m.Steps = steps
	}
	return m, nil
}

const testHost = "Test CPU @ 3.0GHz · AVX2 FMA · 2 threads · go1.26"

// testHostKey is the host key of the fake measurer's results (an empty
// fingerprint), so its points are this host's.
var testHostKey = calib.HostKey(host.Fingerprint{})

// histPoint is a history point of this host, native/fused/1t on the fake
// measurer's kernel set.
func histPoint(label string, f arch.Family, madds, mac int64, ms float64) chartdata.Point {
	return chartdata.Point{Label: label, Design: label, Family: f, Host: testHostKey, HostName: "Test CPU (2 cores)",
		Backend: "native", Kernels: "fake", Mode: "fused", Threads: 1, MAdds: madds, MAC: mac, LatencyMS: ms}
}

func testDeps(ms Measurer) Deps {
	return Deps{
		Measurer:   ms,
		Backends:   []Backend{{Name: "native"}, {Name: "cudnn", Unavailable: "no libcudnn.so.9 found (looked in $EXPLORER_CUDNN, LD_LIBRARY_PATH)"}},
		MaxThreads: 4,
		Host:       testHost,
		HostKey:    testHostKey,
		HostName:   "Test CPU (2 cores)",
		NoColor:    true,
		History: []chartdata.Point{
			histPoint("mobilenetv2-1.0", arch.MobileNetV2, 300_774_272, 26_000_000, 21),
			histPoint("shufflenetv1-1.0-g3", arch.ShuffleNetV1, 137_000_000, 15_000_000, 14),
		},
	}
}

// newModel builds the root with no status expiry (tests drain every Cmd).
func newModel(t testing.TB, deps Deps, w, h int) *Model {
	t.Helper()
	m, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	m.ttl = func(bool) time.Duration { return 0 }
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

func newTestModel(t testing.TB, ms Measurer, w, h int) *Model {
	t.Helper()
	return newModel(t, testDeps(ms), w, h)
}

// view is the plain text of the frame.
func view(m *Model) string { return ansi.Strip(m.View().Content) }

// keyMsg turns a key name into the message Bubble Tea would deliver.
var namedKeys = map[string]tea.Key{
	"up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown}, "left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight},
	"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "tab": {Code: tea.KeyTab}, "backspace": {Code: tea.KeyBackspace},
	"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
	"ctrl+u":    {Code: 'u', Mod: tea.ModCtrl}, "ctrl+c": {Code: 'c', Mod: tea.ModCtrl}, "space": {Code: tea.KeySpace, Text: " "},
}

func keyMsg(k string) tea.KeyPressMsg {
	if k, ok := namedKeys[k]; ok {
		return tea.KeyPressMsg(k)
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// send delivers keys and runs every resulting Cmd to completion, feeding
// the messages back (the synchronous equivalent of a program's loop). A
// key name longer than one rune that is not a named key is typed rune by
// rune.
func send(t testing.TB, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, named := namedKeys[k]; !named && len([]rune(k)) > 1 {
			for _, c := range k {
				send(t, m, string(c))
			}
			continue
		}
		_, cmd := m.Update(keyMsg(k))
		drain(t, m, cmd)
	}
}

func drain(t testing.TB, m *Model, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(30 * time.Second): // a loaded machine, or the race detector, writes an export slowly
		t.Fatal("command did not finish within 30s")
	}
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			drain(t, m, c)
		}
	case tea.QuitMsg:
	default:
		_, next := m.Update(msg)
		drain(t, m, next)
	}
}
