package ui

import "charm.land/lipgloss/v2"

// styles are the lipgloss styles of every pane. Colours are ANSI-16 so they
// follow the terminal's theme; text never relies on colour alone (markers,
// brackets and words carry the meaning).
type styles struct {
	title, head, dim, sel, err, ok, tab, tabOn, status lipgloss.Style
}

func newStyles() styles {
	return styles{
		title:  lipgloss.NewStyle().Bold(true),
		head:   lipgloss.NewStyle().Underline(true),
		dim:    lipgloss.NewStyle().Faint(true),
		sel:    lipgloss.NewStyle().Reverse(true),
		err:    lipgloss.NewStyle().Foreground(lipgloss.Color("1")),
		ok:     lipgloss.NewStyle().Foreground(lipgloss.Color("2")),
		tab:    lipgloss.NewStyle().Faint(true),
		tabOn:  lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("6")),
		status: lipgloss.NewStyle().Faint(true),
	}
}
