package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/shufflelab/explorer/plots/chartdata"
	"github.com/shufflelab/explorer/presets"
)

// Minimum terminal size; below it the UI says so instead of drawing screens.
const (
	MinWidth  = 80
	MinHeight = 24
)

// screen is a component of the root: its own Update, View, size and keys.
type screen interface {
	// Update handles a message; keys reach only the focused screen.
	Update(msg tea.Msg) tea.Cmd
	// View renders exactly the size last set; it only reads state.
	View() string
	SetSize(w, h int)
	// ShortHelp and FullHelp are the screen's live bindings.
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// Capturing reports whether a text prompt has the keyboard.
	Capturing() bool
}

// lineOwner is a screen that may take the status line (the whole width,
// as the export's prompt does): the explore screen's save field and its
// question whether to overwrite a file.
type lineOwner interface {
	statusLineView(st styles, w int) (string, bool) // false: the status line is the root's
}

// Model is the root Bubble Tea model of the explorer: tabs, status line,
// layout, focus and help; the screens do the rest. Create it with [New].
type Model struct {
	sess    *session
	keys    globalKeys
	help    help.Model
	explore *exploreScreen
	gap     *gapScreen
	guide   *guideScreen
	presets *presetsScreen
	screens [numScreens]screen
	exp     exporter

	focus    screenID
	showHelp bool
	confirm  bool // "quit anyway?" is asked
	isDark   bool
	w, h     int

	status    string
	statusEr  bool
	statusSrc string // what the message is about (statusMsg.source)
	statusID  int
	sticky    bool                           // the message stays until the next key (Model.say)
	ttl       func(isErr bool) time.Duration // how long a status message stays (0: until replaced)
}

var _ tea.Model = (*Model)(nil)

// New returns the explorer on ShuffleNetV2 1.0x (torchvision layout).
func New(deps Deps) (*Model, error) {
	all, err := presets.List()
	if err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	sess := &session{deps: deps, st: newStyles(true, deps.NoColor), points: append([]chartdata.Point(nil), deps.History...)}
	m := &Model{sess: sess, keys: newGlobalKeys(), help: help.New(), isDark: true, ttl: statusTTL}
	if m.explore, err = newExploreScreen(sess, all); err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	if m.guide, err = newGuideScreen(sess); err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	m.gap = newGapScreen(sess)
	m.presets, err = newPresetsScreen(sess, all)
	if err != nil {
		m.status, m.statusEr = err.Error(), true
	}
	m.screens = [numScreens]screen{m.explore, m.gap, m.guide, m.presets}
	m.exp = exporter{sess: sess, input: newPrompt(true), say: m.say}
	m.help.Styles = sess.st.help
	return m, nil
}

// Init asks the terminal for its background colour (the styles follow it).
func (m *Model) Init() tea.Cmd { return tea.RequestBackgroundColor }

// View implements tea.Model: it joins the header, the focused screen (or
// the help), the status line and the key help.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "explorer"
	return v
}

func (m *Model) tooSmall() bool { return m.w < MinWidth || m.h < MinHeight }

// busy names what a quit would interrupt ("" = nothing).
func (m *Model) busy() string {
	switch {
	case m.sess.job.active:
		return m.sess.job.label
	case m.exp.active:
		return "an export"
	}
	return ""
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	return m, m.update(msg)
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		for _, s := range m.screens {
			s.SetSize(m.w, max(0, m.h-3))
		}
		m.exp.input.resize(m.w)
		return nil
	case tea.BackgroundColorMsg:
		m.restyle(msg.IsDark())
		return nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		return m.handlePaste(msg)
	case statusMsg:
		cmd := m.setStatus(msg.text, msg.isErr)
		m.statusSrc = msg.source
		return cmd
	case statusClearMsg:
		if m.status != "" && (msg.all || m.statusSrc == msg.source) {
			m.status, m.statusSrc = "", ""
		}
		return nil
	case statusExpiredMsg:
		if msg.id == m.statusID && !m.sticky {
			m.status = ""
		}
		return nil
	case jobProgressMsg:
		return m.sess.progress(msg)
	case jobDoneMsg:
		if !m.sess.finish(msg) {
			return nil
		}
		return m.screens[msg.owner].Update(msg)
	case exportCalibMsg, exportExistsMsg, exportDoneMsg:
		return m.exp.update(msg)
	case loadDesignMsg:
		m.switchTo(scrExplore)
	}
	// Other messages go to every screen.
	var cmds []tea.Cmd
	for _, s := range m.screens {
		cmds = append(cmds, s.Update(msg))
	}
	return tea.Batch(cmds...)
}

// restyle rebuilds every style for a light or dark background.
func (m *Model) restyle(isDark bool) {
	m.isDark = isDark
	m.sess.st = newStyles(isDark, m.sess.deps.NoColor)
	m.help.Styles = m.sess.st.help
	m.explore.restyle(isDark)
	m.exp.input.setStyles(isDark)
}

// say shows a message at once, from Update (a message through a Cmd
// lands after messages already queued); a sticky one does not expire and
// goes at the next key.
func (m *Model) say(text string, isErr, sticky bool) tea.Cmd {
	cmd := m.setStatus(text, isErr)
	m.statusSrc = ""
	if sticky {
		m.statusID++ // its expiry, if any, no longer applies
		m.sticky = true
		return nil
	}
	return cmd
}

// setStatus shows a message and schedules its expiry.
func (m *Model) setStatus(text string, isErr bool) tea.Cmd {
	m.status, m.statusEr, m.sticky = text, isErr, false
	m.statusID++
	if isErr {
		m.sess.logf("error: %s", text)
	}
	d := m.ttl(isErr)
	if d <= 0 {
		return nil
	}
	id := m.statusID
	return tea.Tick(d, func(time.Time) tea.Msg { return statusExpiredMsg{id: id} })
}

// switchTo focuses screen s; the status message belonged to the old one.
func (m *Model) switchTo(s screenID) {
	if s != m.focus {
		m.status, m.sticky = "", false
	}
	m.focus = s
	m.showHelp = false
}

func (m *Model) quit() tea.Cmd {
	m.sess.stop("cancelled: quit")
	if m.exp.cancel != nil {
		m.exp.cancel()
	}
	return tea.Quit
}

func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	if m.sticky { // the next action after a message that stays
		m.status, m.statusSrc, m.sticky = "", "", false
	}
	if m.confirm {
		m.confirm = false
		if k.String() == "y" || k.String() == "ctrl+c" {
			return m.quit()
		}
		return info("not quitting")
	}
	// Behind "terminal too small" only q and ctrl+c act (that screen
	// says q quits): nothing else can be seen.
	typing := (m.exp.input.open || m.exp.asking != nil || m.screens[m.focus].Capturing()) && !m.tooSmall()
	if m.tooSmall() && k.String() != "ctrl+c" && !key.Matches(k, km.Quit) {
		return nil
	}
	if k.String() == "ctrl+c" || key.Matches(k, km.Quit) && !typing {
		if b := m.busy(); b != "" {
			m.confirm = true
			return nil
		}
		return m.quit()
	}
	if m.exp.asking != nil {
		return m.exp.answer(k, m.w)
	}
	if m.exp.input.open {
		res, cmd := m.exp.input.update(k)
		if res == promptApplied {
			return m.exp.start(m.exp.input.value(), exportSession(m.sess, m.explore, m.guide), m.explore.d.threads)
		}
		return cmd
	}
	if m.screens[m.focus].Capturing() && !m.tooSmall() {
		return m.screens[m.focus].Update(k)
	}
	switch {
	case m.showHelp && (key.Matches(k, km.Help) || k.String() == "esc"):
		m.showHelp = false
		return nil
	case key.Matches(k, km.Help):
		m.showHelp = true
		return nil
	case key.Matches(k, km.Cancel) && m.sess.job.active:
		label := m.sess.job.label
		m.sess.stop("cancelled")
		return info("cancelled: %s", label)
	case key.Matches(k, km.Cancel) && m.exp.calibrating:
		return m.exp.skipCalibration()
	case key.Matches(k, km.Next):
		m.switchTo((m.focus + 1) % numScreens)
		return nil
	case key.Matches(k, km.Prev):
		m.switchTo((m.focus + numScreens - 1) % numScreens)
		return nil
	case key.Matches(k, km.Screen):
		m.switchTo(screenID(k.String()[0] - '1'))
		return nil
	}
	if m.tooSmall() || m.showHelp {
		return nil
	}
	if key.Matches(k, km.Export) && m.canExport() {
		m.exp.open(m.w)
		return nil
	}
	return m.screens[m.focus].Update(k)
}

// handlePaste gives a paste (Bubble Tea delivers it as one message, not
// as keys) to the text field that has the keyboard: the export's folder,
// or the focused screen's field (a knob's value, the save name). With no
// field open a paste does nothing.
func (m *Model) handlePaste(p tea.PasteMsg) tea.Cmd {
	switch {
	case m.tooSmall() || m.confirm:
		return nil
	case m.exp.input.open:
		_, cmd := m.exp.input.update(p)
		return cmd
	case m.screens[m.focus].Capturing():
		return m.screens[m.focus].Update(p)
	}
	return nil
}

// canExport reports whether the session has something measured to export
// and nothing in flight.
func (m *Model) canExport() bool {
	return len(m.sess.points) > 0 && !m.exp.active && !m.sess.job.active
}

// globalHelp are the root's live bindings, after the screen's.
func (m *Model) globalHelp() []key.Binding {
	km := m.keys
	cancel := km.Cancel
	if !m.sess.job.active && m.exp.calibrating {
		cancel.SetHelp("esc", "skip roofline")
	}
	return []key.Binding{enabled(cancel, m.sess.job.active || m.exp.calibrating), enabled(km.Export, m.canExport()), km.Help, km.Quit}
}

func (m *Model) render() string {
	if m.w == 0 || m.h == 0 {
		return "starting…"
	}
	if m.tooSmall() {
		lines := []string{"terminal too small"}
		lines = append(lines, wrap(fmt.Sprintf("%dx%d, need at least %dx%d · q quits", m.w, m.h, MinWidth, MinHeight), m.w)...)
		if m.confirm {
			lines = append(lines, wrap(m.busy()+" is in progress: quit anyway? y quits, any other key stays", m.w)...)
		}
		for i := range lines {
			lines[i] = fit(lines[i], m.w)
		}
		return lipgloss.Place(m.w, m.h, lipgloss.Center, lipgloss.Center, strings.Join(lines, "\n"))
	}
	bodyH := m.h - 3
	var body string
	if m.showHelp {
		body = strings.Join(block(m.helpLines(bodyH), m.w, bodyH), "\n")
	} else {
		body = m.screens[m.focus].View()
	}
	return strings.Join([]string{fit(m.header(), m.w), body, fit(m.statusLine(), m.w), m.footer()}, "\n")
}

func (m *Model) header() string {
	st := m.sess.st
	parts := []string{st.title.Render("explorer")}
	for s := scrExplore; s < numScreens; s++ {
		label := fmt.Sprintf("%d %s", s+1, screenNames[s])
		if s == m.focus && !m.showHelp {
			parts = append(parts, st.tabOn.Render("["+label+"]"))
		} else {
			parts = append(parts, st.tab.Render(" "+label+" "))
		}
	}
	if m.showHelp {
		parts = append(parts, st.tabOn.Render("[? help]"))
	}
	line := strings.Join(parts, " ")
	if j := &m.sess.job; j.active {
		// The percentage first: where the line is narrow only the label
		// is cut (what runs, without "measuring", before that is cut).
		pct := fmt.Sprintf(" ⏵ %.0f%%", 100*j.frac)
		room := m.w - lipgloss.Width(line) - 1 - lipgloss.Width(pct) - 1
		label := j.label
		if lipgloss.Width(label) > room {
			label = trunc(j.what, room)
		}
		line += " " + st.accent.Render(strings.TrimRight(pct+" "+label, " "))
	}
	return line
}

func (m *Model) statusLine() string {
	st := m.sess.st
	switch {
	case m.confirm:
		return st.err.Render(m.busy()+" is in progress: quit anyway? ") + st.title.Render("y") + " quits, any other key stays"
	case m.exp.asking != nil:
		return m.exp.question(st, m.w)
	case m.exp.input.open:
		return m.exp.input.view(st, m.w)
	}
	if lo, ok := m.screens[m.focus].(lineOwner); ok && !m.showHelp {
		if v, ok := lo.statusLineView(st, m.w); ok {
			return v
		}
	}
	host := m.sess.deps.Host
	if host == "" {
		host = "host unknown"
	}
	s := st.status.Render(host)
	msg := ""
	switch {
	case m.status != "" && m.statusEr:
		msg = st.err.Render("error: " + m.status)
	case m.status != "":
		msg = st.ok.Render(m.status)
	}
	if msg == "" {
		return s
	}
	// A message that does not fit beside the host matters more than the host.
	if lipgloss.Width(s)+2+lipgloss.Width(msg) > m.w {
		return msg
	}
	return s + "  " + msg
}

// footer is the short key help: the screen's keys, then the global ones;
// where the line is too narrow the screen's last keys give way, so help
// and quit always show.
func (m *Model) footer() string {
	var local []key.Binding
	switch {
	case m.confirm: // the question's keys (? and q are "any other key" here)
		return fit(m.help.ShortHelpView([]key.Binding{bind("y/ctrl+c", "quit anyway", "y", "ctrl+c"), bind("any other key", "stay", "any other key")}), m.w)
	case m.exp.asking != nil:
		local = []key.Binding{bind("y", "export into it", "y"), bind("esc", "keep it", "esc"), bind("any other key", "edit the name", "any other key")}
	case m.exp.input.open:
		local = []key.Binding{promptKeys().Apply, promptKeys().Discard}
	case m.showHelp:
		close := m.keys.Help
		close.SetHelp("?/esc", "close help")
		return fit(m.help.ShortHelpView([]key.Binding{close, m.keys.Quit}), m.w)
	default:
		local = m.screens[m.focus].ShortHelp()
	}
	global := m.globalHelp()
	if m.exp.input.open || m.exp.asking != nil || m.screens[m.focus].Capturing() {
		global = nil // while typing, letters are text (ctrl+c still quits)
	}
	for n := len(local); n >= 0; n-- {
		v := m.help.ShortHelpView(append(append([]key.Binding(nil), local[:n]...), global...))
		if lipgloss.Width(v) <= m.w {
			return fit(v, m.w)
		}
	}
	return fit(m.help.ShortHelpView(global), m.w)
}

// helpLines is the help screen in at most h lines: the focused screen's
// keys and the global ones (read from the key maps, nothing switched), the
// words of the cost pane and the screens.
func (m *Model) helpLines(h int) []string {
	st := m.sess.st
	hm := m.help
	hm.ShowAll = true
	groups := append(m.screens[m.focus].FullHelp(), m.globalHelp(), []key.Binding{m.keys.Next, m.keys.Prev, m.keys.Screen})
	lines := []string{st.title.Render("Keys on the " + screenNames[m.focus] + " screen"), ""}
	// As many columns of keys side by side as the width holds; the rest
	// below, never cut.
	var row [][]key.Binding
	for _, g := range groups {
		next := append(append([][]key.Binding(nil), row...), g)
		if len(row) > 0 && lipgloss.Width(hm.FullHelpView(next)) > m.w {
			lines = append(lines, strings.Split(hm.FullHelpView(row), "\n")...)
			next = [][]key.Binding{g}
		}
		row = next
	}
	lines = append(lines, strings.Split(hm.FullHelpView(row), "\n")...)
	lines = append(lines, "",
		st.title.Render("Words"),
		"MAdds   multiply-accumulates: the paper's \"FLOPs\" (146M for 1.0x)",
		"FLOPs   2 × MAdds; aux FLOPs (BN, ReLU, add, pooling) are listed apart",
		"MAC     memory access cost: elements read + written by each op (paper §2)",
		"bytes   MAC × 4 (fp32) · AI = FLOPs / bytes · Δ: against the loaded design",
		"views   as written (every op materialised) or fused (BN folded, ReLU in",
		"        epilogues, split/concat/shuffle zero-copy): the plan that runs",
		"",
		st.title.Render("Screens"),
		"1 explore: knobs, cost with guideline lenses, run the design",
		"2 gap chart: every measured design, FLOPs or MAC against latency",
		"3 guidelines: the paper's G1-G4 experiments on this machine",
		"4 presets: load a design",
	)
	// On a short terminal the blank spacer lines go first.
	for i := 0; i < len(lines) && len(lines) > h; {
		if lines[i] == "" {
			lines = append(lines[:i], lines[i+1:]...)
			continue
		}
		i++
	}
	return lines
}
