package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/shufflelab/explorer/cost/costfmt"
	"github.com/shufflelab/explorer/presets"
)

// presetsKeys are the presets screen's bindings.
type presetsKeys struct{ Up, Down, Load key.Binding }

func newPresetsKeys() presetsKeys {
	return presetsKeys{
		Up:   bind("↑/k", "up", "up", "k"),
		Down: bind("↓/j", "down", "down", "j"),
		Load: bind("enter", "load", "enter"),
	}
}

// presetRow is one entry of the presets picker.
type presetRow struct {
	p        presets.Preset
	madds    int64
	params   int64
	fromFile bool
}

// presetsScreen lists the embedded designs and the design files, with
// their analytic cost; enter loads one into the explorer.
type presetsScreen struct {
	sess    *session
	keys    presetsKeys
	choices []presetRow
	pick    int
	w, h    int
}

func newPresetsScreen(sess *session, all []presets.Preset) (*presetsScreen, error) {
	rows, err := presetChoices(all, sess.deps.DesignFiles)
	return &presetsScreen{sess: sess, keys: newPresetsKeys(), choices: rows}, err
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

func (s *presetsScreen) SetSize(w, h int) { s.w, s.h = w, h }

func (s *presetsScreen) Capturing() bool { return false }

func (s *presetsScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case savedMsg:
		if msg.err == nil {
			s.addFile(msg.path)
		}
	case tea.KeyPressMsg:
		n := len(s.choices)
		switch {
		case n == 0:
		case key.Matches(msg, s.keys.Up):
			s.pick = (s.pick + n - 1) % n
		case key.Matches(msg, s.keys.Down):
			s.pick = (s.pick + 1) % n
		case key.Matches(msg, s.keys.Load):
			p := s.choices[s.pick].p
			return func() tea.Msg { return loadDesignMsg{preset: p} }
		}
	}
	return nil
}

// addFile offers a just-saved design file (replacing an entry for the same file).
func (s *presetsScreen) addFile(path string) {
	rows, err := presetChoices(nil, []string{path})
	if err != nil || len(rows) == 0 {
		s.sess.logf("error: saved design %s: %v", path, err)
		return
	}
	for i, c := range s.choices {
		if c.fromFile && c.p.File == path {
			s.choices[i] = rows[0]
			return
		}
	}
	s.choices = append(s.choices, rows...)
}

func (s *presetsScreen) View() string {
	st := s.sess.st
	lines := []string{
		st.title.Render("Presets  (embedded designs and design files; s on the explore screen saves one)"),
		st.head.Render(fmt.Sprintf("  %-26s %8s %8s  %s", "name", "MAdds", "params", "title")),
	}
	rows := max(1, s.h-len(lines)-2)
	top := max(0, s.pick-rows+1)
	for i := top; i < len(s.choices) && i < top+rows; i++ {
		c := s.choices[i]
		title := c.p.Title
		if c.fromFile {
			title = c.p.File
		}
		l := fmt.Sprintf("  %-26s %8s %8s  %s", trunc(c.p.Name, 26), costfmt.Count(c.madds), costfmt.Count(c.params), title)
		if i == s.pick {
			l = st.sel.Render(fit("▸"+l[1:], s.w))
		}
		lines = append(lines, l)
	}
	cur := ""
	if s.sess.design != nil {
		cur = s.sess.design.spec.String()
	}
	lines = append(lines, "", st.dim.Render(fmt.Sprintf("%d of %d · current design: %s", s.pick+1, len(s.choices), cur)))
	return strings.Join(block(lines, s.w, s.h), "\n")
}

func (s *presetsScreen) ShortHelp() []key.Binding {
	has := len(s.choices) > 0
	return []key.Binding{enabled(s.keys.Up, has), enabled(s.keys.Down, has), enabled(s.keys.Load, has)}
}

func (s *presetsScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
