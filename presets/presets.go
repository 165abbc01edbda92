// Package presets holds the embedded, human-editable design files (TOML)
// of the explorer: the paper's networks and baselines with the paper's
// published numbers as reference data, and the guideline experiments of
// paper Tables 1-4 and the Table 8 comparison. Users can load their own
// design files with the same format.
package presets

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/internal/safefile"
)

//go:embed designs/*.toml experiments/*.toml
var files embed.FS

// Reference is a published measurement of a design.
type Reference struct {
	Source          string  `toml:"source" json:"source"`
	MFLOPs          float64 `toml:"mflops,omitempty" json:"mflops,omitempty"` // the paper's "MFLOPs" (= MAdds)
	Top1Err         float64 `toml:"top1_err,omitempty" json:"top1_err,omitempty"`
	GPUBatchesPerS  float64 `toml:"gpu_batches_per_s,omitempty" json:"gpu_batches_per_s,omitempty"`
	ARMImagesPerSec float64 `toml:"arm_images_per_s,omitempty" json:"arm_images_per_s,omitempty"`
	// OwnImpl marks numbers the paper measured on its authors' own implementation
	// ("our impl." in Table 8), whose channel rounding may differ from ours.
	OwnImpl bool `toml:"own_impl,omitempty" json:"own_impl,omitempty"`
}

// Preset is a named design.
type Preset struct {
	Name      string     `toml:"name" json:"name"`
	Title     string     `toml:"title,omitempty" json:"title,omitempty"`
	Source    string     `toml:"source,omitempty" json:"source,omitempty"`
	Design    arch.Spec  `toml:"design" json:"design"`
	Reference *Reference `toml:"reference,omitempty" json:"reference,omitempty"`
	// File is where the preset was read from ("" for embedded presets).
	File string `toml:"-" json:"file,omitempty"`
}

// Parse decodes a design file. Unknown keys are errors (a typo must not be
// silently ignored), every key of [design] must hold a value (0, "" or []
// would silently mean the family's default: omit the key for that), width
// and channels are not both given, and the design must build; the errors
// are arch's, e.g. "design file F: invalid width 0 (valid: 0.05..16)".
// A file may not take an embedded preset's name with another design (a
// copy of a preset, edited, would be listed as that preset): the error
// says to rename it.
func Parse(data []byte, origin string) (Preset, error) {
	p, named, err := parse(data, origin)
	if err != nil {
		return Preset{}, err
	}
	if err := checkEmbeddedName(p, named, origin); err != nil {
		return Preset{}, err
	}
	return p, nil
}

// parse is Parse without the check against the embedded presets' names
// (List parses those presets themselves). named reports whether the file
// gave its name (or it was taken from the file name).
func parse(data []byte, origin string) (p Preset, named bool, err error) {
	md, err := decodeStrict(data, &p)
	if err != nil {
		return Preset{}, false, fmt.Errorf("design file %s: %w", origin, typeError(err, data))
	}
	named = p.Name != ""
	if !named {
		p.Name = fileName(origin)
	}
	if err := CheckName(p.Name); err != nil {
		return Preset{}, false, fmt.Errorf("design file %s: %w", origin, err)
	}
	if !md.IsDefined("design") {
		return Preset{}, false, fmt.Errorf("design file %s: no [design] table", origin)
	}
	var keys []string
	for _, k := range md.Keys() {
		if len(k) == 2 && k[0] == "design" {
			keys = append(keys, k[1])
		}
	}
	if err := p.Design.CheckGiven(keys...); err != nil {
		return Preset{}, false, fmt.Errorf("design file %s: %w", origin, err)
	}
	if _, err := arch.Build(p.Design); err != nil {
		return Preset{}, false, fmt.Errorf("design file %s: %w", origin, err)
	}
	return p, named, nil
}

// CheckName refuses a design name that starts with =, +, - or @ (a
// spreadsheet opening the CSV files would run it as a formula), and one a
// table or a chart cannot show as written: control characters (an escape sequence would reach the
// terminal, a newline split a table line), characters that hide or
// reorder text (zero-width space, word joiner, byte order mark, the bidi
// controls) and space at either end (both would make a name print like an
// embedded preset's while naming another design). The joiners of Persian,
// Indic scripts and emoji (U+200C, U+200D) and the soft hyphen are fine.
func CheckName(name string) error {
	bad := strings.TrimSpace(name) != name
	for _, r := range name {
		bad = bad || unicode.IsControl(r) || r == utf8.RuneError || hidesText(r)
	}
	if bad {
		return &arch.KnobError{Knob: "name", Value: strconv.Quote(name),
			Valid: "printable characters, no control or invisible ones, no space at either end"}
	}
	// Names go into CSV cells (points.csv, the exports): a spreadsheet
	// opening one reads a cell starting with one of these as a formula.
	if strings.IndexAny(name, "=+-@") == 0 {
		return &arch.KnobError{Knob: "name", Value: strconv.Quote(name),
			Valid: "a name not starting with =, +, - or @", Why: "spreadsheets read such a CSV cell as a formula"}
	}
	return nil
}

// hidesText reports the invisible characters that make one name print
// like another: U+200B zero-width space, U+2060 word joiner, U+FEFF zero-
// width no-break space, U+200E/U+200F direction marks, and the bidi
// embeddings, overrides and isolates U+202A-U+202E, U+2066-U+2069.
func hidesText(r rune) bool {
	switch {
	case r == 0x200B, r == 0x2060, r == 0xFEFF, r == 0x200E, r == 0x200F:
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// fileName is the design name a file gives: its base name without
// ".toml". origin is an OS path (--preset, a designs folder's listing, the
// TUI), so it is split with filepath, on '\\' as well as '/' on Windows;
// embedded presets' origins are bare file names.
func fileName(origin string) string {
	return strings.TrimSuffix(filepath.Base(origin), ".toml")
}

// checkEmbeddedName refuses a design file named like an embedded preset
// whose design differs from that preset's (same normalised spec is fine:
// an unedited copy, or a preset saved back).
func checkEmbeddedName(p Preset, named bool, origin string) error {
	// An embedded preset's file is named after it (TestEmbeddedFileNames):
	// read that one file, not every preset.
	file := "designs/" + p.Name + ".toml"
	if strings.ContainsAny(p.Name, `/\`) || !fs.ValidPath(file) {
		return nil // no embedded preset has such a name
	}
	data, err := files.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read preset %s: %w", p.Name, err)
	}
	e, _, err := parse(data, p.Name+".toml")
	if err != nil {
		return err
	}
	if e.Name == p.Name && e.Design.Key() != p.Design.Key() {
		detail := ""
		if a, b := p.Design.String(), e.Design.String(); a != b {
			detail = fmt.Sprintf(" (here %s, the embedded preset %s)", a, b)
		}
		if !named {
			return fmt.Errorf("design file %s: named %q after the file, the name of an embedded preset with another design%s; rename the file or give it a name = \"...\" line", origin, p.Name, detail)
		}
		suggest := fileName(origin)
		if suggest == p.Name {
			suggest = p.Name + "-mine"
		}
		return fmt.Errorf("design file %s: name %q is an embedded preset's, but the design differs%s; give the file its own name, e.g. name = %q", origin, p.Name, detail, suggest)
	}
	return nil
}

// decodeStrict decodes TOML data into v and refuses keys that v has no
// field for: a typo must not be silently ignored. Data over MaxFileBytes
// or nested deeper than MaxNesting is refused before decoding.
func decodeStrict(data []byte, v any) (toml.MetaData, error) {
	if err := checkShape(data); err != nil {
		return toml.MetaData{}, err
	}
	md, err := toml.Decode(string(data), v)
	if err != nil {
		return md, err
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return md, fmt.Errorf("unknown key(s) %s", strings.Join(keys, ", "))
	}
	return md, nil
}

// Encode writes a preset as a design file that Parse reads back. A width
// of 1 beside explicit channels (what Normalize fills in) is left out:
// a design file gives one or the other.
func Encode(p Preset) ([]byte, error) {
	if len(p.Design.Channels) > 0 && p.Design.Width == 1 {
		p.Design.Width = 0
	}
	var buf bytes.Buffer
	buf.WriteString("# Design file of the ShuffleNetV2 explorer; every key of [design] is a knob.\n")
	buf.WriteString("# Omit a key for the family's default (0 or an empty value is refused); a copy of an\n")
	buf.WriteString("# embedded preset with another design needs its own name.\n")
	if err := toml.NewEncoder(&buf).Encode(p); err != nil {
		return nil, fmt.Errorf("encode preset %q: %w", p.Name, err)
	}
	return buf.Bytes(), nil
}

// Save writes the preset to a design file, atomically (temporary file,
// sync, rename); a symbolic link at file is refused unless opts force it.
// An error names file once and wraps its cause (safefile's errors, e.g.
// "save design: write F: cannot create a file in D: no such file or
// directory"): a caller shows it as it is.
func Save(p Preset, file string, opts ...safefile.Option) error {
	if err := CheckName(p.Name); err != nil { // Parse would refuse the file
		return fmt.Errorf("save design %s: %w", file, err)
	}
	data, err := Encode(p)
	if err != nil {
		return fmt.Errorf("save design %s: %w", file, err)
	}
	if err := safefile.WriteFile(file, data, opts...); err != nil {
		return fmt.Errorf("save design: %w", err) // safefile names the file
	}
	return nil
}

// List returns the embedded design presets sorted by name.
func List() ([]Preset, error) {
	entries, err := fs.ReadDir(files, "designs")
	if err != nil {
		return nil, fmt.Errorf("list presets: %w", err)
	}
	out := make([]Preset, 0, len(entries))
	for _, e := range entries {
		data, err := files.ReadFile("designs/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("read preset %s: %w", e.Name(), err)
		}
		p, _, err := parse(data, e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ErrUnknown is returned (wrapped) by Load for a name that is neither an
// embedded preset nor a file.
var ErrUnknown = errors.New("unknown preset")

// Load returns the embedded preset called nameOrFile, or reads the design
// file at that path (a name containing a path separator, '/' or on
// Windows also '\\', or ending in .toml).
func Load(nameOrFile string) (Preset, error) {
	if hasPathSeparator(nameOrFile) || strings.HasSuffix(nameOrFile, ".toml") {
		data, err := safefile.ReadFile(nameOrFile, MaxFileBytes, "design file")
		if err != nil {
			return Preset{}, fmt.Errorf("load design file: %w", err)
		}
		p, err := Parse(data, nameOrFile)
		if err != nil {
			return Preset{}, err
		}
		p.File = nameOrFile
		return p, nil
	}
	all, err := List()
	if err != nil {
		return Preset{}, err
	}
	names := make([]string, len(all))
	for i, p := range all {
		if p.Name == nameOrFile {
			return p, nil
		}
		names[i] = p.Name
	}
	return Preset{}, fmt.Errorf("%w %q (known: %s; or give a path to a .toml design file)", ErrUnknown, nameOrFile, strings.Join(names, ", "))
}

// hasPathSeparator reports whether s holds one of the OS's path separators
// (os.IsPathSeparator: both '/' and '\\' on Windows).
func hasPathSeparator(s string) bool {
	for i := 0; i < len(s); i++ {
		if os.IsPathSeparator(s[i]) {
			return true
		}
	}
	return false
}
