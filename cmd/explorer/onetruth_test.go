package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/guideline"
	"github.com/shufflelab/explorer/runner/native"
	"github.com/shufflelab/explorer/runner/weights"
	"github.com/shufflelab/explorer/ui"
)

// These tests give the command line and the interactive explorer the same
// input and check that they print the same figures and words: one domain
// function per concept serves both.

// drive delivers keys to the UI and runs every Cmd (the synchronous
// equivalent of the program's loop). A Cmd still waiting after 3 s
// is a timer (a status message's expiry) and is left behind.
func drive(t *testing.T, m *ui.Model, keys ...tea.KeyPressMsg) {
	t.Helper()
	var run func(cmd tea.Cmd)
	run = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		ch := make(chan tea.Msg, 1)
		go func() { ch <- cmd() }()
		var msg tea.Msg
		select {
		case msg = <-ch:
		case <-time.After(3 * time.Second):
			return
		}
		switch msg := msg.(type) {
		case nil, tea.QuitMsg:
		case tea.BatchMsg:
			for _, c := range msg {
				run(c)
			}
		default:
			_, next := m.Update(msg)
			run(next)
		}
	}
	for _, k := range keys {
		_, cmd := m.Update(k)
		run(cmd)
	}
}

func press(s string) tea.KeyPressMsg { return tea.KeyPressMsg{Code: rune(s[0]), Text: s} }

// TestProfileSharesCLIAndTUI: ShuffleNetV2 1.0x, fused, profiled by the
// native engine once; `explorer run --profile` and the explorer's run pane
// get the same steps and show the same time share per category, data
// movement (the passthrough copies that cover no graph op) included.
func TestProfileSharesCLIAndTUI(t *testing.T) {
	g, err := arch.Build(arch.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	prog, err := native.New().Compile(g, weights.Random(g, 1), runner.Options{Mode: runner.Fused, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	in := make([]float32, g.Tensors[g.Input].Shape.Elems())
	out := make([]float32, g.Tensors[g.Output].Shape.Elems())
	steps, err := prog.Profile(context.Background(), in, out)
	prog.Close()
	if err != nil {
		t.Fatal(err)
	}
	extra := 0
	for _, s := range steps {
		if len(s.Ops) == 0 {
			extra++
		}
	}
	if extra == 0 {
		t.Fatal("the fused engine ran no copy step; the test would not cover data movement")
	}

	f := newFakeDeps()
	f.be.prog.steps = steps
	var cliOut, errb bytes.Buffer
	args := []string{"--preset", "shufflenetv2-1.0", "--mode", "fused", "--profile", "--min-iters", "1", "--min-time", "0", "--warmup", "0", "--history", "off"}
	if err := runWith(context.Background(), args, &cliOut, &errb, f.deps()); err != nil {
		t.Fatalf("explorer run: %v: %s", err, errb.String())
	}
	cli := categoryShares(t, cliOut.String(), `(?m)^\s*([a-z0-9 ]+?)\s+[0-9.]+\s+([0-9.]+)\s+[0-9.]+\s+[0-9.]+\s+\S+\s*$`)

	f2 := newFakeDeps()
	f2.be.prog.steps = steps
	u := newUIMeasurer(f2.deps(), "")
	u.budget = runner.MeasureOptions{MinIters: 1}
	m, err := ui.New(ui.Deps{Measurer: u, Backends: []ui.Backend{{Name: "native"}}, MaxThreads: 1, NoColor: true})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	drive(t, m, press("r"))
	view := ansi.Strip(m.View().Content)
	i := strings.Index(view, "Where the time goes")
	if i < 0 {
		t.Fatalf("no run pane profile:\n%s", view)
	}
	tui := categoryShares(t, view[i:], `(?m)([a-z0-9]+(?: [a-z0-9]+)?)\s+([0-9]+\.[0-9])\s+[0-9]+\.[0-9]\s+[0-9]+\.[0-9]`)
	dm := string(cost.CatDataMovement)
	if cli[dm] == "" || cli[dm] == "0.0" {
		t.Fatalf("CLI data movement share %q\n%s", cli[dm], cliOut.String())
	}
	for name, share := range cli {
		if tui[name] != share {
			t.Errorf("%s: time share %s%% in explorer run --profile, %s%% in the TUI", name, share, tui[name])
		}
	}
	t.Logf("data movement: %s%% of the time in both (%d copy steps)", cli[dm], extra)
}

// categoryShares reads "category ... time%" rows with re (group 1 the
// category, group 2 the share).
func categoryShares(t *testing.T, text, re string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(text, -1) {
		name := strings.TrimSpace(m[1])
		for _, c := range []cost.Category{cost.CatConv1x1, cost.CatConvKxK, cost.CatGroupConv, cost.CatDepthwise, cost.CatElementwise, cost.CatDataMovement, cost.CatPooling, cost.CatFC} {
			if name == string(c) {
				if _, seen := out[name]; !seen {
					out[name] = m[2]
				}
			}
		}
	}
	if len(out) < 3 {
		t.Fatalf("found %v in:\n%s", out, text)
	}
	return out
}

// latencyOf is a made-up, deterministic latency: 1 ms per 10M MAdds plus
// 1 ms per 1M MAC elements (any function of the design does; both sides
// get the same).
func latencyOf(s arch.Spec) float64 {
	g, err := arch.Build(s)
	if err != nil {
		return 0
	}
	t := cost.Analyze(g, nil).Totals
	return float64(t.MultAdds)/1e7 + float64(t.MemAccess)/1e6
}

// fixedMeasurer measures with latencyOf.
type fixedMeasurer struct{}

func (fixedMeasurer) Measure(_ context.Context, req ui.RunRequest, progress func(float64)) (ui.Measurement, error) {
	progress(1)
	var r runner.Result
	r.LatencyMS.Median = latencyOf(req.Spec)
	return ui.Measurement{Result: r}, nil
}

// TestGuidelineVerdictsCLIAndTUI: G1 at ARM sizes, scale 1, with the same
// latencies: `explorer guidelines` and the guidelines screen print the
// same relative speeds and the same verdict sentence.
func TestGuidelineVerdictsCLIAndTUI(t *testing.T) {
	var cliOut, errb bytes.Buffer
	d := guidelinesDeps{measure: func(*measureFlags) (guideline.MeasureFunc, error) {
		return func(_ context.Context, s arch.Spec, _ runner.Mode) (float64, error) { return latencyOf(s), nil }, nil
	}}
	if err := guidelinesWith(context.Background(), []string{"--exp", "G1", "--scales", "1", "--out", ""}, &cliOut, &errb, d); err != nil {
		t.Fatalf("explorer guidelines: %v: %s", err, errb.String())
	}
	cli := cliOut.String()
	i := strings.Index(cli, "holds")
	if i < 0 {
		t.Fatalf("no verdict in:\n%s", cli)
	}
	verdict := strings.Join(strings.Fields(cli[i:strings.Index(cli[i:], ".\n")+i+1]), " ")

	m, err := ui.New(ui.Deps{Measurer: fixedMeasurer{}, Backends: []ui.Backend{{Name: "native"}}, MaxThreads: 1, NoColor: true})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 240, Height: 60})
	drive(t, m, press("3"), press("r"))
	view := ansi.Strip(m.View().Content)
	if flat := strings.Join(strings.Fields(view), " "); !strings.Contains(flat, verdict) {
		t.Errorf("the TUI lacks the CLI's verdict %q:\n%s", verdict, view)
	}
	// The relative speeds of the table rows: the same numbers.
	rel := regexp.MustCompile(`\b[0-9]\.[0-9]{2}\b`)
	for _, l := range strings.Split(cli, "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.HasPrefix(f[0], "1:") {
			for _, n := range rel.FindAllString(l, -1) {
				if !strings.Contains(view, n) {
					t.Errorf("the TUI lacks the relative speed %s of the CLI's row %q", n, l)
				}
			}
		}
	}
}
