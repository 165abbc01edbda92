package presets

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shufflelab/explorer/internal/safefile"
)

// TestNesting: the scanner's depth for TOML constructs, and dots in
// values, strings and comments that do not count.
func TestNesting(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int
	}{
		{"[design]\nfamily = 'g1'\n", 1},
		{"[a.b.c]\nx = 1\n", 3},
		{"[[a.b]]\n", 3},
		{"a.b.c = 1.5\n", 2},
		{"x = [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5, 13.5, 14.5, 15.5, 16.5, 17.5, 18.5]\n", 1},
		{"x = [\n 1.5,\n [2.5, [3.5]],\n]\n", 3},
		{"t = { a.b = { c = [ { d = 1 } ] } }\n", 4},
		{"\"a.b.c.d\" = 1\n'e.f.g' = 2\n", 0},
		{"x = \"\"\"\n[a.b.c.d.e]\n\"\"\"\n# [f.g.h.i]\n", 0},
		{"d = 1979-05-27T07:32:00.999Z\n", 0},
		{"t = {}\nu = 1\n", 1},
	} {
		if got, _ := nesting([]byte(tc.text), 100); got != tc.want {
			t.Errorf("nesting(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
	for _, name := range []string{"designs", "experiments"} {
		ents, _ := fs.ReadDir(files, name)
		for _, e := range ents {
			data, _ := files.ReadFile(name + "/" + e.Name())
			if d, line := nesting(data, 100); d > MaxNesting {
				t.Errorf("embedded %s nests %d deep at line %d", e.Name(), d, line)
			}
		}
	}
}

// TestDeepOrHugeDesignFileRefused is issue 15 reproduction 6: a 100 KB
// design file with a 50,000-part dotted table name made the TOML decoder
// take over 10 GB. It is refused before decoding, as are deep arrays and
// inline tables and files over 1 MiB.
func TestDeepOrHugeDesignFileRefused(t *testing.T) {
	dotted := "[" + strings.Repeat("a.", 50000) + "a]\nx = 1\n[design]\nfamily = 'g1'\n"
	arrays := "[design]\nfamily = 'g1'\n[x]\ny = " + strings.Repeat("[", 50000) + strings.Repeat("]", 50000) + "\n"
	inline := "z = " + strings.Repeat("{a = ", 50000) + "1" + strings.Repeat("}", 50000) + "\n[design]\n"
	huge := "[design]\nfamily = 'g1'\n" + strings.Repeat("# padding\n", MaxFileBytes/10+1)
	for name, text := range map[string]string{"dotted": dotted, "arrays": arrays, "inline": inline, "huge": huge} {
		start := time.Now()
		_, err := Parse([]byte(text), name+".toml")
		if err == nil || !strings.Contains(err.Error(), name+".toml") {
			t.Errorf("%s: Parse = %v, want a refusal naming the file", name, err)
		}
		if name != "huge" && !strings.Contains(err.Error(), "more than 16 deep") {
			t.Errorf("%s: %v, want the nesting limit", name, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: refused after %v", name, d)
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "big.toml")
	os.WriteFile(path, []byte(huge), 0o644)
	if _, err := Load(path); !errors.Is(err, safefile.ErrTooLarge) {
		t.Errorf("Load(1 MiB+ file) = %v, want ErrTooLarge from the file's size", err)
	}
}
