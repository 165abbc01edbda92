package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Layout of the explore screen: the knobs column's width at the minimum
// size and at wide sizes.
const (
	knobsWidthMin  = 29
	knobsWidthWide = 38
)

// trunc shortens plain text to n cells with an ellipsis.
func trunc(s string, n int) string { return ansi.Truncate(s, n, "…") }

// fit truncates or pads a (possibly styled) line to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if pad := w - lipgloss.Width(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// block fits lines into a w x h rectangle.
func block(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(0, w))
		}
	}
	return out
}

// wrap breaks plain text into lines of at most w cells at spaces.
func wrap(s string, w int) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case lipgloss.Width(line)+1+lipgloss.Width(word) <= w:
			line += " " + word
		default:
			out = append(out, line)
			line = word
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// render draws the whole frame into m.frame. It runs at the end of every
// Update, so View stays a field read.
func (m *Model) render() {
	if m.w == 0 || m.h == 0 {
		m.frame = "starting…"
		return
	}
	if m.tooSmall() {
		lines := []string{"terminal too small"}
		lines = append(lines, wrap(fmt.Sprintf("%dx%d, need at least %dx%d · q quits", m.w, m.h, MinWidth, MinHeight), m.w)...)
		for i := range lines {
			lines[i] = fit(lines[i], m.w)
		}
		m.frame = lipgloss.Place(m.w, m.h, lipgloss.Center, lipgloss.Center, strings.Join(lines, "\n"))
		return
	}
	bodyH := m.h - 3
	var body []string
	switch m.scr {
	case scrExplore:
		body = m.exploreLines(m.w, bodyH)
	case scrGap:
		body = block(m.gapLines(m.w, bodyH), m.w, bodyH)
	case scrGuide:
		body = block(m.guideLines(m.w), m.w, bodyH)
	case scrPresets:
		body = block(m.presetLines(m.w, bodyH), m.w, bodyH)
	case scrHelp:
		body = block(m.helpLines(bodyH), m.w, bodyH)
	}
	lines := make([]string, 0, m.h)
	lines = append(lines, fit(m.headerLine(), m.w))
	lines = append(lines, body...)
	lines = append(lines, fit(m.statusLine(), m.w), fit(m.help.ShortHelpView(m.keys.ShortHelp()), m.w))
	m.frame = strings.Join(lines, "\n")
}

func (m *Model) headerLine() string {
	parts := []string{m.st.title.Render("explorer")}
	for s := scrExplore; s < numScreens; s++ {
		label := fmt.Sprintf("%d %s", s+1, screenNames[s])
		if s == m.scr {
			parts = append(parts, m.st.tabOn.Render("["+label+"]"))
		} else {
			parts = append(parts, m.st.tab.Render(" "+label+" "))
		}
	}
	if m.scr == scrHelp {
		parts = append(parts, m.st.tabOn.Render("[? help]"))
	}
	return strings.Join(parts, " ")
}

func (m *Model) statusLine() string {
	switch m.editing {
	case editSave:
		return m.st.title.Render("save design to: ") + m.input + "▏"
	case editExport:
		return m.st.title.Render("export plots and data to folder: ") + m.input + "▏"
	}
	host := m.deps.Host
	if host == "" {
		host = "host unknown"
	}
	s := m.st.status.Render(host)
	msg := ""
	switch {
	case m.lastErr != "":
		msg = m.st.err.Render("error: " + m.lastErr)
	case m.status != "":
		msg = m.st.ok.Render(m.status)
	}
	if msg == "" {
		return s
	}
	// A message that does not fit beside the host (an export's folder)
	// matters more than the host.
	if lipgloss.Width(s)+2+lipgloss.Width(msg) > m.w {
		return msg
	}
	return s + "  " + msg
}

// exploreLines lays out the knobs and run column beside the cost pane.
func (m *Model) exploreLines(w, h int) []string {
	lw := knobsWidthMin
	if w >= 110 {
		lw = knobsWidthWide
	}
	rw := w - lw - 1
	left := m.knobLines(lw)
	left = append(left, "")
	left = append(left, m.runLines(lw)...)
	if extra := m.slowestLines(lw, h-len(left)-1); extra != nil {
		left = append(append(left, ""), extra...)
	}
	right := costLines(&m.a, &m.prev, m.co, m.currentShares(), rw, h, m.st)
	lb, rb := block(left, lw, h), block(right, rw, h)
	out := make([]string, h)
	for i := range out {
		out[i] = lb[i] + " " + rb[i]
	}
	return out
}

// currentShares returns the measured time shares if the latest result is
// of the current design.
func (m *Model) currentShares() *timeShares {
	if m.run.last == nil || m.run.lastKey != designKey(m.d.request()) {
		return nil
	}
	return m.run.shares
}

func (m *Model) knobLines(w int) []string {
	lines := []string{m.st.title.Render("Knobs")}
	for k := kDesign; k < numKnobs; k++ {
		val := m.d.value(k)
		if m.editing == editKnob && k == m.cur {
			val = m.input + "▏"
		}
		marker := " "
		if k == m.cur {
			marker = "▸"
		}
		l := fmt.Sprintf("%s %-8s %s", marker, knobLabels[k], val)
		switch {
		case k == m.cur:
			l = m.st.sel.Render(fit(l, w))
		case !m.d.applies(k):
			l = m.st.dim.Render(l)
		}
		lines = append(lines, l)
		if m.knobErr != "" && k == m.knobErrAt {
			for _, e := range wrap("! "+m.knobErr, w) {
				lines = append(lines, m.st.err.Render(e))
			}
		}
	}
	for _, n := range m.a.channels {
		lines = append(lines, m.st.dim.Render(n))
	}
	return lines
}

// helpLines is the help screen in at most h lines (when blank lines can
// make room): the keys of the screen help was opened from, generated from
// the key map, and the words of the cost pane.
func (m *Model) helpLines(h int) []string {
	saved := m.scr
	m.scr = m.back
	m.syncKeys()
	km := m.keys
	m.scr = saved
	m.syncKeys()
	hm := m.help
	hm.ShowAll = true
	lines := []string{m.st.title.Render("Keys on the " + screenNames[m.back] + " screen"), ""}
	lines = append(lines, strings.Split(hm.View(km), "\n")...)
	lines = append(lines, "",
		m.st.title.Render("Words"),
		"MAdds   multiply-accumulates: the paper's \"FLOPs\" (146M for 1.0x)",
		"FLOPs   2 × MAdds; aux FLOPs (BN, ReLU, add, pooling) are listed apart",
		"MAC     memory access cost: elements read + written by each op (paper §2)",
		"bytes   MAC × 4 (fp32) · AI = FLOPs / bytes",
		"views   as written (every op materialised) or fused (BN folded, ReLU in",
		"        epilogues, split/concat/shuffle zero-copy): the plan that runs",
		"",
		m.st.title.Render("Screens"),
		"1 explore: knobs, cost with guideline lenses, run the design",
		"2 gap chart: every measured design, FLOPs or MAC against latency",
		"3 guidelines: the paper's G1-G4 experiments on this machine",
		"4 presets: load a design, save the current one",
	)
	// On a short terminal the blank spacer lines go first, from the top.
	for i := 0; i < len(lines) && len(lines) > h; {
		if lines[i] == "" {
			lines = append(lines[:i], lines[i+1:]...)
			continue
		}
		i++
	}
	return lines
}
