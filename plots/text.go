package plots

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/encoding/charmap"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// Chart text is drawn in Liberation Sans, which covers Latin, Greek and
// Cyrillic. A design name in another script (設計甲, a Devanagari or Thai
// name) has characters it lacks, which a PNG shows as empty boxes; gonum's
// PDF writer encodes text in code page 1252, so a PDF can show nothing
// beyond it. [Save] draws such text of a PNG in a [Fallback] font when one
// has the characters, converts PDF text to code page 1252 and reports
// every text it could not show as written ([Saved]). SVG text is written
// as UTF-8 and drawn by the viewer with its own fonts, so it is never
// reported.

// Fallback supplies fonts for the characters of chart text that Liberation
// Sans lacks: the font file the user named, or else fonts found among the system's (Noto
// Sans CJK, Microsoft YaHei, Hiragino, Droid Sans Fallback and others, in
// their usual places on Linux, macOS and Windows), read only when a text
// first needs one. A Fallback is safe for concurrent use.
type Fallback struct {
	file string // the font file named by the user; "" searches the system's fonts

	mu    sync.Mutex
	fonts []fallbackFont // parsed so far, in search order
	next  int            // the next system candidate to read
}

// fallbackFont is one font of a fallback file (a collection holds several).
type fallbackFont struct {
	name string // the family name, or the file's base name
	file string
	f    *sfnt.Font
}

// NewFallback reads the TrueType or OpenType font (or collection of fonts)
// at path; with path "" it reads nothing now and searches the system's
// fonts when a text needs one. A file that cannot be read or holds no font
// is an error that names it.
func NewFallback(path string) (*Fallback, error) {
	fb := &Fallback{file: path}
	if path == "" {
		return fb, nil
	}
	fonts, err := readFontFile(path)
	if err != nil {
		return nil, err
	}
	fb.fonts = fonts
	return fb, nil
}

// Source says where the fallback fonts come from, for messages.
func (fb *Fallback) Source() string {
	if fb == nil {
		return "no fallback font"
	}
	if fb.file != "" {
		return fb.file
	}
	return "the system's fonts"
}

// fontFor returns the first font that has r, reading further system
// candidates as needed; false when none has it.
func (fb *Fallback) fontFor(r rune) (fallbackFont, bool) {
	if fb == nil {
		return fallbackFont{}, false
	}
	fb.mu.Lock()
	defer fb.mu.Unlock()
	for i := 0; ; i++ {
		if i == len(fb.fonts) && !fb.readNext() {
			return fallbackFont{}, false
		}
		if hasGlyph(fb.fonts[i].f, r) {
			return fb.fonts[i], true
		}
	}
}

// readNext reads the next system font file there is into fb.fonts (never
// with a font file of the user's); false when none is left. A candidate
// that cannot be read or parsed is passed over.
func (fb *Fallback) readNext() bool {
	if fb.file != "" {
		return false
	}
	cands := systemFontFiles(runtime.GOOS, os.Getenv)
	for fb.next < len(cands) {
		path := cands[fb.next]
		fb.next++
		if _, err := os.Stat(path); err != nil {
			continue
		}
		if fonts, err := readFontFile(path); err == nil {
			fb.fonts = append(fb.fonts, fonts...)
			return true
		}
	}
	return false
}

// readFontFile parses a font file: one font, or every font of a collection.
func readFontFile(path string) ([]fallbackFont, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	c, err := sfnt.ParseCollection(b)
	if err != nil {
		return nil, fmt.Errorf("font %s: not a TrueType or OpenType font or collection: %w", path, err)
	}
	var out []fallbackFont
	var buf sfnt.Buffer
	for i := range c.NumFonts() {
		f, err := c.Font(i)
		if err != nil {
			return nil, fmt.Errorf("font %s: font %d of the collection: %w", path, i, err)
		}
		name, err := f.Name(&buf, sfnt.NameIDFull)
		if err != nil || name == "" {
			name = filepath.Base(path)
		}
		out = append(out, fallbackFont{name: name, file: path, f: f})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("font %s: the collection holds no font", path)
	}
	return out, nil
}

// systemFontFiles lists, in order of preference, where the usual fonts
// with CJK and other non-Latin scripts live on goos; getenv reads the
// environment (Windows keeps its fonts under %WINDIR%).
func systemFontFiles(goos string, getenv func(string) string) []string {
	switch goos {
	case "darwin":
		return []string{
			"/System/Library/Fonts/Hiragino Sans GB.ttc",
			"/System/Library/Fonts/STHeiti Medium.ttc",
			"/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc",
			"/System/Library/Fonts/AppleSDGothicNeo.ttc",
			"/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
			"/Library/Fonts/Arial Unicode.ttf",
		}
	case "windows":
		dir := getenv("WINDIR")
		if dir == "" {
			dir = `C:\Windows`
		}
		var out []string
		for _, f := range []string{"msyh.ttc", "YuGothM.ttc", "meiryo.ttc", "malgun.ttf", "simsun.ttc", "Nirmala.ttf", "arialuni.ttf"} {
			out = append(out, filepath.Join(dir, "Fonts", f))
		}
		return out
	default: // Linux and the BSDs: the paths of the distributions' font packages
		return []string{
			"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
			"/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
			"/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
			"/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
			"/usr/local/share/fonts/noto/NotoSansCJK-Regular.ttc",
			"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
			"/usr/share/fonts/google-droid-sans-fonts/DroidSansFallbackFull.ttf",
			"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
			"/usr/share/fonts/TTF/DejaVuSans.ttf",
		}
	}
}

// missingRunes returns the characters of s, each once and in order, that
// f has no glyph for (spaces and other invisible characters never count).
func missingRunes(f *sfnt.Font, s string) string {
	var out []rune
	for _, r := range s {
		if visible(r) && !hasGlyph(f, r) && !strings.ContainsRune(string(out), r) {
			out = append(out, r)
		}
	}
	return string(out)
}

// visible reports whether r draws something (a glyph a font must have).
func visible(r rune) bool { return unicode.IsGraphic(r) && !unicode.IsSpace(r) }

// hasGlyph reports whether f has a glyph for r.
func hasGlyph(f *sfnt.Font, r rune) bool {
	var buf sfnt.Buffer
	g, err := f.GlyphIndex(&buf, r)
	return err == nil && g != 0
}

// Unshown is a chart text that the saved file cannot show as written.
type Unshown struct {
	Text    string // the text as the chart has it
	Missing string // its characters that are not shown, each once
}

// Saved says how [Save] drew a chart's text.
type Saved struct {
	// Fallback names the fonts that drew text Liberation Sans lacks (PNG),
	// "family (file)", sorted; empty when no text needed one.
	Fallback []string
	// Unshown lists the texts with characters the file does not show: in
	// a PNG drawn as empty boxes (no font at hand has them), in a PDF as
	// "?" (outside code page 1252). Each text once, in drawing order.
	Unshown []Unshown
}

// Note says in one sentence what the chart at path lost, and how to get it
// (a font file with the characters, or SVG); "" when nothing was lost.
func (s Saved) Note(path string, fb *Fallback) string {
	if len(s.Unshown) == 0 {
		return ""
	}
	var texts []string
	for i, u := range s.Unshown {
		if i == 3 {
			texts = append(texts, fmt.Sprintf("and %d more", len(s.Unshown)-3))
			break
		}
		texts = append(texts, fmt.Sprintf("%q (%q)", u.Text, u.Missing))
	}
	list := strings.Join(texts, ", ")
	n := fmt.Sprintf("%d texts", len(s.Unshown))
	if len(s.Unshown) == 1 {
		n = "1 text"
	}
	if strings.EqualFold(filepath.Ext(path), ".pdf") {
		return fmt.Sprintf("%s: %s with characters a PDF chart cannot show (gonum's PDF writer is limited to code page 1252), drawn as '?': %s; PNG or SVG show them", path, n, list)
	}
	if fb == nil {
		return fmt.Sprintf("%s: %s with characters that Liberation Sans lacks, drawn as empty boxes: %s; SVG shows them", path, n, list)
	}
	return fmt.Sprintf("%s: %s with characters that neither Liberation Sans nor %s has, drawn as empty boxes: %s; name a font that has them (TrueType or OpenType), or write SVG", path, n, fb.Source(), list)
}

// textCanvas is the canvas [Save] draws on: format's canvas, with each
// text that needs it drawn in a fallback font (PNG) or encoded in code
// page 1252 (PDF), and what could not be shown recorded.
type textCanvas struct {
	vg.CanvasWriterTo
	format  string
	fb      *Fallback
	used    map[string]bool
	unshown []Unshown
	seen    map[string]bool
}

// FillString draws s in f. In a PNG, the characters f lacks are drawn
// in the first fallback font that has them, run by run (Droid Sans
// Fallback, for one, has CJK but no Latin letters); in a PDF, s is
// encoded in code page 1252.
func (c *textCanvas) FillString(f font.Face, pt vg.Point, s string) {
	switch c.format {
	case "png":
		if f.Face != nil && missingRunes(f.Face, s) != "" {
			c.fillRuns(f, pt, s)
			return
		}
	case "pdf":
		enc, miss := toCodePage1252(s)
		if miss != "" {
			c.lose(s, miss)
		}
		s = enc
	}
	c.CanvasWriterTo.FillString(f, pt, s)
}

// fillRuns draws s from pt in runs of characters of one font: f's face
// where it has the character, else the first fallback font that has it;
// a character no font has stays in f (a box) and is recorded as lost.
// A space or other invisible character continues the run it is in.
func (c *textCanvas) fillRuns(f font.Face, pt vg.Point, s string) {
	type run struct {
		face *sfnt.Font
		text []rune
	}
	var runs []run
	var lost []rune
	for _, r := range s {
		face := f.Face
		switch {
		case !visible(r):
			if n := len(runs); n > 0 && hasGlyph(runs[n-1].face, r) {
				face = runs[n-1].face
			}
		case !hasGlyph(f.Face, r):
			if alt, ok := c.fb.fontFor(r); ok {
				face = alt.f
				c.used[fmt.Sprintf("%s (%s)", alt.name, alt.file)] = true
			} else if !strings.ContainsRune(string(lost), r) {
				lost = append(lost, r)
			}
		}
		if n := len(runs); n > 0 && runs[n-1].face == face {
			runs[n-1].text = append(runs[n-1].text, r)
		} else {
			runs = append(runs, run{face: face, text: []rune{r}})
		}
	}
	for _, r := range runs {
		g := f
		g.Face = r.face
		c.CanvasWriterTo.FillString(g, pt, string(r.text))
		pt.X += g.Width(string(r.text))
	}
	if len(lost) > 0 {
		c.lose(s, string(lost))
	}
}

// lose records s as not shown as written.
func (c *textCanvas) lose(s, missing string) {
	if !c.seen[s] {
		c.seen[s] = true
		c.unshown = append(c.unshown, Unshown{Text: s, Missing: missing})
	}
}

// saved is what the drawing recorded.
func (c *textCanvas) saved() Saved {
	var s Saved
	for name := range c.used {
		s.Fallback = append(s.Fallback, name)
	}
	sort.Strings(s.Fallback)
	s.Unshown = c.unshown
	return s
}

// toCodePage1252 encodes s for gonum's PDF writer, which writes a text's
// bytes as code page 1252 (UTF-8 "·" would show as "Â·"): each character
// outside the code page becomes '?' and is returned in missing.
func toCodePage1252(s string) (enc, missing string) {
	var b []byte
	var miss []rune
	for _, r := range s {
		if c, ok := charmap.Windows1252.EncodeRune(r); ok {
			b = append(b, c)
			continue
		}
		b = append(b, '?')
		if !strings.ContainsRune(string(miss), r) {
			miss = append(miss, r)
		}
	}
	return string(b), string(miss)
}
