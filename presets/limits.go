package presets

import (
	"fmt"

	"github.com/shufflelab/explorer/internal/safefile"
)

// MaxFileBytes caps a design or experiment file: the largest embedded one
// is under 4 KiB, and the TOML decoder's memory grows with its input.
const MaxFileBytes = 1 << 20

// MaxNesting caps how deeply a design file nests tables, dotted keys,
// arrays and inline tables (the embedded files nest 2 deep). The TOML
// decoder's memory grows with the nesting: a 100 KB file of one
// 50,000-part dotted table name took over 10 GB (issue 15).
const MaxNesting = 16

// checkShape refuses TOML data over MaxFileBytes or nested deeper than
// MaxNesting, before it reaches the decoder. origin names it in errors.
func checkShape(data []byte) error {
	if len(data) > MaxFileBytes {
		return fmt.Errorf("%d bytes, over the %s limit of a design file", len(data), safefile.FormatSize(MaxFileBytes))
	}
	if d, line := nesting(data, MaxNesting); d > MaxNesting {
		return fmt.Errorf("line %d nests tables, dotted keys or arrays more than %d deep", line, MaxNesting)
	}
	return nil
}

// nesting scans TOML text without decoding it and returns the deepest
// nesting it finds (open arrays and tables, inline or [headers], plus the
// parts of a dotted key), stopping as soon as it passes limit, and the
// 1-based line where it did. Strings and comments are skipped; dots in
// values (1.5, dates) do not count.
func nesting(data []byte, limit int) (deepest, atLine int) {
	var stack []byte // 'H' header bracket, 'A' array, 'T' inline table
	inKey, dots, line := true, 0, 1
	note := func() bool {
		if d := len(stack) + dots; d > deepest {
			deepest, atLine = d, line
		}
		return deepest > limit
	}
	top := func() byte {
		if len(stack) == 0 {
			return 0
		}
		return stack[len(stack)-1]
	}
	n := len(data)
	for i := 0; i < n; i++ {
		c := data[i]
		switch {
		case c == '\n':
			line++
			if len(stack) == 0 || top() == 'H' {
				stack, inKey, dots = stack[:0], true, 0
			}
		case c == '#':
			for i+1 < n && data[i+1] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			i = skipString(data, i, &line)
		case c == '[' && (top() == 'H' || inKey && len(stack) == 0):
			stack = append(stack, 'H') // a [table] or [[array of tables]] header
			if note() {
				return
			}
		case c == ']' && top() == 'H':
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				inKey = false // the rest of the line is not a key
			}
		case c == '.' && (inKey || top() == 'H'):
			dots++
			if note() {
				return
			}
		case c == '=' && inKey:
			inKey, dots = false, 0
		case !inKey && (c == '[' || c == '{'):
			if c == '[' {
				stack = append(stack, 'A')
			} else {
				stack, inKey = append(stack, 'T'), true
			}
			if note() {
				return
			}
		case !inKey && (c == ']' || c == '}') && len(stack) > 0:
			stack = stack[:len(stack)-1]
		case inKey && c == '}' && top() == 'T': // an empty inline table
			stack, inKey = stack[:len(stack)-1], false
		case c == ',' && top() == 'T':
			inKey, dots = true, 0
		}
	}
	return deepest, atLine
}

// skipString returns the index of the last byte of the TOML string that
// starts at data[i] (basic or literal, single-line or multi-line, that is
// opened by three quotes), counting the newlines it spans.
func skipString(data []byte, i int, line *int) int {
	q := data[i]
	n := len(data)
	multi := i+2 < n && data[i+1] == q && data[i+2] == q
	if multi {
		for j := i + 3; j < n; j++ {
			switch {
			case data[j] == '\n':
				*line++
			case q == '"' && data[j] == '\\':
				j++
			case data[j] == q && j+2 < n && data[j+1] == q && data[j+2] == q:
				return j + 2
			}
		}
		return n - 1
	}
	for j := i + 1; j < n; j++ {
		switch {
		case data[j] == '\n':
			return j - 1 // unterminated: let the decoder report it
		case q == '"' && data[j] == '\\':
			j++
		case data[j] == q:
			return j
		}
	}
	return n - 1
}
