package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
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
	// asking is an export that waits for the user's y: its folder already
	// holds files (as a save asks before replacing a file).
	asking *exportExistsMsg
}

// exportExistsMsg says the folder of job already holds files (n entries):
// nothing was written, and the user is asked first.
type exportExistsMsg struct {
	job exportJob
	n   int
}

// exportCalibMsg says the export of job waits for a calibration.
type exportCalibMsg struct{ job exportJob }

// exportDoneMsg carries the outcome of an export; stale names the files
// the folder held before that this export did not write.
type exportDoneMsg struct {
	dir   string
	res   export.Result
	err   error
	stale []string
}

// exportJob is everything an export needs, copied from the screens so the
// Cmd's goroutine shares nothing with Update.
type exportJob struct {
	ctx        context.Context
	cancelFunc context.CancelFunc // ends ctx
	dir        string
	s          export.Session
	cal        Calibrator // nil: no roofline
	threads    int
	// overwrite: the user said y to a folder that holds files (they are
	// replaced; the others stay and the status line names them).
	overwrite bool
	before    []string // the folder's entries before the export (with overwrite)
}

// exportPromptLabel is the label of the export's folder field.
const exportPromptLabel = "export plots and data to folder:"

// open asks for the folder, proposing a time-stamped name.
func (x *exporter) open(w int) {
	now := time.Now
	if x.sess.deps.Now != nil {
		now = x.sess.deps.Now
	}
	x.input.start(exportPromptLabel, 0, filepath.Join(x.sess.deps.ExportDir, "explorer-export-"+now().Format("20060102-150405")), w)
}

// start writes s to dir off the UI goroutine.
func (x *exporter) start(dir string, s export.Session, threads int) tea.Cmd {
	dir = strings.TrimSpace(dir)
	if dir == "" {
		return x.say("export: empty folder name", true, false)
	}
	ctx, cancel := context.WithCancel(context.Background())
	job := exportJob{ctx: ctx, cancelFunc: cancel, dir: dir, s: s, threads: threads}
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
	return x.run(job)
}

// run starts job off the UI goroutine: unless the user already said y, a
// folder that holds files is not written but asked about first.
func (x *exporter) run(job exportJob) tea.Cmd {
	x.active, x.cancel = true, job.cancelFunc
	x.sess.logf("export to %s", job.dir)
	return tea.Batch(x.say(fmt.Sprintf("exporting to %s…", job.dir), false, false), func() tea.Msg {
		names, err := entries(job.dir)
		switch {
		case err == nil && len(names) > 0 && !job.overwrite:
			return exportExistsMsg{job: job, n: len(names)}
		case job.overwrite:
			job.before = names
		}
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
	msg := exportDoneMsg{dir: job.dir, res: res, err: err}
	written := map[string]bool{}
	for _, f := range res.Files {
		written[filepath.Base(f)] = true
	}
	for _, n := range job.before {
		if !written[n] {
			msg.stale = append(msg.stale, n)
		}
	}
	return msg
}

// entries are the names in folder dir; none where it does not exist.
func entries(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	return names, nil
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
	case exportExistsMsg:
		if !x.active {
			return nil
		}
		x.active, x.cancel = false, nil
		x.asking = &msg
		return nil
	case exportDoneMsg:
		return x.done(msg)
	}
	return nil
}

// answer answers the question whether to write into a folder that holds
// files: y writes (files of the same names are replaced), esc keeps the
// folder as it is (nothing exported), any other key goes back to the name.
func (x *exporter) answer(k tea.KeyPressMsg, w int) tea.Cmd {
	a := x.asking
	x.asking = nil
	switch k.String() {
	case "y":
		job := a.job
		job.overwrite = true
		return x.run(job)
	case "esc":
		a.job.cancelFunc()
		return x.say(fmt.Sprintf("not exported: %s holds files", a.job.dir), false, false)
	}
	a.job.cancelFunc()
	x.input.start(exportPromptLabel, 0, a.job.dir, w)
	return nil
}

// question is the status line while the user is asked.
func (x *exporter) question(st styles, w int) string {
	a := x.asking
	return fit(st.err.Render(fmt.Sprintf("%s holds %d files: export into it anyway? ", a.job.dir, a.n))+st.title.Render("y")+" replaces files of the same names", w)
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
	if n := len(msg.stale); n > 0 {
		// Files of an earlier export (or anything else) that this one did
		// not replace: said, never deleted.
		x.sess.logf("export: %s holds %d files not from this export: %s", msg.dir, n, strings.Join(msg.stale, ", "))
		what := fmt.Sprintf("%d files there are", n)
		if n == 1 {
			what = "1 file there is"
		}
		s += fmt.Sprintf(" · %s not from this export: %s", what, strings.Join(msg.stale, ", "))
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
