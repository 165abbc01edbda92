package ui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/internal/safefile"
	"github.com/shufflelab/explorer/presets"
)

// TestSavePromptShows: s draws the save field with its proposed name (one
// that is no built-in preset's), the typed text replaces it after ctrl+u,
// at 80x24 as at 120x40 (it was drawn nowhere: only the key help changed).
func TestSavePromptShows(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m := newTestModel(t, nil, sz[0], sz[1])
		send(t, m, "s")
		v := view(m)
		if !strings.Contains(v, "save design to:") || !strings.Contains(v, "shufflenetv2-1.0-mine.toml") {
			t.Errorf("%dx%d: the save field or its proposed name is not drawn:\n%s", sz[0], sz[1], v)
		}
		send(t, m, "ctrl+u", "mydes")
		if v := view(m); !strings.Contains(v, "save design to: mydes") || strings.Contains(v, "-mine.toml") {
			t.Errorf("%dx%d: the typed name is not what the field shows:\n%s", sz[0], sz[1], v)
		}
		for i, l := range strings.Split(view(m), "\n") {
			if w := len([]rune(l)); w > sz[0] {
				t.Errorf("%dx%d: line %d is %d wide", sz[0], sz[1], i, w)
			}
		}
		send(t, m, "esc")
		if strings.Contains(view(m), "save design to:") {
			t.Errorf("%dx%d: esc left the save field on screen", sz[0], sz[1])
		}
	}
}

// TestSaveNameNeverShadowsAPreset: the proposed name is never a built-in
// preset's, whatever the loaded design is called.
func TestSaveNameNeverShadowsAPreset(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	names := map[string]bool{}
	for _, p := range m.explore.env.presets {
		names[p.Name] = true
	}
	for _, p := range m.explore.env.presets {
		// A preset whose "-mine" name is itself a preset must not be proposed.
		m.explore.env.presets = append(m.explore.env.presets, presets.Preset{Name: p.Name + "-mine"})
		names[p.Name+"-mine"] = true
		send(t, m, "enter", "ctrl+u", p.Name, "enter")
		got := strings.TrimSuffix(filepath.Base(m.explore.saveName(fileExists)), ".toml")
		if names[got] {
			t.Errorf("loaded %s: proposed %q, a built-in preset's name", p.Name, got)
		}
		m.explore.env.presets = m.explore.env.presets[:len(m.explore.env.presets)-1]
	}
}

// TestSaveCreatesDesignsFolder: the --designs folder is created (0755) on
// save when it does not exist; a folder that cannot be created is an error
// naming the file.
func TestSaveCreatesDesignsFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "designs")
	deps := testDeps(nil)
	deps.SaveDir = dir
	m := newModel(t, deps, 120, 40)
	send(t, m, "s", "enter")
	path := filepath.Join(dir, "shufflenetv2-1.0-mine.toml")
	if _, err := presets.Load(path); err != nil {
		t.Fatalf("save into a missing --designs folder: %v (status %q)", err, statusLine(m))
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() || fi.Mode().Perm()&^0o755 != 0 || fi.Mode().Perm()&0o700 != 0o700 {
		t.Errorf("designs folder: %v, %v (want a folder, 0755 less the umask)", fi, err)
	}
	if st := statusLine(m); !strings.Contains(st, "saved design to "+path) {
		t.Errorf("status %q", st)
	}

	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	deps.SaveDir = filepath.Join(file, "designs")
	m = newModel(t, deps, 200, 40)
	send(t, m, "s", "enter")
	want := filepath.Join(file, "designs", "shufflenetv2-1.0-mine.toml")
	if st := statusLine(m); !strings.Contains(st, "error: save design to "+want) {
		t.Errorf("a folder that cannot be created: status %q", st)
	}
}

// TestSaveErrorAsPresetsSaysIt: a design file that cannot be written (a
// folder where it goes) is presets.Save's error, shown as it is: the path
// once, the cause wrapped (the explorer cut "save design: " off its text
// and re-wrapped the rest with %s, so the path showed twice and
// errors.Is lost the cause).
func TestSaveErrorAsPresetsSaysIt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "taken.toml")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	err := saveDesign(presets.Preset{Name: "taken", Design: testSpec(t)}, path)
	if !errors.Is(err, safefile.ErrNotRegular) || strings.Count(err.Error(), path) != 1 {
		t.Errorf("saveDesign: %v; want presets.Save's error (path once, wrapping %v)", err, safefile.ErrNotRegular)
	}
	m := newTestModel(t, nil, 300, 40)
	send(t, m, "s", "ctrl+u", path, "enter")
	if st := statusLine(m); !strings.Contains(st, "error: "+err.Error()) || strings.Count(st, path) != 1 {
		t.Errorf("status %q, want %q", st, "error: "+err.Error())
	}
}

// testSpec is ShuffleNetV2 1.0x, normalised.
func testSpec(t *testing.T) arch.Spec {
	t.Helper()
	p, err := presets.Load("shufflenetv2-1.0")
	if err != nil {
		t.Fatal(err)
	}
	return p.Design.Normalize()
}

// TestSaveNeverOverwritesSilently: s proposes a name no file has (the
// second s proposed the file the first wrote, and enter replaced it), and
// a typed name of an existing file asks first: y overwrites it, esc keeps
// it, any other key goes back to the name.
func TestSaveNeverOverwritesSilently(t *testing.T) {
	dir := t.TempDir()
	deps := testDeps(nil)
	deps.SaveDir = dir
	m := newModel(t, deps, 120, 40)
	first := filepath.Join(dir, "shufflenetv2-1.0-mine.toml")
	send(t, m, "s", "enter")
	if _, err := presets.Load(first); err != nil {
		t.Fatalf("first save: %v (status %q)", err, statusLine(m))
	}
	send(t, m, "s")
	second := filepath.Join(dir, "shufflenetv2-1.0-mine-2.toml")
	if st := statusLine(m); !strings.Contains(st, "save design to: "+second) {
		t.Fatalf("second s proposes %q, want %s", st, second)
	}
	send(t, m, "enter")
	if _, err := presets.Load(second); err != nil {
		t.Fatalf("second save: %v (status %q)", err, statusLine(m))
	}

	typeKnob(t, m, kWidth, "1.1") // a design unlike the file's
	width := func() float64 {
		p, err := presets.Load(first)
		if err != nil {
			t.Fatal(err)
		}
		return p.Design.Normalize().Width
	}
	ask := func() {
		t.Helper()
		send(t, m, "s", "ctrl+u", "shufflenetv2-1.0-mine", "enter")
		if st := statusLine(m); !strings.Contains(st, first+" exists: overwrite it? y overwrites") {
			t.Fatalf("typing an existing file's name: status %q", st)
		}
		if lines := strings.Split(view(m), "\n"); !strings.Contains(lines[len(lines)-1], "y overwrite") {
			t.Errorf("key help during the question: %q", lines[len(lines)-1])
		}
		if width() != 1 {
			t.Fatal("the file was replaced before the answer")
		}
	}
	ask()
	send(t, m, "n") // back to the name
	if st := statusLine(m); !strings.Contains(st, "save design to: "+first) {
		t.Errorf("another key: status %q, want the save field with the name", st)
	}
	send(t, m, "esc")
	ask()
	send(t, m, "esc")
	if st := statusLine(m); !strings.Contains(st, "not saved: "+first+" exists") || width() != 1 {
		t.Errorf("esc: status %q, width %g", st, width())
	}
	ask()
	send(t, m, "y")
	if st := statusLine(m); !strings.Contains(st, "saved design to "+first) || width() != 1.1 {
		t.Errorf("y: status %q, width %g", st, width())
	}
}

// TestSaveRefusesNameTheLoadersRefuse: a typed "my design .toml" named the
// design "my design " (space at the end); the file was written, then
// every load refused it (presets.CheckName). The save now says why at once
// and writes nothing.
func TestSaveRefusesNameTheLoadersRefuse(t *testing.T) {
	dir := t.TempDir()
	deps := testDeps(nil)
	deps.SaveDir = dir
	m := newModel(t, deps, 200, 40)
	send(t, m, "s", "ctrl+u", "my design .toml", "enter")
	if st := statusLine(m); !strings.Contains(st, `invalid name "my design "`) {
		t.Errorf("status %q", st)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("written: %v", files)
	}
}

// TestSaveRefusesWindowsReservedNames: a design file name with a character
// Windows cannot store is refused on every OS, and nothing is written (on
// NTFS "my:design.toml" wrote a stream of an empty file "my").
func TestSaveRefusesWindowsReservedNames(t *testing.T) {
	dir := t.TempDir()
	m := newTestModel(t, nil, 300, 40)
	path := filepath.Join(dir, "my:design.toml")
	send(t, m, "s", "ctrl+u", path, "enter")
	if st := statusLine(m); !strings.Contains(st, `cannot hold any of <>:"|?*`) {
		t.Errorf("status %q, want the refusal naming the characters", st)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}
