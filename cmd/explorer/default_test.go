package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestDefaultWithoutTTY: with stdout not a terminal, no arguments print a
// one-line hint naming the scriptable subcommands, and exit 0.
func TestDefaultWithoutTTY(t *testing.T) {
	for _, args := range [][]string{nil, {"ui"}} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 0 {
			t.Fatalf("explorer %v: exit %d, stderr %q", args, code, errOut.String())
		}
		s := out.String()
		if strings.Count(s, "\n") != 1 || !strings.Contains(s, "explorer cost") || !strings.Contains(s, "explorer run") {
			t.Errorf("explorer %v printed %q, want one line naming 'explorer cost' and 'explorer run'", args, s)
		}
		if errOut.Len() != 0 {
			t.Errorf("stderr %q", errOut.String())
		}
	}
}
