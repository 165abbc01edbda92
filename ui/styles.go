package ui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// styles are the lipgloss styles of every screen. Colours are ANSI-16
// chosen per background (the terminal reports it as a
// tea.BackgroundColorMsg), so they follow the terminal's theme and stay
// legible on light and dark backgrounds; text never relies on colour alone
// (markers, brackets and words carry the meaning).
type styles struct {
	title, head, dim, sel, err, ok, accent, tab, tabOn, status lipgloss.Style
	help                                                       help.Styles
	bar                                                        color.Color // progress bar fill; nil without colour
}

// newStyles returns the styles for a dark or light background, or without
// any colour.
func newStyles(isDark, noColor bool) styles {
	pick := lipgloss.LightDark(isDark)
	colour := func(light, dark string) color.Color {
		if noColor {
			return nil
		}
		return pick(lipgloss.Color(light), lipgloss.Color(dark))
	}
	fg := func(s lipgloss.Style, c color.Color) lipgloss.Style {
		if c == nil {
			return s
		}
		return s.Foreground(c)
	}
	accent := colour("4", "6") // blue on light, cyan on dark
	st := styles{
		title:  lipgloss.NewStyle().Bold(true),
		head:   lipgloss.NewStyle().Underline(true),
		dim:    lipgloss.NewStyle().Faint(true),
		sel:    lipgloss.NewStyle().Reverse(true),
		err:    fg(lipgloss.NewStyle().Bold(noColor), colour("1", "9")),
		ok:     fg(lipgloss.NewStyle(), colour("2", "10")),
		accent: fg(lipgloss.NewStyle().Bold(true), accent),
		tab:    lipgloss.NewStyle().Faint(true),
		tabOn:  fg(lipgloss.NewStyle().Bold(true), accent),
		status: lipgloss.NewStyle().Faint(true),
		bar:    accent,
	}
	st.help = help.DefaultStyles(isDark)
	if noColor {
		plain := lipgloss.NewStyle()
		st.help = help.Styles{Ellipsis: plain, ShortKey: plain.Bold(true), ShortDesc: plain, ShortSeparator: plain,
			FullKey: plain.Bold(true), FullDesc: plain, FullSeparator: plain}
	}
	return st
}

// hi renders s in the accent style (a func for plot code that takes one).
func (st styles) hi(s string) string { return st.accent.Render(s) }
