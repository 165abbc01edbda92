package presets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
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
