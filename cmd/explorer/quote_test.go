package main

import (
	"strconv"
	"testing"
)

// TestQuoteFor: Windows paths keep single backslashes; anything a plain
// pair of quotes cannot show unambiguously, and every value elsewhere, is
// quoted as %q quotes it.
func TestQuoteFor(t *testing.T) {
	for _, tc := range []struct {
		goos, in, want string
	}{
		{"windows", `C:\Users\me\out`, `"C:\Users\me\out"`},
		{"windows", `C:\My Files\r.jsonl`, `"C:\My Files\r.jsonl"`},
		{"windows", `a"b`, `"a\"b"`},
		{"windows", "a\tb", `"a\tb"`},
		{"linux", `/tmp/a b`, `"/tmp/a b"`},
		{"linux", `C:\x`, `"C:\\x"`},
		{"darwin", "é/x", strconv.Quote("é/x")},
	} {
		if got := quoteFor(tc.goos, tc.in); got != tc.want {
			t.Errorf("quoteFor(%s, %q) = %s, want %s", tc.goos, tc.in, got, tc.want)
		}
	}
}
