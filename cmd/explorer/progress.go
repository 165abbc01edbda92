package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressLine is the one progress line the commands redraw on a
// terminal's stderr (run, sweep and guidelines): a bar of the fraction
// done and a few words, rewritten at most every 100 ms. On anything but a
// terminal it writes nothing, so logs and pipes stay clean.
type progressLine struct {
	w    io.Writer
	on   bool
	last time.Time
}

// newProgressLine draws on w when w is a terminal.
func newProgressLine(w io.Writer) *progressLine { return &progressLine{w: w, on: isTerminal(w)} }

// progressWidth is the number of cells of the bar.
const progressWidth = 30

// show redraws the line: the bar at frac (0..1) and the text. Redraws
// closer than 100 ms apart are skipped unless force is set.
func (p *progressLine) show(frac float64, text string, force bool) {
	if !p.on || !force && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	n := int(max(0, min(1, frac)) * progressWidth)
	fmt.Fprintf(p.w, "\r\033[K[%s%s] %3.0f%%  %s", strings.Repeat("#", n), strings.Repeat(".", progressWidth-n), 100*frac, text)
}

// clear erases the line.
func (p *progressLine) clear() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
