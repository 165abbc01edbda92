package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// trunc shortens plain text to n cells with an ellipsis.
func trunc(s string, n int) string { return ansi.Truncate(s, max(0, n), "…") }

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
	out := make([]string, max(0, h))
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(0, w))
		}
	}
	return out
}

// columns joins blocks of equal height side by side with one space.
func columns(blocks ...[]string) []string {
	if len(blocks) == 0 {
		return nil
	}
	out := make([]string, len(blocks[0]))
	for i := range out {
		parts := make([]string, len(blocks))
		for j, b := range blocks {
			if i < len(b) {
				parts[j] = b[i]
			}
		}
		out[i] = strings.Join(parts, " ")
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

// truncWords shortens plain text to n cells with "…" as trunc does, except
// that a word with a figure or a knob's value ("1.25x", "classes=256") is
// never cut in the middle: the cut goes before it. (A first word is cut
// as trunc cuts it.)
func truncWords(s string, n int) string {
	if lipgloss.Width(s) <= n {
		return s
	}
	cut := trunc(s, n)
	kept := strings.TrimSuffix(cut, "…")
	if strings.HasPrefix(s[len(kept):], " ") || strings.HasSuffix(kept, " ") {
		return cut // cut between words
	}
	i := strings.LastIndexByte(kept, ' ')
	if i < 0 {
		return cut
	}
	word, _, _ := strings.Cut(s[i+1:], " ") // the whole word the cut is in
	if !strings.ContainsAny(word, "0123456789=") {
		return cut
	}
	return kept[:i+1] + "…"
}

// bounded wraps plain text into at most n lines of w cells; where it needs
// more, the last line ends with "…".
func bounded(s string, w, n int) []string {
	lines := wrap(s, w)
	if len(lines) <= n || n <= 0 {
		return lines
	}
	// The next line's start makes the last one too long: Truncate cuts it
	// and adds the ellipsis.
	last := lines[n-1] + " " + lines[n]
	if lipgloss.Width(last) <= w { // cannot happen with wrap's lines; be safe
		last += " …"
	}
	return append(lines[:n-1:n-1], ansi.Truncate(last, w, "…"))
}

// cutList shortens a list of items joined by sep to w cells by dropping
// whole items from the end, ending with "…" (a number is never cut).
func cutList(s, sep string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	items := strings.Split(s, sep)
	for n := len(items) - 1; n > 0; n-- {
		if v := strings.Join(items[:n], sep) + sep + "…"; lipgloss.Width(v) <= w {
			return v
		}
	}
	return "…"
}

// pack joins parts with sep into lines of at most w cells, never splitting
// a part (a part wider than w stands alone, to be cut by the caller).
func pack(parts []string, sep string, w int) []string {
	var out []string
	line := ""
	for _, p := range parts {
		switch {
		case line == "":
			line = p
		case lipgloss.Width(line+sep+p) <= w:
			line += sep + p
		default:
			out = append(out, line)
			line = p
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// fitParts joins parts with sep, dropping parts from the end until the
// line is at most w cells (the first part always stays).
func fitParts(parts []string, sep string, w int) string {
	for n := len(parts); n > 1; n-- {
		if l := strings.Join(parts[:n], sep); lipgloss.Width(l) <= w {
			return l
		}
	}
	return parts[0]
}

// tabs renders names with the chosen one in brackets: "[G1] G2  G3".
func tabs(names []string, sel int) string {
	var b strings.Builder
	for i, n := range names {
		if i == sel {
			b.WriteString("[" + n + "]")
		} else {
			b.WriteString(" " + n + " ")
		}
	}
	return b.String()
}
