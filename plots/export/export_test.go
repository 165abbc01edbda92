package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/cost/costfmt"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/plots/chartdata"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/calib"
)

// Test data. The designs are the default ShuffleNetV2 1.0x and two made-up
// others; latencies and ceilings are arbitrary positive numbers (only the
// files' existence and content structure are checked, not the values).
var (
	snv2 = arch.Spec{Family: arch.ShuffleNetV2, Width: 1}

	testPoints = []chartdata.Point{
		{Label: "shufflenetv2-1.0", Family: "shufflenetv2", Design: "shufflenetv2 1x", Host: "h1", HostName: "Test CPU", Backend: "native", Mode: "fused", Threads: 1,
			MAdds: 146_000_000, MAC: 20_000_000, LatencyMS: 12, P10MS: 11.5, P90MS: 13, Session: true, Current: true},
		{Label: "mobilenetv2-1.0", Family: "mobilenetv2", Design: "mobilenetv2 1x", Host: "h1", HostName: "Test CPU", Backend: "native", Mode: "fused", Threads: 1,
			MAdds: 300_000_000, MAC: 26_000_000, LatencyMS: 21},
		{Label: "shufflenetv1-1.0-g3", Family: "shufflenetv1", Design: "shufflenetv1 1x g=3", Host: "h1", HostName: "Test CPU", Backend: "native", Mode: "eager", Threads: 2,
			MAdds: 137_000_000, MAC: 15_000_000, LatencyMS: 9, Session: true},
	}
	testCeiling = calib.Ceiling{Threads: 1, PeakGFLOPS: 100, L2GBps: 100, DRAMGBps: 30}
	testGuide   = plots.GuidelineData{Name: "G1 x1", Title: "equal channel width minimises MAC", LocalName: "this CPU",
		Rows: []plots.GuidelineRow{{Label: "1:1", Local: 100, PaperGPU: 1480, PaperARM: 76.2}, {Label: "1:2", Local: 90, PaperGPU: 1296, PaperARM: 72.9}}}
)

// fusedSteps gives every executed step of the fused plan 1000 ns.
func fusedSteps(t *testing.T, s arch.Spec) []runner.StepTime {
	t.Helper()
	g, err := arch.Build(s)
	if err != nil {
		t.Fatal(err)
	}
	var steps []runner.StepTime
	for _, st := range arch.FusedPlan(g).Steps {
		if st.View {
			continue
		}
		var ids []string
		for _, oi := range st.Ops {
			ids = append(ids, g.Ops[oi].ID)
		}
		steps = append(steps, runner.StepTime{Name: ids[0], Ops: ids, Nanos: 1000})
	}
	return steps
}

func TestWrite(t *testing.T) {
	full := Session{
		Host:       "Test CPU (2 cores)",
		Points:     testPoints,
		Design:     Design{Spec: snv2, Preset: "shufflenetv2-1.0"},
		Measured:   &Measured{Backend: "native", Mode: runner.Fused, Threads: 1, Steps: fusedSteps(t, snv2)},
		Ceiling:    &testCeiling,
		Guidelines: []plots.GuidelineData{testGuide},
	}
	noRun := full
	noRun.Measured, noRun.Ceiling, noRun.Guidelines = nil, nil, nil
	noCeiling := full
	noCeiling.Ceiling = nil
	noPoints := noRun
	noPoints.Points = []chartdata.Point{{Label: "bad", Family: "shufflenetv2", MAdds: 1, MAC: 1, LatencyMS: math.NaN()}}

	gaps := []string{"gap-flops.png", "gap-flops.svg", "gap-mac.png", "gap-mac.svg"}
	data := []string{"cost.json", "cost.csv", "points.json", "points.csv"}
	tests := []struct {
		name  string
		s     Session
		files []string
		note  string // a note that must be given ("" = none at all)
	}{
		{"full", full, append(append(slices.Clone(gaps), "decomposition.png", "roofline.png", "guideline-g1-x1.png"), data...), ""},
		{"not measured", noRun, append(append(slices.Clone(gaps), "decomposition.png"), data...), "no roofline: design not measured"},
		{"no calibration", noCeiling, append(append(slices.Clone(gaps), "decomposition.png", "guideline-g1-x1.png"), data...), "no roofline: no calibration"},
		{"no valid points", noPoints, append([]string{"decomposition.png"}, data...), "no gap chart: nothing measured"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out", "nested")
			res, err := Write(dir, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Files {
				if filepath.Dir(f) != dir {
					t.Errorf("%s is not in %s", f, dir)
				}
				got = append(got, filepath.Base(f))
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.files))
			if !slices.Equal(got, want) {
				t.Errorf("files %v, want %v", got, want)
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != len(want) {
				t.Errorf("%d entries in %s, want %d", len(ents), dir, len(want))
			}
			for _, f := range res.Files {
				checkFile(t, f)
			}
			notes := strings.Join(res.Notes, "; ")
			if tc.note == "" && notes != "" || !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q, want %q", notes, tc.note)
			}
		})
	}
}

// checkFile checks that a written file is a non-empty, well-formed file of
// its kind.
func checkFile(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		t.Errorf("%s: empty or unreadable: %v", path, err)
		return
	}
	switch filepath.Ext(path) {
	case ".png":
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() < 100 {
			t.Errorf("%s is not a real PNG: %v", path, err)
		}
	case ".svg":
		if !bytes.Contains(b, []byte("<svg")) {
			t.Errorf("%s is not an SVG", path)
		}
	case ".json":
		if !json.Valid(b) {
			t.Errorf("%s is not valid JSON", path)
		}
	case ".csv":
		if _, err := csv.NewReader(bytes.NewReader(b)).ReadAll(); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

// TestWriteData checks the data files against independent sources: the
// session's points, and cost.Analyze of the design (what `explorer cost`
// prints).
func TestWriteData(t *testing.T) {
	dir := t.TempDir()
	s := Session{Host: "Test CPU", Points: testPoints, Design: Design{Spec: snv2, Preset: "shufflenetv2-1.0", Fused: true, By: costfmt.ByCategory}}
	if _, err := Write(dir, s); err != nil {
		t.Fatal(err)
	}
	var pd struct {
		Version int               `json:"version"`
		Host    string            `json:"host"`
		Points  []chartdata.Point `json:"points"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "points.json"))
	if err := json.Unmarshal(b, &pd); err != nil {
		t.Fatal(err)
	}
	if pd.Version != Version || pd.Host != s.Host || !slices.Equal(pd.Points, testPoints) {
		t.Errorf("points.json = %+v, want the session's points", pd)
	}
	f, _ := os.Open(filepath.Join(dir, "points.csv"))
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != len(testPoints)+1 {
		t.Fatalf("points.csv: %d records (%v), want header + %d", len(recs), err, len(testPoints))
	}
	if !slices.Equal(recs[0], chartdata.PointsCSVHeader()) {
		t.Errorf("points.csv header = %v, want chartdata.PointsCSVHeader (the one points format)", recs[0])
	}
	col := func(name string) int { return slices.Index(recs[0], name) }
	if recs[1][0] != testPoints[0].Label || recs[1][col("flops")] != "292000000" || recs[1][col("p10_ms")] != "11.5" { // FLOPs = 2 x 146M MAdds; p10
		t.Errorf("points.csv row 1 = %v", recs[1])
	}

	g, err := arch.Build(snv2)
	if err != nil {
		t.Fatal(err)
	}
	plan := arch.FusedPlan(g)
	rep := cost.Analyze(g, &plan)
	var doc costfmt.Document
	b, _ = os.ReadFile(filepath.Join(dir, "cost.json"))
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Preset != s.Design.Preset || doc.View != rep.View || doc.Totals != rep.Totals || len(doc.Ops) != len(rep.Rows) {
		t.Errorf("cost.json: preset %q view %s totals %+v with %d ops; want %q %s %+v with %d", doc.Preset, doc.View, doc.Totals, len(doc.Ops),
			s.Design.Preset, rep.View, rep.Totals, len(rep.Rows))
	}
	f, _ = os.Open(filepath.Join(dir, "cost.csv"))
	recs, err = csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != len(rep.Categories)+2 || recs[0][0] != "category" || recs[len(recs)-1][0] != "total" {
		t.Errorf("cost.csv: %v, want a category header, %d categories and a total:\n%v", err, len(rep.Categories), recs)
	}
}

// TestWriteErrors: failures are errors that name the file, never panics,
// and the other files are still written.
func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(filepath.Join(blocker, "sub"), Session{Design: Design{Spec: snv2}}); err == nil {
		t.Error("export under a regular file succeeded")
	}

	bad := testGuide
	bad.Rows = []plots.GuidelineRow{{Label: "1:1", Local: 100}, {Label: "1:2", Local: 0}} // one local speed missing
	out := filepath.Join(dir, "out")
	res, err := Write(out, Session{Points: testPoints, Design: Design{Spec: snv2}, Guidelines: []plots.GuidelineData{bad}})
	if err == nil || !strings.Contains(err.Error(), "guideline-g1-x1.png") {
		t.Errorf("bad guideline data: error %v, want one naming guideline-g1-x1.png", err)
	}
	if len(res.Files) != 9 { // 4 gap files, decomposition, 4 data files
		t.Errorf("wrote %d files after a failed chart, want 9: %v", len(res.Files), res.Files)
	}

	res, err = Write(filepath.Join(dir, "bad-design"), Session{Points: testPoints, Design: Design{Spec: arch.Spec{Family: "nonesuch"}}})
	if err == nil || !strings.Contains(err.Error(), "current design") {
		t.Errorf("unbuildable design: error %v", err)
	}
	if len(res.Files) != 6 { // 4 gap files, points.json, points.csv
		t.Errorf("wrote %d files with an unbuildable design, want 6: %v", len(res.Files), res.Files)
	}
}
