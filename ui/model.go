package ui

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner"
)

// Minimum terminal size; below it the UI says so instead of drawing panes.
const (
	MinWidth  = 80
	MinHeight = 24
)

// screen names a full-screen view.
type screen int

const (
	scrExplore screen = iota
	scrGap
	scrGuide
	scrPresets
	scrHelp
	numScreens = scrHelp // screens reachable with tab and 1-4
)

var screenNames = [...]string{"explore", "gap chart", "guidelines", "presets", "help"}

// editKind says what the input line is for.
type editKind int

const (
	editNone editKind = iota
	editKnob
	editSave
	editExport
)

// Model is the root Bubble Tea model of the explorer. Create it with [New].
type Model struct {
	deps Deps
	keys keyMap
	st   styles
	help help.Model
	bar  progress.Model

	w, h      int
	scr, back screen // current screen; the one help returns to

	env       knobEnv
	d         design
	cur       knobID
	knobErr   string // validation message shown under knob knobErrAt
	knobErrAt knobID
	a, prev   analysis // the current and the previous design's cost
	co        costOpts

	editing editKind
	input   string

	run    runState
	exp    exportState
	points []Point
	gapMAC bool
	gap    gapCache

	guide   guideState
	pick    int
	choices []presetRow

	status  string // last informational message
	lastErr string // last error, shown in the status line

	frame string // the rendered view; View returns it
}

var _ tea.Model = (*Model)(nil)

// New returns the explorer on ShuffleNetV2 1.0x (torchvision layout).
func New(deps Deps) (*Model, error) {
	if len(deps.Backends) == 0 {
		deps.Backends = []string{"native"}
	}
	all, err := presets.List()
	if err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	m := &Model{
		deps: deps,
		keys: defaultKeyMap(),
		st:   newStyles(),
		help: help.New(),
		bar:  progress.New(progress.WithColors(lipgloss.Color("6")), progress.WithoutPercentage()),
		env:  knobEnv{presets: all, backends: deps.Backends, maxThreads: max(1, deps.MaxThreads)},
		d:    design{backend: deps.Backends[0], mode: runner.Fused, threads: 1},
	}
	m.d, err = m.d.setDesign("shufflenetv2-1.0", m.env)
	if err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	if m.a, err = analyze(m.d.spec); err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	m.points = append(m.points, deps.History...)
	if m.choices, err = presetChoices(all, deps.DesignFiles); err != nil {
		m.lastErr = err.Error()
	}
	if m.guide, err = newGuide(); err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	m.gap.dirty = true
	m.syncKeys()
	m.render()
	return m, nil
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd { return nil }

// View implements tea.Model. It only returns the frame rendered by Update.
func (m *Model) View() tea.View {
	v := tea.NewView(m.frame)
	v.AltScreen = true
	return v
}

// Update implements tea.Model: it handles the message, then renders the frame.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	m.syncKeys()
	m.render()
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		m.gap.dirty = true
		return nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case runProgressMsg:
		return m.handleProgress(msg)
	case runDoneMsg:
		return m.handleDone(msg)
	case exportCalibMsg:
		return m.handleExportCalib(msg)
	case exportDoneMsg:
		m.handleExportDone(msg)
	case savedMsg:
		if msg.err != nil {
			m.fail(msg.err)
		} else {
			m.inform("saved design to " + msg.path)
			m.logf("saved design to %s", msg.path)
			m.addChoice(msg.path)
		}
	}
	return nil
}

// inform shows a message in the status line (replacing any error).
func (m *Model) inform(s string) {
	m.status = s
	m.lastErr = ""
}

// fail records an error for the status line and the log.
func (m *Model) fail(err error) {
	m.lastErr = err.Error()
	m.status = ""
	m.logf("error: %v", err)
}

func (m *Model) logf(format string, args ...any) {
	if m.deps.Log != nil {
		fmt.Fprintf(m.deps.Log, format+"\n", args...)
	}
}

func (m *Model) tooSmall() bool { return m.w < MinWidth || m.h < MinHeight }

func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	if k.String() == "ctrl+c" {
		return m.quit()
	}
	if m.editing != editNone {
		return m.handleEdit(k)
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		return m.quit()
	case key.Matches(k, m.keys.Cancel) && m.run.active:
		m.stopRun("cancelled")
		return nil
	case key.Matches(k, m.keys.Cancel) && m.exp.calibrating:
		m.skipCalibration()
		return nil
	case m.scr == scrHelp && (key.Matches(k, m.keys.Help) || k.String() == "esc"):
		m.scr = m.back
		return nil
	case key.Matches(k, m.keys.Help):
		m.back, m.scr = m.scr, scrHelp
		return nil
	case key.Matches(k, m.keys.Next):
		m.setScreen((m.current() + 1) % numScreens)
		return nil
	case key.Matches(k, m.keys.Prev):
		m.setScreen((m.current() + numScreens - 1) % numScreens)
		return nil
	case key.Matches(k, m.keys.Screen):
		m.setScreen(screen(k.String()[0] - '1'))
		return nil
	}
	if m.tooSmall() {
		return nil
	}
	if key.Matches(k, m.keys.Export) {
		m.startExport()
		return nil
	}
	switch m.scr {
	case scrExplore:
		return m.exploreKey(k)
	case scrGap:
		if key.Matches(k, m.keys.Axis) {
			m.gapMAC = !m.gapMAC
			m.gap.dirty = true
		}
	case scrGuide:
		return m.guideKey(k)
	case scrPresets:
		return m.presetsKey(k)
	}
	return nil
}

// current is the screen that tab moves from (help counts as the screen it covers).
func (m *Model) current() screen {
	if m.scr == scrHelp {
		return m.back
	}
	return m.scr
}

func (m *Model) setScreen(s screen) {
	m.scr = s
	if s == scrGap {
		m.gap.dirty = true
	}
}

func (m *Model) quit() tea.Cmd {
	m.stopRun("")
	if m.exp.cancel != nil {
		m.exp.cancel()
	}
	return tea.Quit
}

func (m *Model) exploreKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Up):
		m.cur = (m.cur + numKnobs - 1) % numKnobs
		m.knobErr = ""
	case key.Matches(k, m.keys.Down):
		m.cur = (m.cur + 1) % numKnobs
		m.knobErr = ""
	case key.Matches(k, m.keys.Left), key.Matches(k, m.keys.Right):
		dir := 1
		if key.Matches(k, m.keys.Left) {
			dir = -1
		}
		if !m.d.applies(m.cur) {
			m.knobErr, m.knobErrAt = fmt.Sprintf("%s is not a knob of %s", knobLabels[m.cur], m.d.spec.Family), m.cur
			return nil
		}
		m.setKnob(m.cur, m.d.step(m.cur, dir, m.env))
	case key.Matches(k, m.keys.Enter):
		m.editing, m.input = editKnob, m.d.editText(m.cur)
	case key.Matches(k, m.keys.Run):
		return m.runCurrent()
	case key.Matches(k, m.keys.View):
		m.co.fused = !m.co.fused
	case key.Matches(k, m.keys.Table):
		m.co.byCategory = !m.co.byCategory
	case key.Matches(k, m.keys.Lens):
		m.co.lens = (m.co.lens + 1) % numLenses
	case key.Matches(k, m.keys.Save):
		m.startSave()
	}
	return nil
}

// setKnob applies text to knob k. An invalid value leaves the design as it
// was and shows the validation message under the knob.
func (m *Model) setKnob(k knobID, text string) {
	nd, err := m.d.set(k, text, m.env)
	if err != nil {
		m.knobErr, m.knobErrAt = err.Error(), k
		m.logf("knob %s=%q rejected: %v", knobLabels[k], text, err)
		return
	}
	m.knobErr = ""
	m.setDesign(nd)
}

// setDesign makes nd the current design: the previous one becomes the
// reference for deltas, and a run of the old design is cancelled (its
// result would be stale).
func (m *Model) setDesign(nd design) {
	specChanged := specKey(nd.spec) != specKey(m.d.spec)
	if !specChanged && nd.runLabel() == m.d.runLabel() && nd.preset == m.d.preset {
		return
	}
	if m.run.active && m.run.kind == runExplore {
		m.stopRun("cancelled: design changed")
	}
	if specChanged {
		var a analysis
		if nd.graph != nil && specKey(nd.graph.Spec) == specKey(nd.spec) {
			a = analyzeGraph(nd.graph)
		} else {
			var err error
			if a, err = analyze(nd.spec); err != nil {
				m.fail(err)
				return
			}
		}
		m.prev, m.a = m.a, a
	}
	nd.graph = nil
	m.d = nd
	m.gap.dirty = true
}

func specKey(s arch.Spec) string { return fmt.Sprintf("%+v", s) }

// designKey identifies a design and how it runs (for matching results).
func designKey(req RunRequest) string {
	return specKey(req.Spec) + "|" + fmt.Sprintf("%s/%s/%dt", req.Backend, req.Mode, req.Threads)
}

func (m *Model) handleEdit(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "enter":
		kind, text := m.editing, m.input
		m.editing, m.input = editNone, ""
		switch kind {
		case editKnob:
			m.setKnob(m.cur, text)
			return nil
		case editExport:
			return m.exportTo(text)
		}
		return m.save(text)
	case "esc":
		m.editing, m.input = editNone, ""
	case "backspace":
		if r := []rune(m.input); len(r) > 0 {
			m.input = string(r[:len(r)-1])
		}
	case "ctrl+u":
		m.input = ""
	case "space":
		m.input += " "
	default:
		m.input += k.Text
	}
	return nil
}

// startSave opens the save prompt with a file name derived from the design.
func (m *Model) startSave() {
	name := m.d.preset
	if name == "" || m.d.edited {
		name = "my-" + strings.ReplaceAll(string(m.d.spec.Family), " ", "-")
	}
	m.editing, m.input = editSave, filepath.Join(m.deps.SaveDir, name+".toml")
}

// save writes the current design in a Cmd (file I/O stays off Update).
func (m *Model) save(path string) tea.Cmd {
	path = strings.TrimSpace(path)
	if path == "" {
		m.fail(errors.New("save: empty file name"))
		return nil
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	p := presets.Preset{Name: name, Title: m.d.spec.String(), Source: "saved from the explorer", Design: cloneSpec(m.d.spec)}
	return func() tea.Msg {
		return savedMsg{path: path, err: presets.Save(p, path)}
	}
}

// syncKeys enables exactly the bindings that do something now.
func (m *Model) syncKeys() {
	k := &m.keys
	editing := m.editing != editNone
	small := m.tooSmall()
	scr := m.scr
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.Left, &k.Right, &k.Enter, &k.Run, &k.Cancel, &k.View, &k.Table, &k.Lens, &k.Axis, &k.Scale, &k.Save, &k.Export} {
		b.SetEnabled(false)
	}
	k.Apply.SetEnabled(editing)
	k.Discard.SetEnabled(editing)
	for _, b := range []*key.Binding{&k.Next, &k.Prev, &k.Screen, &k.Help, &k.Quit} {
		b.SetEnabled(!editing)
	}
	if editing || small {
		return
	}
	// A run waits for an export to finish (plotting and calibrating would
	// disturb its timing), and an export for the run.
	canRun := m.deps.Measurer != nil && !m.exp.active
	k.Cancel.SetEnabled(m.run.active || m.exp.calibrating)
	k.Cancel.SetHelp("esc", "cancel run")
	if !m.run.active && m.exp.calibrating {
		k.Cancel.SetHelp("esc", "skip roofline")
	}
	k.Export.SetEnabled(scr != scrHelp && m.canExport())
	switch scr {
	case scrExplore:
		for _, b := range []*key.Binding{&k.Up, &k.Down, &k.Left, &k.Right, &k.Enter, &k.View, &k.Table, &k.Lens, &k.Save} {
			b.SetEnabled(true)
		}
		k.Left.SetHelp("←/-", "less")
		k.Right.SetHelp("→/+", "more")
		k.Enter.SetHelp("enter", "type value")
		k.Run.SetEnabled(canRun)
		k.Run.SetHelp("r", "run design")
	case scrGap:
		k.Axis.SetEnabled(true)
	case scrGuide:
		k.Left.SetEnabled(true)
		k.Right.SetEnabled(true)
		k.Left.SetHelp("←", "prev G")
		k.Right.SetHelp("→", "next G")
		k.Scale.SetEnabled(true)
		k.Run.SetEnabled(canRun)
		k.Run.SetHelp("r", "run experiment")
	case scrPresets:
		k.Up.SetEnabled(true)
		k.Down.SetEnabled(true)
		k.Enter.SetEnabled(len(m.choices) > 0)
		k.Enter.SetHelp("enter", "load")
		k.Save.SetEnabled(true)
	case scrHelp:
		k.Help.SetHelp("?/esc", "close help")
		return
	}
	k.Help.SetHelp("?", "help")
}
