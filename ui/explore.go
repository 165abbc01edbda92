package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/cost/costfmt"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/registry"
)

// exploreKeys are the explore screen's bindings.
type exploreKeys struct {
	Up, Down, Less, More, Type, Run, View, Table, Lens, Save key.Binding
	// Move and Step only name Up/Down and Less/More in the short help.
	Move, Step key.Binding
}

func newExploreKeys() exploreKeys {
	return exploreKeys{
		Up:    bind("↑/k", "up", "up", "k"),
		Down:  bind("↓/j", "down", "down", "j"),
		Less:  bind("←/h/-", "less", "left", "h", "-"),
		More:  bind("→/l/+", "more", "right", "l", "+", "="),
		Type:  bind("enter", "type value", "enter"),
		Run:   bind("r", "run design", "r"),
		View:  bind("v", "as-written/fused", "v"),
		Table: bind("c", "stage/category", "c"),
		Lens:  bind("g", "lens G1-G4", "g"),
		Save:  bind("s", "save design", "s"),
		Move:  bind("↑↓", "knob", "up", "down"),
		Step:  bind("←→", "step", "left", "right"),
	}
}

// Prompt targets of the explore screen besides the knobs.
const promptSave = -1

// loadDesignMsg asks the explorer to load a preset (from the presets screen).
type loadDesignMsg struct{ preset presets.Preset }

// savedMsg reports a saved design file; exists says the file was there
// and nothing was written (the user is asked before it is replaced).
type savedMsg struct {
	path   string
	err    error
	exists bool
	p      presets.Preset // what would have been saved (with exists)
}

// saveNameMsg opens the save field with a proposed file name.
type saveNameMsg struct{ path string }

// runResult is the latest measurement of a design.
type runResult struct {
	req     RunRequest
	label   string // the design's name when it was started
	key     string // designKey of the request
	m       Measurement
	profile *runner.Profile // runner.ProfileOf of its steps; nil without steps
	shares  *timeShares
}

// exploreScreen is the knobs, the analytic cost with the guideline lenses,
// and the measurement of the current design.
type exploreScreen struct {
	sess    *session
	keys    exploreKeys
	env     knobEnv
	d       design
	a, base analysis // the current design's cost and the loaded design's (for Δ)
	co      costOpts
	cur     knobID
	knobErr string // validation message shown under the current knob
	input   prompt
	// overwrite is a save that waits for the user's y: its file exists.
	overwrite *savedMsg
	last      *runResult
	bar       progress.Model
	w, h      int
}

func newExploreScreen(sess *session, all []presets.Preset) (*exploreScreen, error) {
	backends := sess.deps.Backends
	if len(backends) == 0 {
		for _, n := range registry.BackendNames() {
			backends = append(backends, Backend{Name: n})
		}
	}
	kernels := sess.deps.Kernels
	if kernels == "" {
		kernels = registry.DefaultKernels
	}
	e := &exploreScreen{
		sess: sess, keys: newExploreKeys(),
		env:   knobEnv{presets: all, backends: backends, maxThreads: max(1, sess.deps.MaxThreads)},
		d:     design{backend: backends[0].Name, mode: registry.DefaultMode, threads: 1, kernels: kernels},
		input: newPrompt(true),
		bar:   progress.New(progress.WithoutPercentage()),
	}
	d, err := e.d.load("shufflenetv2-1.0", e.env)
	if err != nil {
		return nil, err
	}
	if e.a, err = analyze(d.spec); err != nil {
		return nil, err
	}
	e.d, e.base = d, e.a
	e.d.graph = nil
	sess.design = &e.d
	e.restyle(true)
	return e, nil
}

// restyle follows the background colour.
func (e *exploreScreen) restyle(isDark bool) {
	e.input.setStyles(isDark)
	if c := e.sess.st.bar; c != nil {
		e.bar = progress.New(progress.WithoutPercentage(), progress.WithColors(c))
	} else {
		e.bar = progress.New(progress.WithoutPercentage(), progress.WithFillCharacters('█', '·'))
	}
	e.bar.SetWidth(max(4, e.leftWidth()-6))
}

func (e *exploreScreen) SetSize(w, h int) {
	e.w, e.h = w, h
	e.bar.SetWidth(max(4, e.leftWidth()-6))
	e.input.resize(e.promptWidth())
}

// Capturing reports whether a prompt, or the question whether to
// overwrite a file, has the keyboard.
func (e *exploreScreen) Capturing() bool { return e.input.open || e.overwrite != nil }

// statusLineView is what the root draws on the status line in place of
// its message, as it draws the export's prompt: the save prompt (a knob's
// prompt is drawn in place of the knob) or the question whether to
// overwrite the file; ok is false when there is none.
func (e *exploreScreen) statusLineView(st styles, w int) (string, bool) {
	switch {
	case e.overwrite != nil:
		// The key help lists the other answers (esc keeps it, any other
		// key edits the name).
		return fit(st.err.Render(e.overwrite.path+" exists: overwrite it? ")+st.title.Render("y")+" overwrites", w), true
	case e.input.open && e.input.target == promptSave:
		return e.input.view(st, w), true
	}
	return "", false
}

// promptWidth is the width of the open prompt's line: the status line's
// for the save prompt, the knobs column's for a knob.
func (e *exploreScreen) promptWidth() int {
	if e.input.target == promptSave {
		return e.w
	}
	return e.leftWidth()
}

func (e *exploreScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case e.overwrite != nil:
			return e.overwriteKey(msg)
		case e.input.open:
			return e.promptKey(msg)
		}
		return e.handleKey(msg)
	case tea.PasteMsg:
		if e.input.open && e.overwrite == nil {
			_, cmd := e.input.update(msg)
			return cmd
		}
		return nil
	case saveNameMsg:
		e.input.start("save design to:", promptSave, msg.path, e.w)
		return nil
	case loadDesignMsg:
		nd, err := e.d.withPreset(msg.preset)
		if err != nil {
			return failure(err)
		}
		e.setDesign(nd, true)
		return info("loaded %s", msg.preset.Name)
	case jobDoneMsg:
		if msg.owner == scrExplore {
			return e.runDone(msg)
		}
	case savedMsg:
		if msg.exists {
			e.overwrite = &msg
			return nil
		}
		if msg.err != nil {
			return failure(msg.err)
		}
		e.sess.logf("saved design to %s", msg.path)
		return info("saved design to %s", msg.path)
	}
	return nil
}

func (e *exploreScreen) handleKey(k tea.KeyPressMsg) tea.Cmd {
	km := e.keys
	switch {
	case key.Matches(k, km.Up):
		e.cur = (e.cur + numKnobs - 1) % numKnobs
		e.knobErr = ""
	case key.Matches(k, km.Down):
		e.cur = (e.cur + 1) % numKnobs
		e.knobErr = ""
	case key.Matches(k, km.Less), key.Matches(k, km.More):
		dir := 1
		if key.Matches(k, km.Less) {
			dir = -1
		}
		return e.stepKnob(dir)
	case key.Matches(k, km.Type):
		if !e.d.applies(e.cur, e.env) {
			return knobInfo(e.cur, "%s", e.d.notAKnob(e.cur))
		}
		e.input.start(knobLabels[e.cur]+":", int(e.cur), e.d.editText(e.cur, e.env), e.leftWidth())
	case key.Matches(k, km.Run):
		return e.run()
	case key.Matches(k, km.View):
		e.co.fused = !e.co.fused
	case key.Matches(k, km.Table):
		e.co.byCategory = !e.co.byCategory
	case key.Matches(k, km.Lens):
		e.co.lens = (e.co.lens + 1) % numLenses
	case key.Matches(k, km.Save):
		return e.proposeSave()
	}
	return nil
}

// overwriteKey answers the question whether to overwrite an existing
// file: y writes it, esc keeps it (nothing saved), any other key goes back
// to the name to change it.
func (e *exploreScreen) overwriteKey(k tea.KeyPressMsg) tea.Cmd {
	o := e.overwrite
	e.overwrite = nil
	switch k.String() {
	case "y":
		return writeDesign(o.p, o.path)
	case "esc":
		return info("not saved: %s exists", o.path)
	}
	e.input.start("save design to:", promptSave, o.path, e.w)
	return nil
}

// stepKnob moves the current knob one step; where it stops, the status
// line says why.
func (e *exploreScreen) stepKnob(dir int) tea.Cmd {
	k := e.cur
	if !e.d.applies(k, e.env) {
		return knobInfo(k, "%s", e.d.notAKnob(k))
	}
	text, valid, ok := e.d.step(k, dir, e.env)
	if !ok {
		return info("type %s with enter", knobLabels[k])
	}
	if cur := e.d.editText(k, e.env); valid != "" && (text == cur || steppedBack(k, cur, text, dir)) {
		return knobInfo(k, "%s stops at %s (%s)", knobLabels[k], cur, valid)
	}
	nd, err := e.d.set(k, text, e.env)
	if err != nil && k == kKernels {
		return e.stepKernels(dir)
	}
	if err != nil {
		// Logged once, as the status line's error ("error: width stops at ...").
		e.knobErr = err.Error() // under the knob; the status line may cut it
		return knobFailure(k, fmt.Errorf("%s stops at %s: %w", knobLabels[k], e.d.value(k, e.env), err))
	}
	return e.apply(k, nd)
}

// stepKernels moves the kernels knob to the next set this machine can run,
// saying which it skipped and why (e.g. "neon needs arm64").
func (e *exploreScreen) stepKernels(dir int) tea.Cmd {
	d := e.d
	var skipped []string
	for range registry.KernelSets() {
		text, _, _ := d.step(kKernels, dir, e.env)
		nd, err := d.set(kKernels, text, e.env)
		if err == nil {
			cmd := e.apply(kKernels, nd)
			if len(skipped) == 0 {
				return cmd
			}
			// Only the message: batched with apply's clearing of the
			// knob's status, which has the same source, it was wiped
			// whenever the clear arrived second.
			return knobInfo(kKernels, "kernels: skipped %s", strings.Join(skipped, "; "))
		}
		var ke *arch.KnobError
		why := err.Error()
		if errors.As(err, &ke) && ke.Why != "" {
			why = ke.Why
		}
		skipped = append(skipped, text+" ("+why+")")
		d.kernels = text
	}
	return failure(errors.New("kernels: no kernel set runs here"))
}

// apply makes nd the design after a change of knob k and says what the
// change means when it is not obvious; a message about k that the status
// line still shows (where it stopped, why it was refused) goes.
func (e *exploreScreen) apply(k knobID, nd design) tea.Cmd {
	e.knobErr = ""
	e.setDesign(nd, k == kDesign || k == kFamily)
	switch {
	case k == kBackend && e.env.unavailable(nd.backend) != "":
		return unavailableErr(nd.backend, e.env.unavailable(nd.backend))
	case k == kFamily || k == kDesign:
		return info("loaded %s", nd.name())
	}
	return clearKnobStatus(k)
}

func (e *exploreScreen) promptKey(k tea.KeyPressMsg) tea.Cmd {
	res, cmd := e.input.update(k)
	if res != promptApplied {
		return cmd
	}
	text := e.input.value()
	if e.input.target == promptSave {
		return e.save(text)
	}
	kid := knobID(e.input.target)
	nd, err := e.d.set(kid, text, e.env)
	if err != nil {
		// The message is under the knob; the status line, which may still
		// say what came before ("loaded ..."), must not contradict it.
		e.knobErr = err.Error()
		e.sess.logf("knob %s=%q rejected: %v", knobLabels[kid], text, err)
		return clearStatus
	}
	return e.apply(kid, nd)
}

// setDesign makes nd the current design; loaded marks a newly loaded
// design, which becomes the reference of the deltas. A run of the old
// design is cancelled (its result would be stale).
func (e *exploreScreen) setDesign(nd design, loaded bool) {
	specChanged := nd.spec.Key() != e.d.spec.Key()
	switch changed := specChanged || nd.runLabel() != e.d.runLabel() || nd.kernels != e.d.kernels; {
	case changed && e.sess.job.running(scrExplore) && specChanged:
		e.sess.stop("cancelled: design changed")
	case changed && e.sess.job.running(scrExplore):
		// Backend, mode, threads and kernels say how it runs, not what:
		// the measurement in flight would no longer be of these settings.
		e.sess.stop("cancelled: run settings changed")
	case changed || loaded:
		// What became of the last run ("cancelled: design changed") was
		// about the design before.
		e.sess.job.notes[scrExplore] = ""
	}
	if specChanged || loaded {
		a, err := e.analysis(nd)
		if err != nil {
			e.knobErr = err.Error()
			return
		}
		e.a = a
		if loaded {
			e.base = a
		}
	}
	nd.graph = nil
	e.d = nd
}

func (e *exploreScreen) analysis(nd design) (analysis, error) {
	if nd.graph != nil && nd.graph.Spec.Key() == nd.spec.Key() {
		return analyzeGraph(nd.graph), nil
	}
	return analyze(nd.spec)
}

// designKey identifies a design and how it runs (for matching results).
func designKey(req RunRequest) string {
	return fmt.Sprintf("%s|%s/%s/%dt/%s", req.Spec.Key(), req.Backend, req.Mode, req.Threads, req.Kernels)
}

// run measures the current design.
func (e *exploreScreen) run() tea.Cmd {
	ms := e.sess.deps.Measurer
	if ms == nil {
		return failure(errors.New("no measurer: runs are not available in this build"))
	}
	if why := e.env.unavailable(e.d.backend); why != "" {
		return unavailableErr(e.d.backend, why)
	}
	if e.sess.job.running(scrExplore) { // a design change cancels it: it is this design's
		return info("%s is already running (esc cancels it)", e.sess.job.what)
	}
	req := e.d.request()
	g, label := e.a.graph, e.d.name()
	// The session cancels a guideline run in flight, and says so, as r on
	// the guidelines screen does.
	return e.sess.start(scrExplore, e.d.name(), func(ctx context.Context, progress func(float64)) (any, error) {
		m, err := ms.Measure(ctx, req, progress)
		if err != nil {
			return nil, fmt.Errorf("run %s: %w", req.Spec.String(), err)
		}
		r := &runResult{req: req, label: label, key: designKey(req), m: m}
		if len(m.Steps) > 0 {
			p := runner.ProfileOf(g, req.Mode, m.Steps)
			r.profile, r.shares = &p, sharesOf(&p)
		}
		return r, nil
	})
}

func (e *exploreScreen) runDone(msg jobDoneMsg) tea.Cmd {
	if msg.err != nil {
		return e.sess.failed(msg)
	}
	r := msg.payload.(*runResult)
	e.last = r
	res := completeResult(r.m.Result, r.req)
	e.sess.logf("run: median %s ms over %d iterations", costfmt.Millis(res.LatencyMS.Median), res.Iters)
	e.sess.addPoint(res) // labelled by its preset (RunRequest.Preset) or its design
	if r.m.Warning != "" {
		return failure(errors.New(r.m.Warning))
	}
	return nil
}

// current reports whether the latest result is of the current design.
func (e *exploreScreen) current() *runResult {
	if e.last == nil || e.last.key != designKey(e.d.request()) {
		return nil
	}
	return e.last
}

// saveName proposes a file name that never shadows a built-in preset nor
// an existing file (exists): PRESET-mine or my-FAMILY, numbered (-2, -3,
// ...) where that is a preset's name or the file is there.
func (e *exploreScreen) saveName(exists func(path string) bool) string {
	return freeSaveName(e.sess.deps.SaveDir, e.d.preset, e.d.spec.Family, presetNames(e.env.presets), exists)
}

// freeSaveName is [exploreScreen.saveName] on plain values, so that a Cmd
// can run it off Update: a design from preset (or of family fam) saved in
// dir, avoiding the names taken and the files that exist.
func freeSaveName(dir, preset string, fam arch.Family, taken []string, exists func(path string) bool) string {
	base := "my-" + string(fam)
	if preset != "" {
		base = preset + "-mine"
	}
	path := func(name string) string { return filepath.Join(dir, name+".toml") }
	name := base
	for n := 2; slices.Contains(taken, name) || exists(path(name)); n++ {
		name = fmt.Sprintf("%s-%d", base, n)
	}
	return path(name)
}

// presetNames are the names of ps.
func presetNames(ps []presets.Preset) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// fileExists reports whether something is at path (a file a save would
// replace, or anything else it could not write): a proposed name avoids it.
func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// proposeSave opens the save field with a free name; the files are looked
// at in a Cmd (file I/O stays off Update), on a copy of what the name
// depends on.
func (e *exploreScreen) proposeSave() tea.Cmd {
	dir, preset, fam, taken := e.sess.deps.SaveDir, e.d.preset, e.d.spec.Family, presetNames(e.env.presets)
	return func() tea.Msg { return saveNameMsg{path: freeSaveName(dir, preset, fam, taken, fileExists)} }
}

// isPreset reports whether name is a built-in preset's.
func (e *exploreScreen) isPreset(name string) bool {
	return slices.ContainsFunc(e.env.presets, func(p presets.Preset) bool { return p.Name == name })
}

// windowsReserved are the characters a Windows file name cannot hold.
const windowsReserved = `<>:"|?*`

// savePath is where a typed name is saved: with the .toml extension the
// presets picker and --preset look for (added when missing: "my.1.5" is
// saved as my.1.5.toml, not as a file named "my.1" with extension .5), and
// a bare name in the design folder (--designs), where the picker looks.
func (e *exploreScreen) savePath(typed string) string {
	path := strings.TrimSpace(typed)
	if !strings.EqualFold(filepath.Ext(path), ".toml") {
		path += ".toml"
	}
	if filepath.Base(path) == path && e.sess.deps.SaveDir != "" {
		path = filepath.Join(e.sess.deps.SaveDir, path)
	}
	return path
}

// save writes the current design in a Cmd (file I/O stays off Update).
func (e *exploreScreen) save(typed string) tea.Cmd {
	if strings.TrimSpace(typed) == "" {
		return failure(errors.New("save: empty file name"))
	}
	path := e.savePath(typed)
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if err := presets.CheckName(name); err != nil { // "my design .toml": the loaders would refuse the file
		return failure(fmt.Errorf("save: %w", err))
	}
	// A design file travels between machines: no character Windows
	// cannot store in a file name (on NTFS "my:design" names a stream of
	// a file "my", and the save left an empty one).
	if strings.ContainsAny(name, windowsReserved) {
		return failure(fmt.Errorf("save: %q: a design file name cannot hold any of %s (Windows cannot store them)", name, windowsReserved))
	}
	if e.isPreset(name) {
		return failure(fmt.Errorf("save: %q is the name of a built-in preset; choose another name", name))
	}
	p := presets.Preset{Name: name, Title: e.d.spec.String(), Source: "saved from the explorer", Design: cloneSpec(e.d.spec)}
	return func() tea.Msg {
		if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() { // asked first: y overwrites it (anything else is Save's error)
			return savedMsg{path: path, exists: true, p: p}
		}
		return savedMsg{path: path, err: saveDesign(p, path)}
	}
}

// writeDesign writes p to path in a Cmd, whether or not the file exists.
func writeDesign(p presets.Preset, path string) tea.Cmd {
	return func() tea.Msg { return savedMsg{path: path, err: saveDesign(p, path)} }
}

// saveDesign writes p to path, creating its folder (0755) when it does not
// exist (--designs names a folder that may not exist yet); an error names
// the file once and wraps its cause (presets.Save's as it is).
func saveDesign(p presets.Preset, path string) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("save design to %s: %w", path, err)
		}
	}
	return presets.Save(p, path)
}

// Layout: the knobs column's width, and the width from which a third
// column shows the lenses and the run's details beside the tables.
const (
	knobsWidthMin  = 30
	knobsWidthWide = 38
	threeColumns   = 150
)

func (e *exploreScreen) leftWidth() int {
	if e.w >= 110 {
		return knobsWidthWide
	}
	return knobsWidthMin
}

func (e *exploreScreen) View() string {
	lw := e.leftWidth()
	left := e.leftLines(lw, e.h)
	// The run's time shares are joined to the view it executed (as
	// `explorer run --profile` joins them); beside the other view's MAdds
	// and MAC shares the column is starred and a line says which view.
	ts, other := (*timeShares)(nil), cost.View("")
	if r := e.current(); r != nil {
		ts = r.shares
		if r.profile != nil && r.profile.View != e.a.report(e.co.fused).View {
			other = r.profile.View
		}
	}
	costCol := func(w int, both bool) []string {
		lines := totalsLines(&e.a, &e.base, e.co.fused, w, e.sess.st)
		lines = append(lines, noteLines(e.a.channels, w)...)
		tables := []bool{e.co.byCategory}
		if both {
			tables = append(tables, !e.co.byCategory)
		}
		for _, byCat := range tables {
			lines = append(lines, "")
			lines = append(lines, groupLines(e.a.report(e.co.fused), byCat, ts, other != "", w, e.sess.st)...)
		}
		if ts != nil && other != "" {
			lines = append(lines, e.sess.st.dim.Render(fmt.Sprintf("time%%* of the %s run: v shows its %s view", e.current().req.Mode, other)))
		}
		return lines
	}
	lensCol := func(w, h int) []string {
		lines := lensLines(&e.a, e.co, w, e.sess.st)
		if e.co.lens == lensG1 {
			if room := h - len(lines) - 1; room >= 2 {
				lines = append(lines, "")
				lines = append(lines, g1Worst(e.a.report(e.co.fused), w, room, e.sess.st)...)
			}
		}
		return lines
	}
	// The other table (stages beside categories) only where the column
	// holds it whole, never with rows cut off at the bottom.
	both := func(w int) bool { return len(costCol(w, true)) <= e.h }
	if e.w >= threeColumns {
		cw := (e.w - lw - 2) / 2
		right := lensCol(e.w-lw-cw-2, e.h/2)
		right = append(right, "")
		right = append(right, e.profileLines(cw, e.h-len(right))...)
		return strings.Join(columns(block(left, lw, e.h), block(costCol(cw, both(cw)), cw, e.h), block(right, e.w-lw-cw-2, e.h)), "\n")
	}
	rw := e.w - lw - 1
	right := append(costCol(rw, e.h >= 34 && both(rw)), "")
	right = append(right, lensCol(rw, e.h-len(right))...)
	if extra := e.h - len(right) - 1; extra >= 4 {
		right = append(right, "")
		right = append(right, e.profileLines(rw, extra)...)
	}
	return strings.Join(columns(block(left, lw, e.h), block(right, rw, e.h)), "\n")
}

// knobMsgLines is the most lines a message under a knob takes where the
// column has no room to spare (80x24); the rest is cut with "…" (the log
// has it whole). A taller column gives it the lines it has free.
const knobMsgLines = 2

// knobsKept is the fewest knob lines the column keeps before the run's
// later lines give way.
const knobsKept = 8

// leftLines is the knobs column in h lines: the knobs, then the run. Where
// they do not fit, the blank line between them goes first, then knobs far
// from the cursor, counted in the title ("Knobs ↑2 ↓1"), down to
// knobsKept lines (and the current knob's row whole), then the run's later
// lines (its title and first line stay): at 80x24 every field of a result
// shows.
func (e *exploreScreen) leftLines(w, h int) []string {
	run := e.runLines(w)
	rows := e.knobRows(w, max(knobMsgLines, h-1-int(numKnobs)-1-len(run)))
	n := 1 // the title
	for _, r := range rows {
		n += len(r)
	}
	gap := []string{""}
	if n+1+len(run) > h {
		gap = nil
	}
	if keep := min(len(run), 2); n+len(run) > h {
		kept := max(min(knobsKept, n-1), len(rows[e.cur]))
		run = run[:max(keep, min(len(run), h-1-kept))]
	}
	// The window of knob rows [a, b) around the cursor that fits.
	room := h - len(run) - len(gap) - 1
	// The knobs above the cursor first (design and family on top matter
	// most), then below.
	a, b, used := int(e.cur), int(e.cur)+1, len(rows[e.cur])
	for a > 0 && used+len(rows[a-1]) <= room {
		used += len(rows[a-1])
		a--
	}
	for b < len(rows) && used+len(rows[b]) <= room {
		used += len(rows[b])
		b++
	}
	more := ""
	if a > 0 {
		more += fmt.Sprintf("↑%d ", a)
	}
	if b < len(rows) {
		more += fmt.Sprintf("↓%d ", len(rows)-b)
	}
	title := "Knobs  " + more
	lines := []string{e.sess.st.title.Render(title + truncWords(e.d.spec.String(), w-lipgloss.Width(title)))}
	for _, r := range rows[a:b] {
		lines = append(lines, r...)
	}
	lines = append(lines, gap...)
	return append(lines, run...)
}

// knobRows are the knobs' lines, one row per knob: the knob, and under the
// current one its message (at most msgLines lines).
func (e *exploreScreen) knobRows(w, msgLines int) [][]string {
	st := e.sess.st
	var rows [][]string
	for k := kDesign; k < numKnobs; k++ {
		if e.input.open && e.input.target == int(k) {
			rows = append(rows, []string{e.input.view(st, w)})
			continue
		}
		marker := " "
		if k == e.cur {
			marker = "▸"
		}
		head := fmt.Sprintf("%s %-8s ", marker, knobLabels[k])
		l := head + e.knobValue(k, w-lipgloss.Width(head))
		switch {
		case k == e.cur:
			l = st.sel.Render(fit(l, w))
		case !e.d.applies(k, e.env):
			l = st.dim.Render(l)
		}
		row := []string{l}
		if k == e.cur && e.knobErr != "" {
			for _, m := range bounded("! "+e.knobErr, w, msgLines) {
				row = append(row, st.err.Render(m))
			}
		}
		if k == e.cur && k == kBackend && e.env.unavailable(e.d.backend) != "" {
			for _, m := range bounded(e.env.unavailable(e.d.backend), w, msgLines) {
				row = append(row, st.err.Render(m))
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// knobValue is knob k's value in at most w cells: the design's name gives
// way before its "*" (changed since loaded), a list of channels ends with
// "…" between two numbers, never inside one.
func (e *exploreScreen) knobValue(k knobID, w int) string {
	v := e.d.value(k, e.env)
	if lipgloss.Width(v) <= w {
		return v
	}
	switch {
	case k == kDesign && strings.HasSuffix(v, "*"):
		return trunc(strings.TrimSuffix(v, "*"), w-1) + "*"
	case k == kChannels && len(e.d.spec.Channels) > 0:
		return cutList(v, ",", w)
	}
	return trunc(v, w)
}

// runLines are the measurement of the current design: progress while it
// runs, then the latency as `explorer run` reports it.
func (e *exploreScreen) runLines(w int) []string {
	st := e.sess.st
	j := &e.sess.job
	lines := []string{st.title.Render("Run  " + e.d.runLabel())}
	if e.sess.deps.Measurer == nil {
		return append(lines, st.dim.Render("runs unavailable (no measurer)"))
	}
	if j.running(scrExplore) {
		return append(lines, fmt.Sprintf("%s %3.0f%%", e.bar.ViewAs(j.frac), 100*j.frac), "measuring… esc cancels")
	}
	if j.active {
		lines = append(lines, st.dim.Render("a guideline experiment is running"))
	}
	if n := j.notes[scrExplore]; n != "" {
		for _, l := range wrap(n, w) {
			lines = append(lines, st.err.Render(l))
		}
	}
	r := e.current()
	if why := e.env.unavailable(e.d.backend); r == nil && why != "" {
		for _, l := range wrap(fmt.Sprintf("r: %s is unavailable here", e.d.backend), w) {
			lines = append(lines, st.err.Render(l))
		}
	}
	switch {
	case r == nil && e.last != nil:
		// The figure first; the design's name may be cut. How it ran is
		// said where it differs from how this design would run.
		var how []string
		req := e.last.req
		if req.Backend != e.d.backend {
			how = append(how, req.Backend)
		}
		if req.Mode != e.d.mode {
			how = append(how, string(req.Mode))
		}
		if req.Threads != e.d.threads {
			how = append(how, fmt.Sprintf("%dt", req.Threads))
		}
		if req.Kernels != e.d.kernels {
			how = append(how, req.Kernels)
		}
		head := "last " + costfmt.Millis(e.last.m.Result.LatencyMS.Median) + " ms"
		if len(how) > 0 {
			head += " (" + strings.Join(how, "/") + ")"
		}
		for _, l := range pack([]string{head + ":", e.last.label}, " ", w) {
			lines = append(lines, st.dim.Render(l))
		}
		return lines
	case r == nil && e.env.unavailable(e.d.backend) == "":
		return append(lines, st.dim.Render("r measures this design"))
	case r == nil:
		return lines
	}
	// Each figure whole: where a line is too narrow its parts wrap (none
	// is left out).
	res := r.m.Result
	l := res.LatencyMS
	for _, p := range pack([]string{"latency " + costfmt.Millis(l.Median) + " ms", fmt.Sprintf("%.1f img/s", res.ThroughputIPS)}, " · ", w) {
		lines = append(lines, st.ok.Render(p))
	}
	stats := []string{"p10 " + costfmt.Millis(l.P10), "p90 " + costfmt.Millis(l.P90), "min " + costfmt.Millis(l.Min),
		"IQR " + costfmt.Millis(l.IQR) + " ms", fmt.Sprintf("%d runs", res.Iters)}
	if k := res.Fingerprint.Kernels; k != "" {
		stats = append(stats, k)
	}
	return append(lines, pack(stats, " · ", w)...)
}

// profileLines is where the time of the latest run of this design went,
// per category: the table of `explorer run --profile` (time share beside
// MAdds and MAC shares of the cost view the mode executes).
func (e *exploreScreen) profileLines(w, h int) []string {
	r := e.current()
	if r == nil || r.profile == nil || h < 3 {
		return nil
	}
	st := e.sess.st
	p := r.profile
	lines := []string{st.title.Render(fmt.Sprintf("Where the time goes  (%s plan, %s ms)", r.m.Result.Mode, costfmt.Millis(float64(p.TotalNanos)/1e6))),
		st.head.Render(fmt.Sprintf("%-14s %7s %7s %7s", "category", "time %", "MAdds %", "MAC %"))}
	for _, g := range p.Categories {
		if g.Nanos == 0 && g.MultAdds == 0 && g.MemAccess == 0 {
			continue
		}
		lines = append(lines, fmt.Sprintf("%-14s %7.1f %7.1f %7.1f", g.Name, 100*g.TimeShare, 100*g.MultAddsShare, 100*g.MemAccessShare))
	}
	if len(p.Extra) > 0 && len(lines) < h {
		lines = append(lines, st.dim.Render(fmt.Sprintf("%d extra steps (copies) counted as %s", len(p.Extra), cost.CatDataMovement)))
	}
	return lines[:min(len(lines), h)]
}

func (e *exploreScreen) ShortHelp() []key.Binding {
	km := e.keys
	switch {
	case e.overwrite != nil:
		return []key.Binding{bind("y", "overwrite", "y"), bind("esc", "keep it", "esc"), bind("any other key", "edit the name", "any other key")}
	case e.input.open:
		return []key.Binding{promptKeys().Apply, promptKeys().Discard}
	}
	run, typ := enabled(km.Run, e.canRun()), km.Type
	run.SetHelp("r", "run")
	typ.SetHelp("enter", "type")
	return []key.Binding{run, km.Move, km.Step, typ, km.Save, km.View, km.Table, km.Lens}
}

func (e *exploreScreen) FullHelp() [][]key.Binding {
	km := e.keys
	return [][]key.Binding{{km.Up, km.Down, km.Less, km.More, km.Type}, {enabled(km.Run, e.canRun()), km.View, km.Table, km.Lens, km.Save}}
}

// canRun reports whether r can measure the design here: a measurer, and a
// backend that runs here (the Run pane says why not).
func (e *exploreScreen) canRun() bool {
	return e.sess.deps.Measurer != nil && e.env.unavailable(e.d.backend) == ""
}
