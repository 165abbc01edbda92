package plots

import (
	"bytes"
	"compress/zlib"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/font/gofont/goregular"
	"gonum.org/v1/plot/plotter"
)

// textChart is a small chart whose title has characters outside
// Liberation Sans: "⁹" (U+2079), which Go Regular has, and "設計甲",
// which neither has.
func textChart(t *testing.T, title string) *chart {
	t.Helper()
	c := newChart(title)
	s, err := plotter.NewScatter(plotter.XYs{{X: 1, Y: 1}, {X: 2, Y: 3}})
	if err != nil {
		t.Fatal(err)
	}
	c.add(s)
	return c
}

// goRegularFile writes Go Regular (golang.org/x/image/font/gofont) to a
// file, as a user's --font would name one.
func goRegularFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "Go-Regular.ttf")
	if err := os.WriteFile(p, goregular.TTF, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSaveFallbackFont: a PNG text with characters Liberation Sans lacks
// is drawn in the fallback font when it has them (and the PNG differs
// from the one drawn with boxes), and is reported as unshown, with the
// characters, when no font at hand has them.
func TestSaveFallbackFont(t *testing.T) {
	dir := t.TempDir()
	font := goRegularFile(t)
	fb, err := NewFallback(font)
	if err != nil {
		t.Fatal(err)
	}
	const sup = "latency x10⁹"
	boxes := filepath.Join(dir, "boxes.png")
	saved, err := Save(textChart(t, sup).plot, DefaultWidth, DefaultHeight, boxes, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Unshown{{Text: sup, Missing: "⁹"}}; !slices.Equal(saved.Unshown, want) || len(saved.Fallback) != 0 {
		t.Errorf("no fallback: %+v, want unshown %+v", saved, want)
	}
	if note := saved.Note(boxes, nil); !strings.Contains(note, "that Liberation Sans lacks, drawn as empty boxes") || !strings.Contains(note, `"latency x10⁹" ("⁹")`) || strings.Contains(note, "nor") {
		t.Errorf("note %q", note)
	}

	drawn := filepath.Join(dir, "drawn.png")
	saved, err = Save(textChart(t, sup).plot, DefaultWidth, DefaultHeight, drawn, fb)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Unshown) != 0 || len(saved.Fallback) != 1 || !strings.Contains(saved.Fallback[0], "Go") || !strings.Contains(saved.Fallback[0], font) {
		t.Errorf("with %s: %+v, want the title drawn in Go Regular", font, saved)
	}
	if saved.Note(drawn, fb) != "" {
		t.Errorf("note %q for a chart that lost nothing", saved.Note(drawn, fb))
	}
	a, _ := os.ReadFile(boxes)
	b, _ := os.ReadFile(drawn)
	if bytes.Equal(a, b) {
		t.Error("the PNG with the fallback font is the one with boxes")
	}

	// Characters the fallback lacks too: reported, naming the font file;
	// the others are still drawn in it (fallback is per character).
	const cjk = "設計甲 x10⁹"
	saved, err = Save(textChart(t, cjk).plot, DefaultWidth, DefaultHeight, filepath.Join(dir, "cjk.png"), fb)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Unshown{{Text: cjk, Missing: "設計甲"}}; !slices.Equal(saved.Unshown, want) || len(saved.Fallback) != 1 {
		t.Errorf("CJK title: unshown %+v, want %+v", saved.Unshown, want)
	}
	if note := saved.Note("cjk.png", fb); !strings.Contains(note, "neither Liberation Sans nor "+font) {
		t.Errorf("note %q", note)
	}

	// Plain text never needs the fallback.
	saved, err = Save(textChart(t, "ShuffleNetV2 1.0x · 2.5 ms").plot, DefaultWidth, DefaultHeight, filepath.Join(dir, "plain.png"), fb)
	if err != nil || len(saved.Unshown) != 0 || len(saved.Fallback) != 0 {
		t.Errorf("plain title: %+v, %v", saved, err)
	}
}

// pdfText returns the decompressed content streams of a PDF file.
func pdfText(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, m := range regexp.MustCompile(`(?s)stream\r?\n(.*?)endstream`).FindAllSubmatch(b, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		d, _ := io.ReadAll(r)
		out = append(out, d...)
	}
	return out
}

// TestSavePDFCodePage: gonum's PDF writer shows a text's bytes in code
// page 1252, so Save encodes PDF text there: "·" (U+00B7, byte 0xB7 in
// code page 1252) must not reach the file as UTF-8's 0xC2 0xB7, which
// shows as "Â·". Characters outside the code page are '?' and reported;
// SVG keeps the text as written and reports nothing.
func TestSavePDFCodePage(t *testing.T) {
	dir := t.TempDir()
	const title = "gap · fused · 設計甲"
	pdf := filepath.Join(dir, "c.pdf")
	saved, err := Save(textChart(t, title).plot, DefaultWidth, DefaultHeight, pdf, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := pdfText(t, pdf)
	if !bytes.Contains(body, []byte("(gap \xb7 fused \xb7 ???)")) {
		i := bytes.Index(body, []byte("(gap"))
		t.Errorf("PDF title bytes %q, want code page 1252", body[max(i, 0):min(len(body), max(i, 0)+40)])
	}
	if want := []Unshown{{Text: title, Missing: "設計甲"}}; !slices.Equal(saved.Unshown, want) {
		t.Errorf("PDF: unshown %+v, want %+v", saved.Unshown, want)
	}
	if note := saved.Note(pdf, nil); !strings.Contains(note, "code page 1252") || !strings.Contains(note, "PNG or SVG") {
		t.Errorf("note %q", note)
	}

	svg := filepath.Join(dir, "c.svg")
	saved, err = Save(textChart(t, title).plot, DefaultWidth, DefaultHeight, svg, nil)
	if err != nil || len(saved.Unshown) != 0 {
		t.Fatalf("SVG: %+v, %v", saved, err)
	}
	if b, _ := os.ReadFile(svg); !bytes.Contains(b, []byte(title)) {
		t.Error("SVG does not hold the title as written")
	}
}

// TestNewFallbackRefuses: a font file that cannot be read, or is no font,
// is an error naming it; "" reads nothing.
func TestNewFallbackRefuses(t *testing.T) {
	dir := t.TempDir()
	notFont := filepath.Join(dir, "notes.txt")
	os.WriteFile(notFont, []byte("not a font"), 0o644)
	for _, p := range []string{filepath.Join(dir, "missing.ttf"), notFont, dir} {
		if _, err := NewFallback(p); err == nil || !strings.Contains(err.Error(), filepath.Base(p)) {
			t.Errorf("NewFallback(%s) = %v, want an error naming it", p, err)
		}
	}
	if fb, err := NewFallback(""); err != nil || fb.Source() != "the system's fonts" {
		t.Errorf(`NewFallback("") = %v, %v`, fb, err)
	}
}

// TestSystemFontFiles: Windows fonts are under %WINDIR%\Fonts (C:\Windows
// when it is unset); every OS has candidates.
func TestSystemFontFiles(t *testing.T) {
	env := func(v string) func(string) string {
		return func(string) string { return v }
	}
	if got := systemFontFiles("windows", env(`D:\Win`)); len(got) == 0 || !strings.HasPrefix(got[0], filepath.Join(`D:\Win`, "Fonts")) {
		t.Errorf("windows with WINDIR: %v", got)
	}
	if got := systemFontFiles("windows", env("")); len(got) == 0 || !strings.HasPrefix(got[0], filepath.Join(`C:\Windows`, "Fonts")) {
		t.Errorf("windows without WINDIR: %v", got)
	}
	for _, goos := range []string{"linux", "darwin", "freebsd"} {
		if len(systemFontFiles(goos, env(""))) == 0 {
			t.Errorf("%s: no candidates", goos)
		}
	}
}
