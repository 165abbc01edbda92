package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// paste delivers text as Bubble Tea v2 delivers a paste (a tea.PasteMsg,
// not keys) and runs what follows.
func paste(t *testing.T, m *Model, text string) {
	t.Helper()
	_, cmd := m.Update(tea.PasteMsg{Content: text})
	drain(t, m, cmd)
}

// TestPasteIntoFields: a paste lands in whichever text field is open: a
// knob's value, the save name, the export folder (the root gave the paste
// to the screens but never to the export prompt, and the explore screen
// passed only key presses to its fields: pasting did nothing). A trailing
// newline of the clipboard is not part of the value.
func TestPasteIntoFields(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		open  func(t *testing.T, m *Model) // opens the field and clears it
		text  string                       // pasted
		check func(t *testing.T, m *Model)
	}{
		{"knob", func(t *testing.T, m *Model) { atKnob(t, m, kWidth); send(t, m, "enter", "ctrl+u") }, "1.5\n", func(t *testing.T, m *Model) {
			if got := m.explore.d.spec.Width; got != 1.5 {
				t.Errorf("width after pasting 1.5: %g", got)
			}
		}},
		{"save", func(t *testing.T, m *Model) { send(t, m, "s", "ctrl+u") }, filepath.Join(dir, "pasted.toml"), func(t *testing.T, m *Model) {
			if _, err := os.Stat(filepath.Join(dir, "pasted.toml")); err != nil {
				t.Errorf("pasted save name: %v (status %q)", err, statusLine(m))
			}
		}},
		{"export", func(t *testing.T, m *Model) { send(t, m, "r", "e", "ctrl+u") }, filepath.Join(dir, "pasted-export"), func(t *testing.T, m *Model) {
			if _, err := os.Stat(filepath.Join(dir, "pasted-export", "points.json")); err != nil {
				t.Errorf("pasted export folder: %v (status %q)", err, statusLine(m))
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newExportModel(t, &fakeCalibrator{cached: true})
			tc.open(t, m)
			paste(t, m, tc.text)
			if !strings.Contains(view(m), strings.TrimSpace(tc.text)) {
				t.Errorf("the field does not show the pasted %q:\n%s", tc.text, view(m))
			}
			send(t, m, "enter")
			tc.check(t, m)
		})
	}
	// With no field open a paste does nothing (it is not a key).
	m := newTestModel(t, fakeMeasurer{}, 80, 24)
	before := view(m)
	paste(t, m, "r")
	if view(m) != before || m.sess.job.active {
		t.Error("a paste with no field open acted")
	}
}
