package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/shufflelab/explorer/plots/chartdata"
	"github.com/shufflelab/explorer/runner"
)

// screenID names a screen.
type screenID int

// The screens, in tab order.
const (
	scrExplore screenID = iota
	scrGap
	scrGuide
	scrPresets
	numScreens
)

var screenNames = [numScreens]string{"explore", "gap chart", "guidelines", "presets"}

// session is what every screen reads: the dependencies, the styles, the
// measured points and the one measurement slot. Screens change it only in
// their Update; View only reads it.
type session struct {
	deps   Deps
	st     styles
	points []chartdata.Point
	job    jobSlot
	// design is the explorer's current design (the explorer owns it; other
	// screens read it, e.g. to run guidelines with its backend and mode).
	design *design
}

// unavailable says why backend name cannot run here ("" = it can), as
// Deps.Backends says.
func (s *session) unavailable(name string) string { return backendUnavailable(s.deps.Backends, name) }

// unavailableErr is the error of r on a backend that cannot run here, the
// backend knob's message (it goes when the knob takes one that runs).
func unavailableErr(backend, why string) tea.Cmd {
	return knobFailure(kBackend, fmt.Errorf("backend %s is unavailable here: %s", backend, why))
}

func (s *session) logf(format string, args ...any) {
	if s.deps.Log != nil {
		fmt.Fprintf(s.deps.Log, format+"\n", args...)
	}
}

// jobSlot is the one measurement in flight (runs compete for the cores, so
// there is never more than one) and what became of the last one of each
// screen.
type jobSlot struct {
	gen    int // bumped on every start and stop; messages of other generations are dropped
	active bool
	owner  screenID
	label  string // what runs, for the quit question: "measuring " + what
	what   string // the design or table it measures
	frac   float64
	cancel context.CancelFunc
	notes  [numScreens]string // per owner: "cancelled", "failed", ...
}

// running reports whether a job of owner is in flight.
func (j *jobSlot) running(owner screenID) bool { return j.active && j.owner == owner }

// job is the work of a measurement: it reports progress and returns the
// payload its owner receives in a jobDoneMsg.
type job func(ctx context.Context, progress func(float64)) (any, error)

// jobProgressMsg carries a progress fraction of job gen.
type jobProgressMsg struct {
	gen  int
	frac float64
	ch   <-chan float64
}

// jobDoneMsg carries the outcome of job gen to its owner.
type jobDoneMsg struct {
	gen     int
	owner   screenID
	payload any
	err     error
}

// start cancels any job in flight, saying so on the status line
// ("cancelled the run of G2 x4 (ARM sizes) to run shufflenetv2-1.0"), and
// starts j for owner, measuring what (a design's or a table's name).
// Progress goes through a buffered channel without blocking the job (a
// slow UI drops intermediate fractions, never slows the run); the channel
// is closed when the job ends.
func (s *session) start(owner screenID, what string, j job) tea.Cmd {
	label := "measuring " + what
	var note tea.Cmd
	if s.job.active {
		note = info("cancelled the run of %s to run %s", s.job.what, what)
	}
	s.stop("cancelled: " + label + " started")
	s.job.gen++
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan float64, 1)
	gen := s.job.gen
	s.job.active, s.job.owner, s.job.label, s.job.what, s.job.frac, s.job.cancel = true, owner, label, what, 0, cancel
	s.job.notes[owner] = ""
	s.logf("job %d: %s", gen, label)
	run := func() tea.Msg {
		defer close(ch)
		payload, err := j(ctx, func(f float64) {
			select {
			case ch <- f:
			default:
			}
		})
		return jobDoneMsg{gen: gen, owner: owner, payload: payload, err: err}
	}
	return tea.Batch(note, tea.Batch(run, waitForProgress(ch, gen)))
}

// waitForProgress returns the next progress fraction of job gen, or
// nothing once the job has ended.
func waitForProgress(ch <-chan float64, gen int) tea.Cmd {
	return func() tea.Msg {
		f, ok := <-ch
		if !ok {
			return nil
		}
		return jobProgressMsg{gen: gen, frac: f, ch: ch}
	}
}

// stop cancels the job in flight, if any, and bumps the generation so its
// result is dropped when it arrives; note tells its owner why.
func (s *session) stop(note string) {
	if !s.job.active {
		return
	}
	s.logf("job %d %s", s.job.gen, note)
	s.job.cancel()
	s.job.active = false
	s.job.gen++
	s.job.notes[s.job.owner] = note
}

// progress handles a progress message: the fraction of the current job,
// and the Cmd that waits for the next one.
func (s *session) progress(msg jobProgressMsg) tea.Cmd {
	if msg.gen != s.job.gen || !s.job.active {
		return nil // the channel closes when the stale job ends; stop listening
	}
	s.job.frac = msg.frac
	return waitForProgress(msg.ch, msg.gen)
}

// finish handles a done message; it reports false for a stale one (to be
// dropped).
func (s *session) finish(msg jobDoneMsg) bool {
	if msg.gen != s.job.gen || !s.job.active {
		s.logf("dropped the result of stale job %d", msg.gen)
		return false
	}
	s.job.cancel()
	s.job.active = false
	return true
}

// failed records why a job of msg.owner ended without a result: a
// cancellation is a note ("cancelled"), anything else also an error in the
// status line.
func (s *session) failed(msg jobDoneMsg) tea.Cmd {
	if errors.Is(msg.err, context.Canceled) {
		s.job.notes[msg.owner] = "cancelled"
		return nil
	}
	// The whole reason, on the owner's pane: the status line cuts it to
	// one line, and a refusal says there what to change.
	s.job.notes[msg.owner] = "failed: " + msg.err.Error()
	s.logf("error: %v", msg.err)
	return failure(msg.err)
}

// statusMsg puts a message in the status line; source, when set, names
// what it is about (a knob: "knob:width"), so that a valid change of that
// knob clears it (statusClearMsg).
type statusMsg struct {
	text   string
	isErr  bool
	source string
}

// statusClearMsg clears the status message if it came from source, or
// whatever it is with all set.
type statusClearMsg struct {
	source string
	all    bool
}

// clearStatus clears the status message, whatever it says.
func clearStatus() tea.Msg { return statusClearMsg{all: true} }

// knobSource is the status source of knob k.
func knobSource(k knobID) string { return "knob:" + knobLabels[k] }

// knobInfo and knobFailure are info and failure about knob k.
func knobInfo(k knobID, format string, args ...any) tea.Cmd {
	s := fmt.Sprintf(format, args...)
	return func() tea.Msg { return statusMsg{text: s, source: knobSource(k)} }
}

func knobFailure(k knobID, err error) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: err.Error(), isErr: true, source: knobSource(k)} }
}

// clearKnobStatus clears the status message about knob k, if it shows one.
func clearKnobStatus(k knobID) tea.Cmd {
	return func() tea.Msg { return statusClearMsg{source: knobSource(k)} }
}

// statusExpiredMsg clears status message id if it is still shown.
type statusExpiredMsg struct{ id int }

// info is a Cmd that shows an informational message.
func info(format string, args ...any) tea.Cmd {
	s := fmt.Sprintf(format, args...)
	return func() tea.Msg { return statusMsg{text: s} }
}

// failure is a Cmd that shows an error.
func failure(err error) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: err.Error(), isErr: true} }
}

// statusTTL is how long a status message stays: information briefly,
// errors longer (both also clear when the screen changes).
func statusTTL(isErr bool) time.Duration {
	if isErr {
		return 20 * time.Second
	}
	return 8 * time.Second
}

// completeResult fills in what a measurer may leave out of a result: the
// design, backend, mode and threads it was asked for, its preset, and the
// time (a
// point without one would lose to every older run of its design on the
// gap chart, which keeps the latest). Every result the screens keep goes
// through it.
func completeResult(res runner.Result, req RunRequest) runner.Result {
	if res.Spec.Family == "" {
		res.Spec, res.Backend, res.Mode = req.Spec, req.Backend, req.Mode
	}
	if res.Fingerprint.Threads == 0 {
		res.Fingerprint.Threads = req.Threads
	}
	if res.Preset == "" {
		res.Preset = req.Preset
	}
	if res.Time.IsZero() {
		res.Time = time.Now().UTC().Truncate(time.Second)
	}
	return res
}

// addPoint puts a measured result on the gap chart as a point of this
// session ([chartdata.PointFromResult]: analytic MAdds and MAC as written
// beside the measured median, the design's full key, the preset and the
// label, as the export and `explorer plot` make it), when it is
// chartable ([chartdata.Chartable]), as the history's points are.
func (s *session) addPoint(res runner.Result) {
	if !chartdata.Chartable(res) {
		return
	}
	p, err := chartdata.PointFromResult(res)
	if err != nil {
		s.logf("error: %v", err)
		return
	}
	p.Session = true
	s.points = append(s.points, p)
}
