package presets

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/internal/safefile"
)

// TestPresetsMatchReference checks every embedded preset against its
// reference MFLOPs: the paper rounds MAdds to the nearest million (Table 8,
// ShuffleNet v1 Table 1), and our torchvision-layout count of ShuffleNetV2
// is at most ~1.3% below the paper's (Megvii-layout) figure (paper.md §12).
func TestPresetsMatchReference(t *testing.T) {
	all, err := List()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 20 {
		t.Fatalf("only %d presets", len(all))
	}
	for _, p := range all {
		t.Run(p.Name, func(t *testing.T) {
			g, err := arch.Build(p.Design)
			if err != nil {
				t.Fatal(err)
			}
			if p.Reference == nil || p.Reference.MFLOPs == 0 || p.Reference.OwnImpl {
				return
			}
			got := float64(cost.Analyze(g, nil).Totals.MultAdds) / 1e6
			if rel := (got - p.Reference.MFLOPs) / p.Reference.MFLOPs; rel > 0.02 || rel < -0.03 {
				t.Errorf("%s: %.1fM MAdds, reference %.0fM (%+.1f%%)", p.Name, got, p.Reference.MFLOPs, 100*rel)
			}
		})
	}
}

func TestLoadUnknownAndFile(t *testing.T) {
	if _, err := Load("no-such-net"); err == nil || !strings.Contains(err.Error(), "shufflenetv2-1.0") {
		t.Fatalf("unknown preset: err = %v, want a list of known presets", err)
	}
	p, err := Load("shufflenetv2-1.5")
	if err != nil {
		t.Fatal(err)
	}
	p.Name = "mine"
	p.Design.Split = 0.3
	file := filepath.Join(t.TempDir(), "mine.toml")
	if err := Save(p, file); err != nil {
		t.Fatal(err)
	}
	q, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if q.Design.Split != 0.3 || q.Design.Width != 1.5 || q.Name != "mine" {
		t.Fatalf("round trip: %+v", q.Design)
	}
}

func TestParseErrors(t *testing.T) {
	for name, text := range map[string]string{
		"unknown key":  "name='x'\n[design]\nfamily='shufflenetv2'\nwidht=1.0\n",
		"no design":    "name='x'\n",
		"bad width":    "[design]\nwidth=-1\n",
		"bad family":   "[design]\nfamily='resnet'\n",
		"syntax error": "[design\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(text), "test.toml"); err == nil {
				t.Fatal("no error")
			}
		})
	}
	if _, err := os.Stat("designs"); err != nil {
		t.Fatal(err)
	}
}

func TestExperiments(t *testing.T) {
	xs, err := Experiments()
	if err != nil {
		t.Fatal(err)
	}
	ids := ""
	for _, x := range xs {
		ids += x.ID + " "
	}
	if ids != "G1 G2 G3 G4 T8 " {
		t.Fatalf("experiments %q", ids)
	}
	// Paper Table 2 keeps c^2/g about constant: 128^2/1 .. 360^2/8 within 1.2%.
	g2, _ := ExperimentByID("g2")
	for _, r := range g2.Rows {
		g, _ := arch.Build(r.GPUDesign)
		m := cost.Analyze(g, nil).Totals.MultAdds
		if want := int64(10 * 56 * 56 * 128 * 128); float64(m) < 0.98*float64(want) || float64(m) > 1.02*float64(want) {
			t.Errorf("G2 %s: %d MAdds, want about %d", r.Label, m, want)
		}
	}
}

// FuzzParse: design files from users never panic the parser.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"shufflenetv2-1.0", "mobilenetv2-0.75", "shufflenetv1-1.0-g8"} {
		data, _ := files.ReadFile("designs/" + name + ".toml")
		f.Add(string(data))
	}
	f.Add("[design]\nfamily='g3'\nc=64\nfragments=4\nparallel=true\n")
	f.Add("[design]\nwidth=1e308\nsplit=-0\ndepths=[0,-1]\n")
	f.Fuzz(func(t *testing.T, text string) {
		p, err := Parse([]byte(text), "fuzz.toml")
		if err == nil {
			if _, err := arch.Build(p.Design); err != nil {
				t.Fatalf("Parse accepted a design Build rejects: %v", err)
			}
		}
	})
}

// TestEncodeOnlyKnobsThatApply: a saved design writes the knobs its family
// takes and no zero-valued ones it does not (a ShuffleNetV2 file had
// c1 = 0, c2 = 0, c = 0, fragments = 0, blocks = 0), and reads back equal.
func TestEncodeOnlyKnobsThatApply(t *testing.T) {
	for _, s := range []arch.Spec{
		{Family: arch.ShuffleNetV2, Width: 1.3, Layout: arch.LayoutMegvii},
		{Family: arch.GuideG1, C1: 32, C2: 192},
	} {
		s = s.Normalize()
		b, err := Encode(Preset{Name: "mine", Design: s})
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		for _, key := range []string{"c1", "c2", "c", "fragments", "blocks", "groups", "split"} {
			if strings.Contains(text, "\n  "+key+" = 0\n") {
				t.Errorf("%s: zero-valued %s written:\n%s", s.Family, key, text)
			}
		}
		p, err := Parse(b, "mine.toml")
		if err != nil {
			t.Fatalf("%s: saved design does not load: %v\n%s", s.Family, err, text)
		}
		if p.Design.Normalize().String() != s.String() {
			t.Errorf("%s: read back %s, want %s", s.Family, p.Design.Normalize(), s)
		}
	}
}

// TestParseRefusesZeroAndEmpty: a key of [design] given 0 or an empty value
// is refused as the knob flags refuse it (audit: 'width = 0', 'batch = 0',
// 'res = 0' ran the default 1x; 'family = ""' and 'depths = []' became the
// defaults; README: every knob out of its range or empty exits 2). The
// ranges are arch's (arch.MinWidth..MaxWidth, MinMicroRes for g1-g4).
func TestParseRefusesZeroAndEmpty(t *testing.T) {
	for _, tc := range []struct{ design, want string }{
		{"width = 0", "design file z.toml: invalid width 0 (valid: 0.05..16)"},
		{"width = 0.0", "design file z.toml: invalid width 0 (valid: 0.05..16)"},
		{"batch = 0", "design file z.toml: invalid batch 0 (valid: 1..4096)"},
		{"res = 0", "design file z.toml: invalid res 0 (valid: 32..8192)"},
		{"family = 'g1'\nres = 0", "design file z.toml: invalid res 0 (valid: 1..8192)"},
		{"res = 224\nres_w = 0", "design file z.toml: invalid res_w 0 (valid: 32..8192)"},
		{"split = 0", "design file z.toml: invalid split 0 (valid: 0 < split < 1)"},
		{"groups = 0", "design file z.toml: invalid groups 0 (valid: 1..64)"},
		{"classes = 0", "design file z.toml: invalid classes 0 (valid: 1..100000)"},
		{"family = 'g4'\nc = 0", "design file z.toml: invalid c 0 (valid: a multiple of 4 in 4..65536)"},
		{"family = ''", `design file z.toml: invalid family "": empty value (valid: shufflenetv2|`},
		{"layout = ''", `design file z.toml: invalid layout "": empty value (valid: torchvision|megvii)`},
		{"depths = []", "design file z.toml: invalid depths []: empty value (valid: comma-separated integers"},
		{"channels = []", "design file z.toml: invalid channels []: empty value (valid: comma-separated integers"},
		{"width = 2\nchannels = [24, 116, 232, 464, 1024]", "design file z.toml: invalid width 2: channels 24,116,232,464,1024 set every stage's width explicitly; give one of them"},
	} {
		_, err := Parse([]byte("[design]\n"+tc.design+"\n"), "z.toml")
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.design, err, tc.want)
		}
	}
	// false is a value, not "empty"; res_w may be left to follow res.
	// Width 1 beside channels drops nothing: the explorer's design files
	// saved before width and channels were exclusive hold it.
	for _, ok := range []string{"", "family = 'g4'\nno_relu = false", "res = 160", "channels = [24, 48, 96, 192, 1024]",
		"width = 1.0\nchannels = [24, 116, 232, 464, 1024]"} {
		if _, err := Parse([]byte("[design]\n"+ok+"\n"), "z.toml"); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}

// TestEmbeddedPresetsGiveWidthOrChannels: no embedded preset sets both
// (arch.Spec.Validate refuses a width other than 1 beside explicit
// channels; an embedded preset should not hold even the harmless 1).
func TestEmbeddedPresetsGiveWidthOrChannels(t *testing.T) {
	all, err := List()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.Design.Width != 0 && len(p.Design.Channels) > 0 {
			t.Errorf("%s sets width %g and channels %v", p.Name, p.Design.Width, p.Design.Channels)
		}
	}
}

// TestCopiedPresetKeepsNoEmbeddedName: a design file named like an embedded
// preset (by its name key or its file name) but with another design is
// refused, telling the user to rename it (audit: a copy of
// shufflenetv2-1.0.toml edited to width 1.5 was listed beside the real one
// under the same name); an unedited copy loads.
func TestCopiedPresetKeepsNoEmbeddedName(t *testing.T) {
	orig, err := files.ReadFile("designs/shufflenetv2-1.0.toml")
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(orig), "width = 1.0", "width = 1.5", 1)
	unnamed := strings.Replace(edited, `name = "shufflenetv2-1.0"`, "", 1)
	renamed := strings.Replace(edited, `name = "shufflenetv2-1.0"`, `name = "my"`, 1)
	dir := t.TempDir()
	for _, tc := range []struct {
		file, text, want string // want "" = loads
	}{
		{"my.toml", string(orig), ""},
		{"my.toml", edited, `design file DIR/my.toml: name "shufflenetv2-1.0" is an embedded preset's, but the design differs (here shufflenetv2 1.5x, the embedded preset shufflenetv2 1x); give the file its own name, e.g. name = "my"`},
		{"shufflenetv2-1.0.toml", edited, `e.g. name = "shufflenetv2-1.0-mine"`},
		{"shufflenetv2-1.0.toml", unnamed, `design file DIR/shufflenetv2-1.0.toml: named "shufflenetv2-1.0" after the file, the name of an embedded preset with another design`},
		{"my.toml", unnamed, ""},
		{"my.toml", renamed, ""},
	} {
		file := filepath.Join(dir, tc.file)
		if err := os.WriteFile(file, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Load(file)
		want := strings.ReplaceAll(tc.want, "DIR", dir)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", tc.file, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: %v, want %q", tc.file, err, want)
		case want == "" && p.Name == "shufflenetv2-1.0" && p.Design.Width != 1:
			t.Errorf("%s: loaded as %s with width %g", tc.file, p.Name, p.Design.Width)
		}
	}
}

// TestEncodeChannelsDesign: a normalised design with explicit channels
// (width 1 filled in by Normalize, as the explorer saves it) is written
// without the width and reads back.
func TestEncodeChannelsDesign(t *testing.T) {
	s := arch.Spec{Channels: []int{24, 48, 96, 192, 1024}}.Normalize()
	b, err := Encode(Preset{Name: "mine", Design: s})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "width") {
		t.Errorf("width written beside channels:\n%s", b)
	}
	p, err := Parse(b, "mine.toml")
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if p.Design.Normalize().String() != s.String() {
		t.Errorf("read back %s, want %s", p.Design.Normalize(), s)
	}
}

// TestFamilyOverridesEveryPreset: every embedded preset, with its family
// changed to any family by a typed --family (arch.Spec.Override), builds:
// the preset's knobs the new family does not take are dropped (audit:
// '--preset shufflenetv2-1.0 --family mobilenetv2' was refused over the
// preset's depths).
func TestFamilyOverridesEveryPreset(t *testing.T) {
	all, err := List()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		for _, f := range arch.Families() {
			s, err := p.Design.Override(map[string]string{"family": string(f)})
			if err == nil {
				_, err = arch.Build(s)
			}
			if err != nil {
				t.Errorf("--preset %s --family %s: %v", p.Name, f, err)
			}
		}
	}
}

// TestSaveErrorNamesTheFileOnce: a design file that cannot be written is
// an error that names it once and wraps the cause (a caller neither
// strips nor re-wraps its text).
func TestSaveErrorNamesTheFileOnce(t *testing.T) {
	p, err := Load("shufflenetv2-1.0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		file string
		want error
	}{
		{filepath.Join(dir, "missing", "mine.toml"), fs.ErrNotExist},
		{dir, safefile.ErrNotRegular}, // a folder where the file goes
	} {
		err := Save(p, tc.file)
		if err == nil || !errors.Is(err, tc.want) || strings.Count(err.Error(), tc.file) != 1 || !strings.HasPrefix(err.Error(), "save design") {
			t.Errorf("Save to %s: %v; want a \"save design\" error naming the file once and wrapping %v", tc.file, err, tc.want)
		}
	}
}

// TestEmbeddedFileNames: every embedded preset's file is named after it,
// which the check of a design file's name against the embedded presets
// relies on (it reads designs/NAME.toml only).
func TestEmbeddedFileNames(t *testing.T) {
	entries, err := fs.ReadDir(files, "designs")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, _ := files.ReadFile("designs/" + e.Name())
		p, _, err := parse(data, e.Name())
		if err != nil || p.Name+".toml" != e.Name() {
			t.Errorf("%s: preset named %q (%v)", e.Name(), p.Name, err)
		}
	}
}

// TestNameFromOSPath: a design file without a name line is named after its
// file's base name, split as the OS splits paths (audit: path.Base split
// only on '/', so on Windows "designs\mine.toml" became the design
// "designs\mine", skipped the embedded-name check and gave the TUI the
// save name designs\designs\mine-mine.toml). On Unix a backslash is part of
// a file name, so there the whole name is kept.
func TestNameFromOSPath(t *testing.T) {
	text := "[design]\nfamily = \"shufflenetv2\"\nwidth = 0.5\n"
	backslash := `designs\mine`
	if os.IsPathSeparator('\\') {
		backslash = "mine"
	}
	for origin, want := range map[string]string{
		filepath.Join("designs", "mine.toml"):          "mine",
		filepath.Join(t.TempDir(), "sub", "mine.toml"): "mine",
		"mine.toml":         "mine",
		`designs\mine.toml`: backslash,
		filepath.Join("designs", "shufflenetv2-0.5.toml"): "shufflenetv2-0.5",
	} {
		p, err := Parse([]byte(text), origin)
		if err != nil || p.Name != want {
			t.Errorf("Parse(%q): name %q, %v; want %q", origin, p.Name, err, want)
		}
	}
	// Named after an embedded preset through an OS path, with another
	// design: the embedded-name check applies.
	edited := "[design]\nfamily = \"shufflenetv2\"\nwidth = 0.75\n"
	origin := filepath.Join("designs", "shufflenetv2-0.5.toml")
	if _, err := Parse([]byte(edited), origin); err == nil || !strings.Contains(err.Error(), `named "shufflenetv2-0.5" after the file`) {
		t.Errorf("Parse(%q) of another design: %v, want the embedded-name refusal", origin, err)
	}
}

// TestLoadSlashPath: an argument with a '/' is a file on every OS (Windows
// accepts '/' as a separator too), even without the .toml suffix; the old
// test of os.PathSeparator alone looked "designs/mine" up as a preset name
// there.
func TestLoadSlashPath(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "designs"), 0o755)
	text := "name = \"mine\"\n[design]\nfamily = \"shufflenetv2\"\nwidth = 0.5\n"
	if err := os.WriteFile(filepath.Join(dir, "designs", "mine"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	p, err := Load("designs/mine")
	if err != nil || p.Name != "mine" || p.File != "designs/mine" {
		t.Errorf(`Load("designs/mine") = %q from %q, %v; want the file`, p.Name, p.File, err)
	}
	if _, err := Load("no-such-preset"); !errors.Is(err, ErrUnknown) {
		t.Errorf("Load of a bare unknown name: %v, want ErrUnknown", err)
	}
}

// TestNameMustPrintAsWritten: a design name with a control character (an
// escape sequence reached the terminal, a newline split the table's
// title line), an invisible one or space at either end (it printed like
// the embedded preset "shufflenetv2-1.0" while naming a 1.5x design) is
// refused as the name; names in any script are fine.
func TestNameMustPrintAsWritten(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"a\x1b[31mred", false}, {"two\nlines", false}, {"bell\a", false},
		{"shufflenetv2-1.0\u200b", false}, {"shufflenetv2-1.0 ", false}, {" lead", false},
		{"設計甲", true}, {"my design, v2", true}, {`quote "x"`, true},
	} {
		text := "name = " + tomlQuote(tc.name) + "\n[design]\nfamily = 'shufflenetv2'\nwidth = 1.5\n"
		_, err := Parse([]byte(text), "d.toml")
		var ke *arch.KnobError
		switch {
		case tc.ok && err != nil:
			t.Errorf("%q: %v", tc.name, err)
		case !tc.ok && (!errors.As(err, &ke) || ke.Knob != "name"):
			t.Errorf("%q: %v, want an invalid name", tc.name, err)
		}
	}
}

// tomlQuote writes s as a TOML basic string, every rune outside printable
// ASCII as a \uXXXX escape (TOML has no \a or \x).
func tomlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r > 0x7e:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestNameScriptsAndSave: the joiners of Persian and Indic scripts and of
// emoji (U+200C, U+200D) are part of ordinary names; a bidi override is
// not. Save refuses a name Parse would refuse, so no file is written that
// no load accepts.
func TestNameScriptsAndSave(t *testing.T) {
	for name, ok := range map[string]bool{
		"می\u200cخواهم": true, "\U0001F469\u200d\U0001F4BB": true, "soft\u00adhyphen": true,
		"\u202eevil": false, "a\u2066b": false, "x\ufeff": false,
		// CSV cells a spreadsheet would run as formulas (OWASP "CSV injection").
		"=1+2": false, "@SUM(A1)": false, "+cmd": false, "-x": false, "a=b": true, "x-1": true,
	} {
		if err := CheckName(name); (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v, want ok %v", name, err, ok)
		}
	}
	file := filepath.Join(t.TempDir(), "d.toml")
	p := Preset{Name: "trailing ", Design: arch.Spec{Family: arch.ShuffleNetV2, Width: 1.5}}
	if err := Save(p, file); err == nil {
		t.Error("saved a name every load refuses")
	}
	if _, err := os.Stat(file); err == nil {
		t.Error("the file was written")
	}
}
