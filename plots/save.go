package plots

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"strings"
	"unicode"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/shufflelab/explorer/internal/safefile"
)

// Default page sizes for [Save]: a chart that reads well on screen and in
// a two-column paper at full width.
const (
	DefaultWidth  = 7 * vg.Inch
	DefaultHeight = 4.5 * vg.Inch
)

// Save renders p at width x height and writes it to path. The format comes
// from the extension, case-insensitively: .png, .svg or .pdf; any other
// extension is an error that names it. The image is rendered in memory
// first and written atomically (safefile: temporary file, sync, rename),
// so a failed render or a full disk leaves no partial file behind; a
// symbolic link at path is refused unless opts force it.
//
// Text that Liberation Sans lacks is drawn in a font of fb in a PNG (fb
// may be nil: none); PDF text is written in code page 1252. The returned
// Saved names the fallback fonts used and every text the file does not
// show as written (see [Saved.Note]).
func Save(p *plot.Plot, width, height vg.Length, path string, fb *Fallback, opts ...safefile.Option) (saved Saved, err error) {
	if p == nil {
		return saved, errors.New("save plot: nil plot")
	}
	if !(width > 0) || !(height > 0) {
		return saved, fmt.Errorf("save plot %s: size %v x %v, want both > 0", path, width, height)
	}
	ext := filepath.Ext(path)
	format := strings.ToLower(strings.TrimPrefix(ext, "."))
	switch format {
	case "png", "svg", "pdf":
	case "":
		return saved, fmt.Errorf("save plot %s: no file extension, want .png, .svg or .pdf", path)
	default:
		return saved, fmt.Errorf("save plot %s: unsupported extension %q, want .png, .svg or .pdf", path, ext)
	}

	// gonum/plot panics on some inconsistent plots (e.g. a log axis whose
	// range reaches 0 after a caller changed it); report that as an error.
	defer func() {
		if r := recover(); r != nil {
			saved, err = Saved{}, fmt.Errorf("save plot %s: render: %v", path, r)
		}
	}()
	w, err := draw.NewFormattedCanvas(width, height, format)
	if err != nil {
		return saved, fmt.Errorf("save plot %s: %w", path, err)
	}
	c := &textCanvas{CanvasWriterTo: w, format: format, fb: fb, used: map[string]bool{}, seen: map[string]bool{}}
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return saved, fmt.Errorf("save plot %s: render %s: %w", path, format, err)
	}
	if err := safefile.WriteFile(path, buf.Bytes(), opts...); err != nil {
		return saved, fmt.Errorf("save plot: %w", err)
	}
	return c.saved(), nil
}

// FileSlug makes a chart's file-name part from a name: lower-case letters,
// digits and '.', every other run of characters one '-' ("G1 x1, ARM
// sizes" -> "g1-x1-arm-sizes"); "chart" when nothing is left. A name with
// letters or digits outside ASCII, which the slug cannot keep, ends in 8
// hex digits of its FNV-1a hash instead ("設計甲" -> "ebfe72db", "設計乙 v2"
// -> "v2-4d0ca0ae"), so that names differing only there keep different
// files and each keeps its file from run to run. `explorer plot` and the
// interactive explorer's export name their files with it.
func FileSlug(s string) string {
	var b strings.Builder
	dash, lost := false, false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' {
			b.WriteRune(r)
			dash = false
			continue
		}
		if r > unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			lost = true
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if lost {
		h := fnv.New32a()
		h.Write([]byte(s))
		if out != "" {
			out += "-"
		}
		return fmt.Sprintf("%s%08x", out, h.Sum32())
	}
	if out == "" {
		return "chart"
	}
	return out
}
