package presets

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/shufflelab/explorer/arch"
)

// typeError turns the TOML decoder's error on a value of the wrong type
// or size ("toml: line 2 (last key "design.width"): incompatible types:
// TOML value has type string; destination has type float") into the
// explorer's knob error: the knob, the value as written, what it is and
// what it should be, and the knob's valid range for the file's family
// ("invalid width "1.0": line 2: a string, want a number (valid:
// 0.05..16)"). Other errors (syntax, unknown keys) are returned as they
// are.
func typeError(err error, data []byte) error {
	key, line, ok := decodeErrorAt(err)
	if !ok {
		return err
	}
	switch {
	case key == "design":
		if strings.Contains(err.Error(), "expected table") {
			return fmt.Errorf("line %d: design must be a table: a [design] line with one knob per line below it, e.g. width = 1.0", line)
		}
		return err
	case strings.HasPrefix(key, "design."):
		knob := strings.TrimPrefix(key, "design.")
		want, ok := fieldKinds(reflect.TypeOf(arch.Spec{}))[knob]
		if !ok {
			return err
		}
		return &arch.KnobError{Knob: knob, Value: valueText(data, line),
			Why:   fmt.Sprintf("line %d: %s, want %s", line, what(err), want),
			Valid: specOfFamily(data).KnobValid(knob)}
	default:
		want, ok := fieldKinds(reflect.TypeOf(Preset{}))[key]
		if !ok {
			return err
		}
		return fmt.Errorf("invalid %s %s: line %d: %s, want %s", key, valueText(data, line), line, what(err), want)
	}
}

// decodeErrorAt finds the key and line of a decoding error: a
// toml.ParseError (a number out of range), or the decoder's plain error
// on a type mismatch, `toml: line 2 (last key "design.width"): ...`.
func decodeErrorAt(err error) (key string, line int, ok bool) {
	// A ParseError is a syntax error (a key defined twice, an unterminated
	// string, a missing value), returned as it is, except for a number
	// too large for an integer, which is a value of the wrong size.
	var pe toml.ParseError
	if errors.As(err, &pe) {
		if pe.LastKey != "" && (strings.Contains(pe.Message, "out of range") || strings.Contains(pe.Message, "out of the safe")) {
			return pe.LastKey, pe.Position.Line, true
		}
		return "", 0, false
	}
	m := decodeErrorRE.FindStringSubmatch(err.Error())
	if m == nil {
		return "", 0, false
	}
	line, _ = strconv.Atoi(m[1])
	return m[2], line, true
}

// decodeErrorRE matches the TOML decoder's type-mismatch errors.
var decodeErrorRE = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "([^"]+)"\): (?:incompatible types|type mismatch)`)

// fieldKinds maps the TOML names of struct type t's fields to what a value
// of each must be, in words.
func fieldKinds(t reflect.Type) map[string]string {
	out := map[string]string{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" || name == "-" {
			continue
		}
		switch f.Type.Kind() {
		case reflect.Float32, reflect.Float64:
			out[name] = "a number"
		case reflect.Int, reflect.Int64, reflect.Int32:
			out[name] = "a whole number"
		case reflect.Bool:
			out[name] = "true or false"
		case reflect.String:
			out[name] = "a quoted string"
		case reflect.Slice:
			out[name] = "a list of whole numbers, e.g. [4, 8, 4]"
		case reflect.Struct, reflect.Pointer:
			out[name] = "a table"
		}
	}
	return out
}

// what says in words what the decoder found: "a string", "a list", "a
// number past the largest whole number", ...
func what(err error) string {
	msg := err.Error()
	if strings.Contains(msg, "out of range") || strings.Contains(msg, "out of the safe") {
		return "a number too large to hold"
	}
	found := ""
	if _, rest, ok := strings.Cut(msg, "TOML value has type "); ok {
		found, _, _ = strings.Cut(rest, ";")
	} else if _, rest, ok := strings.Cut(msg, "but found "); ok {
		found = rest
	}
	switch {
	case found == "string":
		return "a string"
	case found == "float64":
		return "a number with a fraction or exponent"
	case found == "int64":
		return "a number"
	case found == "bool":
		return "true or false"
	case strings.HasPrefix(found, "[]"), found == "array":
		return "a list"
	case strings.HasPrefix(found, "map"), found == "table":
		return "a table"
	case found == "time.Time" || strings.Contains(found, "Local"):
		return "a date or time"
	}
	return "a value of another type"
}

// valueText is the value written on line (1-based) of data: what follows
// its key's '=', without a trailing comment, at most 40 characters. A value
// that goes on past its line (an array over several lines) or an inline
// table is not quoted: "" then, and the error names the line.
func valueText(data []byte, line int) string {
	lines := strings.Split(string(data), "\n")
	if line < 1 || line > len(lines) {
		return `""`
	}
	_, v, ok := strings.Cut(lines[line-1], "=")
	if !ok || strings.HasPrefix(strings.TrimSpace(v), "{") {
		return `""`
	}
	v = strings.TrimSpace(stripComment(v))
	if open, closed := strings.Count(v, "["), strings.Count(v, "]"); open != closed {
		return `""`
	}
	if r := []rune(v); len(r) > 40 {
		v = string(r[:40]) + "…"
	}
	if v == "" {
		return `""`
	}
	return v
}

// stripComment cuts a TOML comment ('#' outside a quoted string) off v.
func stripComment(v string) string {
	var quote rune
	escaped := false
	for i, r := range v {
		switch {
		case escaped:
			escaped = false
		case quote == '"' && r == '\\':
			escaped = true // a basic string's escape: the next character is text
		case quote != 0 && r == quote:
			quote = 0
		case quote == 0 && (r == '"' || r == '\''):
			quote = r
		case quote == 0 && r == '#':
			return v[:i]
		}
	}
	return v
}

// specOfFamily is the zero spec of the family (and layout) data names, if
// its [design] table has them as strings, for the valid ranges of that
// family; a file that does not is read as ShuffleNetV2's.
func specOfFamily(data []byte) arch.Spec {
	var f struct {
		Design map[string]any `toml:"design"`
	}
	var s arch.Spec
	if _, err := toml.Decode(string(data), &f); err == nil {
		if v, ok := f.Design["family"].(string); ok {
			s.Family = arch.Family(v)
		}
		if v, ok := f.Design["layout"].(string); ok {
			s.Layout = arch.Layout(v)
		}
	}
	return s
}
