package sweep

import (
	"context"
	"fmt"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/internal/filelock"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/jsonl"
)

// Measurer runs one design on the sweep's backend and measures it. Tests
// use fakes so they never time real networks.
type Measurer interface {
	// Measure compiles and measures g (built from d.Spec); with profile it
	// also fills Result.Profile. progress, if not nil, receives the
	// fraction of this design's measurement done.
	Measure(ctx context.Context, g *arch.Graph, d Design, profile bool, progress func(float64)) (runner.Result, error)
}

// EventKind says what happened to a design.
type EventKind int

// Sweep events.
const (
	EventResumed  EventKind = iota // already in the file: skipped
	EventStart                     // measurement starts
	EventProgress                  // measurement progress (Fraction)
	EventDone                      // measured and appended
	EventFailed                    // did not build or did not run (Err)
)

// Event reports a sweep's progress.
type Event struct {
	Kind     EventKind
	Index    int // 0-based position of the design in the list
	Total    int // designs in the list
	Finished int // designs resumed, measured or failed so far
	Design   Design
	Row      *Row    // EventDone, EventResumed
	Err      error   // EventFailed
	Fraction float64 // EventProgress: of the current design
	// ETA is the estimated time to measure the designs left (0 until one
	// design has been measured): the mean time per measured design so far
	// times the designs left.
	ETA     time.Duration
	Elapsed time.Duration
}

// Options configure [Run].
type Options struct {
	// File is the results file, opened with [Open]; rows are appended one
	// design at a time. When nil, Run opens Out itself (and closes it).
	File *File
	// Out is the results file's path, used when File is nil.
	Out string
	// Config is the backend, mode, threads, host and calibration.
	Config Config
	// Profile stores per-category time shares and per-op points in rows.
	Profile bool
	// Progress, if not nil, receives events from Run's goroutine.
	Progress func(Event)
	// Warn, if not nil, receives each skipped line of the file, a repair
	// of its end and each row left out as unusable, before any measurement
	// (they are in the Summary too).
	Warn func(string)
}

// Failure is a design that did not build or run.
type Failure struct {
	Design Design
	Err    error
}

// Summary is the outcome of [Run].
type Summary struct {
	// Rows are the rows of the list's designs under this config, resumed
	// and new, in list order.
	Rows     []Row
	Measured int
	Resumed  int
	Failed   []Failure
	// Warnings are the skipped lines of the file.
	Warnings []Warning
	// Repair is what opening the file did to its end.
	Repair jsonl.Repair
	// Unusable are rows of the file left out (and measured again): their
	// reason from Row.Unusable.
	Unusable []string
}

// Run measures every design of the list that the results file does not
// hold yet under o.Config (same design key, backend, kernel set, mode,
// threads and host; with o.Profile, a row with a profile), appending each row as soon as it is measured. Designs that fail
// are reported and skipped. If ctx is cancelled it stops before the next
// design (the one being measured is not written) and returns the summary so
// far with the context's error.
func Run(ctx context.Context, designs []Design, m Measurer, o Options) (sum Summary, err error) {
	f := o.File
	if f == nil {
		if o.Out == "" {
			return sum, fmt.Errorf("sweep: no results file")
		}
		if f, err = Open(o.Out, filelock.Holder("explorer sweep --out "+o.Out)); err != nil {
			return sum, err
		}
		defer func() {
			if cerr := f.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("sweep: %w", cerr)
			}
		}()
	}
	sum.Warnings, sum.Repair = f.Warnings, f.Repair
	cfg := o.Config
	hk := cfg.HostKey()
	// sameConfig reports whether r was measured under this sweep's
	// configuration; with no kernel set configured, a row of any set is.
	// A row that names no set (hand-made) is of the set the other rows of
	// its configuration name (KernelSets), or of any where they name
	// none.
	sets := KernelSets(f.Rows)
	sameConfig := func(r Row) bool {
		set, anySet := sets.Of(r)
		return r.Backend == cfg.Backend && r.Mode == string(cfg.Mode) && r.Threads == cfg.Threads && r.Host == hk &&
			(cfg.Kernels == "" || anySet || set == cfg.Kernels)
	}
	key := func(designKey string) string {
		return RunKey(designKey, cfg.Backend, cfg.Kernels, cfg.Mode, cfg.Threads, hk)
	}
	done := map[string]Row{}
	unprofiled := map[string]bool{} // run keys with a row that has no profile
	for _, r := range f.Rows {
		if why := r.Unusable(); why != "" {
			sum.Unusable = append(sum.Unusable, fmt.Sprintf("%s: row %q left out (measured again if in this sweep): %s", f.Path, r.Name, why))
			continue
		}
		if !sameConfig(r) {
			continue
		}
		// A --profile sweep measures again a design whose row has no
		// profile: the row stays, the profiled one is appended and
		// preferred where both are read (GroupByConfig).
		if o.Profile && !r.Profiled() {
			unprofiled[key(r.Key)] = true
			continue
		}
		// The profiled row of a design is the one kept, as GroupByConfig
		// keeps it: a plain sweep's summary showed the older unprofiled
		// row where plot drew the profiled one.
		if prev, dup := done[key(r.Key)]; !dup || !prev.Profiled() && r.Profiled() {
			done[key(r.Key)] = r
		}
	}
	// Said once, for the designs of this list that have a row without a
	// profile and none with one.
	again := 0
	for _, d := range designs {
		if k := key(d.Key()); unprofiled[k] {
			if _, ok := done[k]; !ok {
				again++
				delete(unprofiled, k) // a design listed twice counts once
			}
		}
	}
	if again > 0 && o.Warn != nil {
		what := fmt.Sprintf("%d designs of this sweep have rows without a profile; this --profile sweep measures them", again)
		if again == 1 {
			what = "1 design of this sweep has a row without a profile; this --profile sweep measures it"
		}
		o.Warn(fmt.Sprintf("%s: %s again (the old rows stay; the profiled ones are preferred when read)", f.Path, what))
	}
	if o.Warn != nil {
		for _, w := range sum.Warnings {
			o.Warn(w.String())
		}
		if msg := sum.Repair.String(); msg != "" {
			o.Warn(f.Path + ": " + msg)
		}
		for _, u := range sum.Unusable {
			o.Warn(u)
		}
	}
	emit := func(e Event) {
		if o.Progress != nil {
			o.Progress(e)
		}
	}
	start := time.Now()
	var measuredTime time.Duration
	toMeasure := 0
	for _, d := range designs {
		if _, ok := done[key(d.Key())]; !ok {
			toMeasure++
		}
	}
	finished := 0
	eta := func() time.Duration {
		if sum.Measured == 0 {
			return 0
		}
		left := toMeasure - sum.Measured - len(sum.Failed)
		return measuredTime / time.Duration(sum.Measured) * time.Duration(max(left, 0))
	}
	for i, d := range designs {
		ev := Event{Index: i, Total: len(designs), Design: d}
		if r, ok := done[key(d.Key())]; ok {
			sum.Resumed++
			sum.Rows = append(sum.Rows, r)
			finished++
			ev.Kind, ev.Row, ev.Finished, ev.ETA, ev.Elapsed = EventResumed, &r, finished, eta(), time.Since(start)
			emit(ev)
			continue
		}
		if err := ctx.Err(); err != nil {
			return sum, fmt.Errorf("sweep cancelled after %d of %d designs: %w", finished, len(designs), err)
		}
		ev.Kind, ev.Finished, ev.ETA, ev.Elapsed = EventStart, finished, eta(), time.Since(start)
		emit(ev)
		t0 := time.Now()
		row, err := measureOne(ctx, d, m, o, func(f float64) {
			p := ev
			p.Kind, p.Fraction, p.Elapsed = EventProgress, f, time.Since(start)
			if sum.Measured > 0 {
				per := measuredTime / time.Duration(sum.Measured)
				p.ETA = max(p.ETA-time.Duration(f*float64(per)), 0)
			}
			emit(p)
		})
		if err != nil {
			if ctx.Err() != nil {
				return sum, fmt.Errorf("sweep cancelled after %d of %d designs: %w", finished, len(designs), ctx.Err())
			}
			sum.Failed = append(sum.Failed, Failure{Design: d, Err: err})
			finished++
			ev.Kind, ev.Err, ev.Finished, ev.ETA, ev.Elapsed = EventFailed, err, finished, eta(), time.Since(start)
			emit(ev)
			continue
		}
		if err := f.Append(row); err != nil {
			return sum, fmt.Errorf("sweep: %w", err)
		}
		measuredTime += time.Since(t0)
		sum.Measured++
		sum.Rows = append(sum.Rows, row)
		done[key(row.Key)] = row
		finished++
		ev.Kind, ev.Row, ev.Finished, ev.ETA, ev.Elapsed = EventDone, &row, finished, eta(), time.Since(start)
		emit(ev)
	}
	return sum, nil
}

func measureOne(ctx context.Context, d Design, m Measurer, o Options, progress func(float64)) (Row, error) {
	g, err := arch.Build(d.Spec)
	if err != nil {
		return Row{}, fmt.Errorf("build %s: %w", d.Name, err)
	}
	res, err := m.Measure(ctx, g, d, o.Profile, progress)
	if err != nil {
		return Row{}, fmt.Errorf("measure %s: %w", d.Name, err)
	}
	if res.Cancelled {
		return Row{}, fmt.Errorf("measure %s: cancelled", d.Name)
	}
	return NewRow(d, g, res, o.Config), nil
}
