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
	"github.com/shufflelab/explorer/export"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/calib"
)

// exportState tracks the export in flight (at most one).
type exportState struct {
	active      bool
	calibrating bool
	dir         string
	cancel      context.CancelFunc
}

// exportCalibMsg says the export of job waits for a calibration.
type exportCalibMsg struct{ job exportJob }

// exportDoneMsg carries the outcome of an export.
type exportDoneMsg struct {
	dir string
	res export.Result
	err error
}

// exportJob is everything an export needs, copied from the model so the
// Cmd's goroutine shares nothing with Update.
type exportJob struct {
	ctx     context.Context
	dir     string
	s       export.Session
	cal     Calibrator // nil: no roofline
	threads int
}

// canExport reports whether the session has something measured to export.
func (m *Model) canExport() bool { return len(m.points) > 0 && !m.exp.active && !m.run.active }

// startExport opens the export prompt with a time-stamped folder name.
func (m *Model) startExport() {
	now := time.Now
	if m.deps.Now != nil {
		now = m.deps.Now
	}
	m.editing, m.input = editExport, filepath.Join(m.deps.ExportDir, "explorer-export-"+now().Format("20060102-150405"))
}

// exportTo starts writing the session to dir off the UI goroutine.
func (m *Model) exportTo(dir string) tea.Cmd {
	dir = strings.TrimSpace(dir)
	if dir == "" {
		m.fail(errors.New("export: empty folder name"))
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	job := exportJob{ctx: ctx, dir: dir, s: m.exportSession(), threads: m.d.threads}
	if ms := job.s.Measured; ms != nil {
		switch {
		case ms.Backend != "native":
			job.s.NoCeiling = "ran on " + ms.Backend + ", not this CPU"
		case m.deps.Calibrator == nil:
			job.s.NoCeiling = "no calibrator"
		default:
			job.cal = m.deps.Calibrator
		}
	}
	m.exp = exportState{active: true, dir: dir, cancel: cancel}
	m.inform("exporting to " + dir + "…")
	m.logf("export to %s", dir)
	return func() tea.Msg {
		if job.cal != nil {
			c, ok := job.cal.Cached(job.threads)
			if !ok {
				return exportCalibMsg{job: job}
			}
			job.s.Ceiling = &c
		}
		return job.write()
	}
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

func (m *Model) handleExportCalib(msg exportCalibMsg) tea.Cmd {
	if !m.exp.active {
		return nil
	}
	m.exp.calibrating = true
	m.inform(fmt.Sprintf("calibrating the roofline ceilings (%d thread(s), once per machine)… esc skips the roofline", msg.job.threads))
	m.logf("export: calibrating %d thread(s)", msg.job.threads)
	return calibrateThenWrite(msg.job)
}

func (m *Model) handleExportDone(msg exportDoneMsg) {
	if m.exp.cancel != nil {
		m.exp.cancel()
	}
	m.exp = exportState{}
	abs, err := filepath.Abs(msg.dir)
	if err != nil {
		abs = msg.dir
	}
	m.logf("export to %s: %d files", abs, len(msg.res.Files))
	for _, f := range msg.res.Files {
		m.logf("export: wrote %s", f)
	}
	for _, n := range msg.res.Notes {
		m.logf("export: %s", n)
	}
	if msg.err != nil {
		m.fail(fmt.Errorf("export to %s: %d files written, then: %w", msg.dir, len(msg.res.Files), msg.err))
		return
	}
	s := fmt.Sprintf("exported %d files to %s", len(msg.res.Files), msg.dir)
	if len(msg.res.Notes) > 0 {
		s += " · " + strings.Join(msg.res.Notes, " · ")
	}
	m.inform(s)
}

// skipCalibration cancels a calibration in flight; the export goes on
// without the roofline.
func (m *Model) skipCalibration() {
	if m.exp.active && m.exp.calibrating && m.exp.cancel != nil {
		m.exp.cancel()
		m.inform("calibration cancelled; exporting without the roofline…")
	}
}

// exportSession copies what the export writes out of the model.
func (m *Model) exportSession() export.Session {
	preset := m.d.preset
	if m.d.edited {
		preset = ""
	}
	by := costfmt.ByStage
	if m.co.byCategory {
		by = costfmt.ByCategory
	}
	s := export.Session{
		Host:   m.deps.Host,
		Design: export.Design{Spec: cloneSpec(m.d.spec), Preset: preset, Fused: m.co.fused, By: by},
	}
	for _, p := range m.points {
		s.Points = append(s.Points, export.Point{Label: p.Label, Family: string(p.Family), Design: p.Design,
			MAdds: p.MultAdds, MAC: p.MemAccess, LatencyMS: float64(p.Latency) / float64(time.Millisecond),
			Run: p.Run, History: p.History, Current: m.isCurrent(p)})
	}
	if r := &m.run; r.last != nil && r.lastKey == designKey(m.d.request()) {
		ms := &export.Measured{Backend: m.d.backend, Mode: m.d.mode, Threads: m.d.threads}
		for _, st := range r.last.Steps {
			ms.Steps = append(ms.Steps, runner.StepTime{Name: st.Name, Ops: append([]string(nil), st.Ops...), Nanos: st.Nanos})
		}
		s.Measured = ms
	}
	s.Guidelines = m.guideCharts()
	return s
}

// guideCharts are the chart data of every guideline experiment and scale
// whose rows were all measured in this session.
func (m *Model) guideCharts() []plots.GuidelineData {
	var out []plots.GuidelineData
	g := &m.guide
	for xi, x := range g.exps {
		for si, scale := range x.Scales {
			d := plots.GuidelineData{Name: fmt.Sprintf("%s x%d", x.ID, scale), Title: x.Title, LocalName: "this machine"}
			var gpu, arm []float64
			complete := true
			for ri, r := range x.Rows {
				lat, ok := g.local[[3]int{xi, si, ri}]
				if !ok || lat <= 0 {
					complete = false
					break
				}
				d.Rows = append(d.Rows, plots.GuidelineRow{Label: r.Label, Local: 1 / lat.Seconds()})
				gpu, arm = append(gpu, paperSpeed(r.GPU, si)), append(arm, paperSpeed(r.ARM, si))
			}
			if !complete || len(d.Rows) == 0 {
				continue
			}
			// A paper series is drawn only when the paper gives every row.
			for i := range d.Rows {
				if allPositive(gpu) {
					d.Rows[i].PaperGPU = gpu[i]
				}
				if allPositive(arm) {
					d.Rows[i].PaperARM = arm[i]
				}
			}
			out = append(out, d)
		}
	}
	return out
}

func paperSpeed(v []float64, i int) float64 {
	if i < len(v) {
		return v[i]
	}
	return 0
}

func allPositive(v []float64) bool {
	for _, x := range v {
		if !(x > 0) {
			return false
		}
	}
	return true
}

// Calibrator gives the roofline ceilings of this machine for the exported
// roofline chart. Implementations must never write to stdout or stderr.
type Calibrator interface {
	// Cached returns the cached ceiling for threads; ok is false when it
	// has to be measured first.
	Cached(threads int) (c calib.Ceiling, ok bool)
	// Calibrate measures the ceiling for threads (about a second per
	// thread count), caches it and returns it; it honours ctx, returning
	// an error that wraps context.Canceled when cancelled.
	Calibrate(ctx context.Context, threads int) (calib.Ceiling, error)
}
