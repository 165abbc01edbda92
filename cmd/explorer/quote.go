package main

import (
	"runtime"
	"strconv"
	"strings"
	"unicode"
)

// quotePath quotes a path or another flag value for a message, as %q does,
// except on Windows, where %q would double every backslash
// ("C:\\Users\\me"): there a value without quotes or unprintable
// characters is put between double quotes as it is.
func quotePath(s string) string { return quoteFor(runtime.GOOS, s) }

// quoteFor is quotePath for the operating system goos.
func quoteFor(goos, s string) string {
	if goos == "windows" && !strings.ContainsFunc(s, func(r rune) bool { return r == '"' || !unicode.IsPrint(r) }) {
		return `"` + s + `"`
	}
	return strconv.Quote(s)
}
