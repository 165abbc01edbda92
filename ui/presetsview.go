package ui

import (
	"errors"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/shufflelab/explorer/cost/costfmt"
	"github.com/shufflelab/explorer/presets"
)

// presetRow is one entry of the presets picker.
type presetRow struct {
	p        presets.Preset
	madds    int64
	params   int64
	fromFile bool
}

// presetChoices lists the embedded presets and the given design files with
// their analytic cost. Files that fail to load are skipped and reported.
func presetChoices(all []presets.Preset, files []string) ([]presetRow, error) {
	var rows []presetRow
	var errs []error
	add := func(p presets.Preset, file bool) {
		a, err := analyze(p.Design)
		if err != nil {
			errs = append(errs, fmt.Errorf("preset %s: %w", p.Name, err))
			return
		}
		rows = append(rows, presetRow{p: p, madds: a.written.Totals.MultAdds, params: a.written.Totals.Params, fromFile: file})
	}
	for _, p := range all {
		add(p, false)
	}
	for _, f := range files {
		p, err := presets.Load(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		add(p, true)
	}
	return rows, errors.Join(errs...)
}

// addChoice offers a just-saved design file in the picker (replacing an
// entry for the same file).
func (m *Model) addChoice(path string) {
	rows, err := presetChoices(nil, []string{path})
	if err != nil {
		m.fail(err)
		return
	}
	for i, c := range m.choices {
		if c.fromFile && c.p.File == path {
			m.choices[i] = rows[0]
			return
		}
	}
	m.choices = append(m.choices, rows...)
}

func (m *Model) presetsKey(k tea.KeyPressMsg) tea.Cmd {
	n := len(m.choices)
	switch {
	case n == 0:
	case key.Matches(k, m.keys.Up):
		m.pick = (m.pick + n - 1) % n
	case key.Matches(k, m.keys.Down):
		m.pick = (m.pick + 1) % n
	case key.Matches(k, m.keys.Enter):
		c := m.choices[m.pick]
		nd, err := m.d.withPreset(c.p)
		if err != nil {
			m.fail(err)
			return nil
		}
		m.setDesign(nd)
		m.status = "loaded " + c.p.Name
		m.scr = scrExplore
	}
	if key.Matches(k, m.keys.Save) {
		m.startSave()
	}
	return nil
}

// presetLines renders the picker, scrolled so the cursor stays visible.
func (m *Model) presetLines(w, h int) []string {
	lines := []string{
		m.st.title.Render("Presets  (embedded designs and design files)"),
		m.st.head.Render(fmt.Sprintf("  %-24s %8s %8s  %s", "name", "MAdds", "params", "title")),
	}
	rows := h - len(lines) - 2
	top := 0
	if m.pick >= rows {
		top = m.pick - rows + 1
	}
	for i := top; i < len(m.choices) && i < top+rows; i++ {
		c := m.choices[i]
		title := c.p.Title
		if c.fromFile {
			title = c.p.File
		}
		l := fmt.Sprintf("  %-24s %8s %8s  %s", trunc(c.p.Name, 24), costfmt.Count(c.madds), costfmt.Count(c.params), title)
		if i == m.pick {
			l = m.st.sel.Render(fit("▸"+l[1:], w))
		}
		lines = append(lines, l)
	}
	lines = append(lines, "", m.st.dim.Render(fmt.Sprintf("%d of %d · current design: %s", m.pick+1, len(m.choices), m.d.spec.String())))
	return lines
}
