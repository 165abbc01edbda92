package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
)

// fakeMeasurer stands in for the real runner: its latency is a made-up
// linear function of the design's analytic cost, so results are
// deterministic; with block set it waits for cancellation.
type fakeMeasurer struct {
	block bool
}

func (f fakeMeasurer) Measure(ctx context.Context, req RunRequest, progress func(float64)) (Measurement, error) {
	progress(0.25)
	if f.block {
		<-ctx.Done()
		return Measurement{}, fmt.Errorf("fake run: %w", ctx.Err())
	}
	g, err := arch.Build(req.Spec)
	if err != nil {
		return Measurement{}, err
	}
	// 1 ns per MAdd and 4 ns per MAC element: arbitrary, only deterministic.
	var steps []StepTime
	var total int64
	for i := range g.Ops {
		op := &g.Ops[i]
		ns := cost.MultAdds(g, op) + 4*cost.MemAccess(g, op)
		total += ns
		steps = append(steps, StepTime{Ops: []string{op.ID}, Nanos: ns})
	}
	progress(1)
	d := time.Duration(total)
	return Measurement{Median: d, Min: d * 98 / 100, P10: d * 99 / 100, P90: d * 103 / 100, IQR: d * 2 / 100, Iters: 100, Steps: steps, Kernels: "fake"}, nil
}

const testHost = "Test CPU @ 3.0GHz · AVX2 FMA · 2 threads · go1.26"

func testDeps(ms Measurer) Deps {
	return Deps{
		Measurer:   ms,
		Backends:   []string{"native", "cudnn"},
		MaxThreads: 4,
		Host:       testHost,
		History: []Point{
			{Label: "mobilenetv2-1.0", Family: arch.MobileNetV2, Design: "mobilenetv2 1x", MultAdds: 300_774_272, MemAccess: 26_000_000, Latency: 21 * time.Millisecond, Run: "native/fused/1t", History: true},
			{Label: "shufflenetv1-1.0-g3", Family: arch.ShuffleNetV1, Design: "shufflenetv1 1x g=3", MultAdds: 137_000_000, MemAccess: 15_000_000, Latency: 14 * time.Millisecond, Run: "native/fused/1t", History: true},
		},
	}
}

func newTestModel(t testing.TB, ms Measurer, w, h int) *Model {
	t.Helper()
	m, err := New(testDeps(ms))
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// keyMsg turns a key name into the message Bubble Tea would deliver.
func keyMsg(k string) tea.KeyPressMsg {
	named := map[string]tea.Key{
		"up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown}, "left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight},
		"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "tab": {Code: tea.KeyTab}, "backspace": {Code: tea.KeyBackspace},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
		"ctrl+u":    {Code: 'u', Mod: tea.ModCtrl}, "ctrl+c": {Code: 'c', Mod: tea.ModCtrl}, "space": {Code: tea.KeySpace, Text: " "},
	}
	if k, ok := named[k]; ok {
		return tea.KeyPressMsg(k)
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// send delivers keys and runs every resulting Cmd to completion, feeding
// the messages back (the synchronous equivalent of a program's loop).
func send(t testing.TB, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
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
	case <-time.After(5 * time.Second):
		t.Fatal("command did not finish within 5s")
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
