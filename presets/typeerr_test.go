package presets

import (
	"errors"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
)

// TestParseWrongTypes: a value of the wrong type or size in a design file
// gave the TOML decoder's words ("incompatible types: TOML value has type
// string; destination has type float", "type mismatch for arch.Spec"). It
// is now refused as the knob, with the value as written, its line, what
// it should be and the knob's valid range for the file's family.
func TestParseWrongTypes(t *testing.T) {
	for _, tc := range []struct {
		file string
		want string
		knob bool // an *arch.KnobError
	}{
		{"[design]\nwidth = \"1.0\"\n", `invalid width "1.0": line 2: a string, want a number (valid: 0.05..16)`, true},
		{"[design]\nres = [224, 160]\n", `invalid res [224, 160]: line 2: a list, want a whole number (valid: 32..8192)`, true},
		{"[design]\nres = 99999999999999999999\n", `invalid res 99999999999999999999: line 2: a number too large to hold, want a whole number (valid: 32..8192)`, true},
		{"[design]\nres = 1e10 # big\n", `invalid res 1e10: line 2: a number with a fraction or exponent, want a whole number (valid: 32..8192)`, true},
		{"[design]\ndepths = 4\n", `invalid depths 4: line 2: a number, want a list of whole numbers, e.g. [4, 8, 4] (valid: comma-separated integers, e.g. 4,8,4)`, true},
		{"[design]\nno_relu = 1\n", `invalid no_relu 1: line 2: a number, want true or false (valid: true|false)`, true},
		// The range is the family's: G1's c1 is 1..MaxChannels.
		{"[design]\nfamily = \"g1\"\nc1 = 1.5\n", `invalid c1 1.5: line 3: a number with a fraction or exponent, want a whole number (valid: 1..`, true},
		{"[design]\nfamily = 3\n", `invalid family 3: line 2: a number, want a quoted string (valid: `, true},
		{"design = \"x\"\n", `line 1: design must be a table: a [design] line with one knob per line below it`, false},
		{"name = 3\n[design]\nres = 160\n", `invalid name 3: line 1: a number, want a quoted string`, false},
		{"[design]\nwidth = \"1.0\" # a comment\n", `invalid width "1.0": line 2: a string`, true},
		{"[design]\nres = [\n  224,\n  160,\n]\n", `invalid res "": line 2: a list`, true},
		{"design = { width = \"1.0\" }\n", `invalid width "": line 1: a string`, true},
		{"[design]\nwidth = 9007199254740993\n", `invalid width 9007199254740993: line 2: a number too large to hold, want a number (valid: 0.05..16)`, true},
		{"[design]\nwidth = \"a\\\" # b\" # note\n", `invalid width "a\" # b": line 2: a string`, true},
	} {
		_, err := Parse([]byte(tc.file), "x.toml")
		if err == nil || !strings.Contains(err.Error(), "design file x.toml: "+tc.want) || strings.Contains(err.Error(), "TOML value") || strings.Contains(err.Error(), "type mismatch") {
			t.Errorf("%q:\n got %v\nwant design file x.toml: %s", tc.file, err, tc.want)
		}
		var ke *arch.KnobError
		if errors.As(err, &ke) != tc.knob {
			t.Errorf("%q: KnobError %v, want %v", tc.file, errors.As(err, &ke), tc.knob)
		}
	}
	// Syntax errors keep the decoder's words: they are not values of the
	// wrong type.
	for file, want := range map[string]string{
		"[design]\nwidth = 1.0\nwidth = 2.0\n": "already been defined",
		"name = \"abc\n[design]\n":             "newline",
		"[design]\nwidth = 1..0\n":             "nvalid float",
		"[design]\nres = \n":                   "expected value",
	} {
		_, err := Parse([]byte(file), "x.toml")
		var ke *arch.KnobError
		if err == nil || !strings.Contains(err.Error(), want) || errors.As(err, &ke) {
			t.Errorf("%q: %v, want the decoder's %q", file, err, want)
		}
	}
}
