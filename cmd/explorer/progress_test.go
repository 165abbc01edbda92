package main

import (
	"bytes"
	"testing"
)

// TestProgressLine: nothing on a non-terminal; on a terminal the bar of 30
// cells at the fraction, redraws throttled unless forced, and a clear.
func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	newProgressLine(&buf).show(0.5, "x", true)
	if buf.Len() != 0 {
		t.Errorf("wrote %q to a non-terminal", buf.String())
	}
	p := &progressLine{w: &buf, on: true}
	p.show(0.5, "G1: 3/6", true)
	want := "\r\033[K[###############...............]  50%  G1: 3/6"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
	buf.Reset()
	p.show(0.6, "soon after", false)
	if buf.Len() != 0 {
		t.Errorf("redrew within 100 ms: %q", buf.String())
	}
	p.clear()
	if buf.String() != "\r\033[K" {
		t.Errorf("clear wrote %q", buf.String())
	}
}
