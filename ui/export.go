package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/shufflelab/explorer/cost/costfmt"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/plots/chartdata"
	"github.com/shufflelab/explorer/plots/export"
	"github.com/shufflelab/explorer/runner/guideline"
	"github.com/shufflelab/explorer/runner/registry"
)

// exporter writes the session to a folder (package export): it asks for
// the folder, calibrates the roofline when the cache lacks it, and writes
// off the UI goroutine. At most one export runs.
type exporter struct {
	sess        *session
	input       prompt
	active      bool
	calibrating bool
	cancel      context.CancelFunc
	// say shows a message on the status line at once (the root's
	// [Model.say]): an info Cmd batched with the export's work could land
	// after the export's outcome and hide it.
	say func(text string, isErr, sticky bool) tea.Cmd
}

// exportCalibMsg says the export of job waits for a calibration.
type exportCalibMsg struct{ job exportJob }

// exportDoneMsg carries the outcome of an export.
type exportDoneMsg struct {
	dir string
	res export.Result
	err error
}

// exportJob is everything an export needs, copied from the screens so the
// Cmd's goroutine shares nothing with Update.
type exportJob struct {
	ctx     context.Context
	dir     string
	s       export.Session
	cal     Calibrator // nil: no roofline
	threads int
}

// open asks for the folder, proposing a time-stamped name.
func (x *exporter) open(w int) {
	now := time.Now
	if x.sess.deps.Now != nil {
		now = x.sess.deps.Now
	}
	x.input.start("export plots and data to folder:", 0, filepath.Join(x.sess.deps.ExportDir, "explorer-export-"+now().Format("20060102-150405")), w)
}

// start writes s to dir off the UI goroutine.
func (x *exporter) start(dir string, s export.Session, threads int) tea.Cmd {
	dir = strings.TrimSpace(dir)
	if dir == "" {
		return x.say("export: empty folder name", true, false)
	}
	ctx, cancel := context.WithCancel(context.Background())
	job := exportJob{ctx: ctx, dir: dir, s: s, threads: threads}
	if ms := job.s.Measured; ms != nil {
		b, err := registry.LookupBackend(ms.Backend)
		switch {
		case err != nil || !b.CPU:
			job.s.NoCeiling = "ran on " + ms.Backend + ", not this CPU"
		case x.sess.deps.Calibrator == nil:
			job.s.NoCeiling = "no calibrator"
		default:
			job.cal = x.sess.deps.Calibrator
		}
	}
	x.active, x.cancel = true, cancel
	x.sess.logf("export to %s", dir)
	return tea.Batch(x.say(fmt.Sprintf("exporting to %s…", dir), false, false), func() tea.Msg {
		if job.cal != nil {
			c, ok := job.cal.Cached(job.threads)
			if !ok {
				return exportCalibMsg{job: job}
			}
			job.s.Ceiling = &c
		}
		return job.write()
	})
}

// calibrateThenWrite measures the roofline ceilings, then writes the export.
func calibrateThenWrite(job exportJob) tea.Cmd {
	return func() tea.Msg {
		c, err := job.cal.Calibrate(job.ctx, job.threads)
		switch {
		case errors.Is(err, context.Canceled):
			job.s.NoCeiling = "calibration cancelled"
		case err != nil:
			job.s.NoCeiling = "calibration failed: " + err.Error()
		default:
			job.s.Ceiling = &c
		}
		return job.write()
	}
}

// write exports into the folder as typed (a relative name is relative to
// the directory the explorer was started in).
func (job exportJob) write() tea.Msg {
	res, err := export.Write(job.dir, job.s)
	return exportDoneMsg{dir: job.dir, res: res, err: err}
}

// update handles the export's messages.
func (x *exporter) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case exportCalibMsg:
		if !x.active {
			return nil
		}
		x.calibrating = true
		x.sess.logf("export: calibrating %d thread(s)", msg.job.threads)
		return tea.Batch(x.say(fmt.Sprintf("calibrating the roofline ceilings (%d thread(s), once per machine)… esc skips the roofline", msg.job.threads), false, false),
			calibrateThenWrite(msg.job))
	case exportDoneMsg:
		return x.done(msg)
	}
	return nil
}

func (x *exporter) done(msg exportDoneMsg) tea.Cmd {
	if x.cancel != nil {
		x.cancel()
	}
	x.active, x.calibrating, x.cancel = false, false, nil
	for _, f := range msg.res.Files {
		x.sess.logf("export: wrote %s", f)
	}
	for _, n := range msg.res.Notes {
		x.sess.logf("export: %s", n)
	}
	if msg.err != nil {
		// It stays until the next key: the export ran in the background
		// and its failure must not go unseen.
		return x.say(fmt.Sprintf("export to %s: %d files written, then: %v", msg.dir, len(msg.res.Files), msg.err), true, true)
	}
	s := fmt.Sprintf("exported %d files to %s", len(msg.res.Files), msg.dir)
	if len(msg.res.Notes) > 0 {
		s += " · " + strings.Join(msg.res.Notes, " · ")
	}
	return x.say(s, false, false)
}

// skipCalibration cancels a calibration in flight; the export goes on
// without the roofline.
func (x *exporter) skipCalibration() tea.Cmd {
	if x.active && x.calibrating && x.cancel != nil {
		x.cancel()
		return x.say("calibration cancelled; exporting without the roofline…", false, false)
	}
	return nil
}

// exportSession copies what the export writes out of the screens.
func exportSession(sess *session, e *exploreScreen, g *guideScreen) export.Session {
	d := e.d
	preset := d.preset
	if d.edited {
		preset = ""
	}
	by := costfmt.ByStage
	if e.co.byCategory {
		by = costfmt.ByCategory
	}
	s := export.Session{
		Host:   sess.deps.Host,
		Design: export.Design{Spec: cloneSpec(d.spec), Preset: preset, Fused: e.co.fused, By: by},
	}
	s.Points = append(s.Points, sess.points...)
	chartdata.MarkCurrent(s.Points, &d.spec)
	if r := e.current(); r != nil && len(r.m.Steps) > 0 {
		s.Measured = &export.Measured{Backend: d.backend, Mode: d.mode, Threads: d.threads, Steps: r.m.Steps}
	}
	s.Guidelines = guideCharts(g.measuredTables())
	return s
}

// guideCharts are the chart data of measured guideline tables (one scale
// column each), through chartdata.Guideline as `explorer guidelines` draws them.
func guideCharts(ts []guideline.Table) []plots.GuidelineData {
	var out []plots.GuidelineData
	for _, t := range ts {
		for j := range t.Scales {
			out = append(out, chartdata.Guideline(t, j))
		}
	}
	return out
}
