package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// prompt is a one-line text entry (bubbles' textinput) for a knob value, a
// file name or a folder: enter applies, esc discards.
type prompt struct {
	ti     textinput.Model
	label  string
	target int // what the owner asked for (a knob, "save", ...)
	open   bool
}

func newPrompt(isDark bool) prompt {
	p := prompt{ti: textinput.New()}
	p.ti.Prompt = ""
	p.setStyles(isDark)
	return p
}

// setStyles follows the background; the cursor does not blink (no timer
// runs while the user thinks).
func (p *prompt) setStyles(isDark bool) {
	s := textinput.DefaultStyles(isDark)
	s.Cursor.Blink = false
	p.ti.SetStyles(s)
}

// start opens the prompt with a label and a starting value.
func (p *prompt) start(label string, target int, value string, w int) {
	p.label, p.target, p.open = label, target, true
	p.resize(w)
	p.ti.SetValue(value)
	p.ti.CursorEnd()
	p.ti.Focus()
}

// promptResult is what a key did to an open prompt.
type promptResult int

const (
	promptEditing promptResult = iota
	promptApplied
	promptDiscarded
)

// update feeds a key or a paste to the open prompt.
func (p *prompt) update(msg tea.Msg) (promptResult, tea.Cmd) {
	if p, ok := msg.(tea.PasteMsg); ok {
		// One line: the clipboard's line break is not part of a value.
		msg = tea.PasteMsg{Content: strings.TrimRight(p.Content, "\r\n")}
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		pk := promptKeys()
		switch {
		case key.Matches(k, pk.Apply):
			p.close()
			return promptApplied, nil
		case key.Matches(k, pk.Discard):
			p.close()
			return promptDiscarded, nil
		}
	}
	var cmd tea.Cmd
	p.ti, cmd = p.ti.Update(msg)
	return promptEditing, cmd
}

func (p *prompt) close() {
	p.open = false
	p.ti.Blur()
}

// value is the text typed.
func (p *prompt) value() string { return p.ti.Value() }

// resize gives the input the cells left of w after the label.
func (p *prompt) resize(w int) { p.ti.SetWidth(max(1, w-len([]rune(p.label))-2)) }

// view renders the prompt in w cells: the label, then the input.
func (p *prompt) view(st styles, w int) string {
	return fit(st.title.Render(p.label+" ")+p.ti.View(), w)
}
