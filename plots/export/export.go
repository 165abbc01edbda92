// Package export writes a session of the interactive explorer to a folder:
// the gap scatter of every measured design (FLOPs and MAC against measured
// latency, PNG and SVG; whole networks and the guideline micro-networks on
// separate charts, the correlation and the most misleading pair in words), the decomposition of the current design (MAdds vs
// MAC vs time share per category; MAdds vs MAC before it is measured), the
// roofline of its profiled ops, the charts of the guideline experiments that
// were run, and the data behind them: points.json and points.csv (the
// measured designs) and cost.json and cost.csv (the current design's cost
// report in the format of `explorer cost --format json|csv`).
//
// The package never prints; [Write] returns the files it wrote and notes on
// what it left out, and keeps going past a failed file so one bad chart
// never costs the data.
package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/cost/costfmt"
	"github.com/shufflelab/explorer/internal/safefile"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/plots/chartdata"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/calib"
	"github.com/shufflelab/explorer/runner/sweep"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Version is the version of the points.json format (2: the points are
// chartdata.Point, with host, configuration and spread).
const Version = 2

// Design is the current design and how its cost report is shown.
type Design struct {
	Spec   arch.Spec
	Preset string // the preset it was loaded from ("" = none)
	Fused  bool   // cost.json/csv in the fused view instead of as written
	By     costfmt.By
}

// Measured is the latest measurement of the current design with its
// per-step profile.
type Measured struct {
	Backend string
	Mode    runner.Mode
	Threads int
	Steps   []runner.StepTime
}

// Session is what [Write] exports.
type Session struct {
	// Host describes the machine in points.json; its first " · "-separated
	// part (the CPU) names it in chart titles.
	Host string
	// Points are the measured designs: this session's and the history's
	// (Session false), the current design marked Current.
	Points []chartdata.Point
	Design Design
	// Measured is the current design's latest measurement; nil when it has
	// not been measured (the decomposition then shows MAdds and MAC only).
	Measured *Measured
	// Ceiling is the roofline of Measured.Threads on this machine; nil
	// leaves the roofline out.
	Ceiling *calib.Ceiling
	// NoCeiling says why Ceiling is nil (e.g. the calibration failed), for
	// the notes; "" gives a generic note.
	NoCeiling string
	// Guidelines are the guideline experiments that were run, each with
	// every row measured.
	Guidelines []plots.GuidelineData
	// Fonts draws PNG chart text that Liberation Sans lacks (a design
	// named in CJK); nil searches the system's fonts when a text needs one.
	Fonts *plots.Fallback
}

// Result lists what [Write] wrote.
type Result struct {
	Files []string // paths of the files written, in the order written
	Notes []string // charts left out, and why
}

// Chart sizes: the gap scatters are larger because every point is labelled.
const (
	gapWidth  = 9 * vg.Inch
	gapHeight = 6 * vg.Inch
)

// labelledOps is the number of slowest ops named on the roofline.
const labelledOps = 3

// Write exports s into dir (created if needed). It writes every file it
// can; the error joins the failures, each naming its file.
func Write(dir string, s Session) (Result, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("export: %w", err)
	}
	w := &writer{dir: dir, fonts: s.Fonts}
	if w.fonts == nil {
		w.fonts, _ = plots.NewFallback("") // reads nothing: no error
	}

	// Gap scatters of the session's points: whole networks, and the
	// guideline micro-networks on their own charts.
	var pts []chartdata.Point
	for _, p := range s.Points {
		if p.Measured() {
			pts = append(pts, p)
		}
	}
	if len(pts) == 0 {
		w.note("no gap chart: nothing measured")
	}
	host, _, _ := strings.Cut(s.Host, " · ")
	for _, set := range chartdata.GapSets(pts, host, "", plots.MetricFLOPs, plots.MetricMAC) {
		for _, c := range set.Charts {
			if note := c.Note(); note != "" {
				w.note(note)
			}
			if c.Points == nil {
				continue
			}
			p, err := plots.Gap(c.Points, c.Options)
			w.chart(c.Name+".png", p, err, gapWidth, gapHeight)
			w.chart(c.Name+".svg", p, err, gapWidth, gapHeight)
		}
	}

	// The current design: decomposition, roofline and cost report.
	g, err := arch.Build(s.Design.Spec)
	if err != nil {
		w.fail(fmt.Errorf("export: current design: %w", err))
	} else {
		w.design(g, s)
	}

	// Guideline experiments.
	for _, gd := range s.Guidelines {
		p, err := plots.Guideline(gd)
		w.chart("guideline-"+plots.FileSlug(gd.Name)+".png", p, err, plots.GuidelineWidth, plots.GuidelineHeight)
	}

	w.data("points.json", func(b io.Writer) error { return pointsJSON(b, s) })
	w.data("points.csv", func(b io.Writer) error { return chartdata.WritePointsCSV(b, s.Points) })
	return w.res, errors.Join(w.errs...)
}

// writer collects the files written and the failures.
type writer struct {
	dir   string
	fonts *plots.Fallback
	res   Result
	errs  []error
}

func (w *writer) note(s string)  { w.res.Notes = append(w.res.Notes, s) }
func (w *writer) fail(err error) { w.errs = append(w.errs, err) }

// chart saves a built chart (or records why it could not be built).
func (w *writer) chart(name string, p *plot.Plot, err error, width, height vg.Length) {
	if err != nil {
		w.fail(fmt.Errorf("export %s: %w", name, err))
		return
	}
	path := filepath.Join(w.dir, name)
	saved, err := plots.Save(p, width, height, path, w.fonts)
	if err != nil {
		w.fail(fmt.Errorf("export: %w", err))
		return
	}
	if note := saved.Note(path, w.fonts); note != "" {
		w.note(note)
	}
	w.res.Files = append(w.res.Files, path)
}

// data writes a data file rendered in memory first (no partial files).
func (w *writer) data(name string, write func(io.Writer) error) {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		w.fail(fmt.Errorf("export %s: %w", name, err))
		return
	}
	path := filepath.Join(w.dir, name)
	if err := safefile.WriteFile(path, b.Bytes()); err != nil {
		w.fail(fmt.Errorf("export: %w", err))
		return
	}
	w.res.Files = append(w.res.Files, path)
}

// design writes the current design's decomposition, roofline and cost
// report. With a measurement the decomposition and roofline follow the
// view the mode executes (fused plan for fused, as written for eager), as
// `explorer run --profile` does; the cost files follow s.Design.Fused.
func (w *writer) design(g *arch.Graph, s Session) {
	plan := arch.FusedPlan(g)
	view := func(isFused bool) cost.Report {
		if isFused {
			return cost.Analyze(g, &plan)
		}
		return cost.Analyze(g, nil)
	}
	shown := view(s.Design.Fused)
	title := designTitle(s)

	var (
		cats []sweep.CategoryShare
		ops  []sweep.OpPoint
	)
	if m := s.Measured; m != nil && len(m.Steps) > 0 {
		cats, ops = sweep.ProfilePoints(runner.ProfileOf(g, m.Mode, m.Steps))
	} else {
		for _, c := range shown.Categories {
			if c.MultAdds != 0 || c.MemAccess != 0 {
				cats = append(cats, sweep.CategoryShare{Name: c.Name, MAdds: c.MultAdds, MAC: c.MemAccess})
			}
		}
	}
	mode := runner.Eager
	switch {
	case s.Measured != nil:
		mode = s.Measured.Mode
	case s.Design.Fused:
		mode = runner.Fused
	}
	var eager, fused []sweep.CategoryShare
	if mode == runner.Fused {
		fused = cats
	} else {
		eager = cats
	}
	p, err := chartdata.Decomposition(eager, fused)
	if err == nil {
		p.Title.Text += "\n" + title
	}
	w.chart("decomposition.png", p, err, plots.DefaultWidth, plots.DefaultHeight)

	switch {
	case s.Measured == nil:
		w.note("no roofline: design not measured")
	case len(ops) == 0:
		w.note("no roofline: no per-op profile")
	case s.Ceiling == nil || !s.Ceiling.Valid():
		why := s.NoCeiling
		if why == "" {
			why = "no calibration"
		}
		w.note("no roofline: " + why)
	default:
		pts := chartdata.RooflinePoints(ops, labelledOps)
		if note := chartdata.RooflineNote("roofline", ops); note != "" {
			w.note(note)
		}
		if len(pts) == 0 {
			break
		}
		p, err := plots.Roofline(pts, chartdata.Ceilings(*s.Ceiling))
		if err == nil {
			p.Title.Text += "\n" + title
		}
		w.chart("roofline.png", p, err, plots.RooflineWidth, plots.RooflineHeight)
	}

	w.data("cost.json", func(b io.Writer) error { return costfmt.WriteJSON(b, g.Spec, s.Design.Preset, shown) })
	by := s.Design.By
	if by == "" {
		by = costfmt.ByStage
	}
	w.data("cost.csv", func(b io.Writer) error { return costfmt.WriteCSV(b, by, shown) })
}

// designTitle names the current design (and its run) under a chart title.
func designTitle(s Session) string {
	name := s.Design.Spec.String()
	if s.Design.Preset != "" {
		name = s.Design.Preset
	}
	var extra []string
	if m := s.Measured; m != nil {
		extra = append(extra, fmt.Sprintf("%s/%s/%dt", m.Backend, m.Mode, m.Threads))
	}
	if cpu, _, _ := strings.Cut(s.Host, " · "); cpu != "" {
		extra = append(extra, cpu)
	}
	if len(extra) > 0 {
		name += " (" + strings.Join(extra, ", ") + ")"
	}
	return name
}

// pointsDoc is the points.json format.
type pointsDoc struct {
	Version int               `json:"version"`
	Host    string            `json:"host,omitempty"`
	Points  []chartdata.Point `json:"points"`
}

// pointsJSON writes points.json; a latency JSON cannot hold (NaN, Inf) is
// written as 0, "not measured".
func pointsJSON(w io.Writer, s Session) error {
	pts := make([]chartdata.Point, len(s.Points))
	for i, p := range s.Points {
		for _, v := range []*float64{&p.LatencyMS, &p.P10MS, &p.P90MS, &p.ImagesPerS, &p.RooflineMS} {
			if math.IsNaN(*v) || math.IsInf(*v, 0) {
				*v = 0
			}
		}
		pts[i] = p
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(pointsDoc{Version: Version, Host: s.Host, Points: pts})
}
