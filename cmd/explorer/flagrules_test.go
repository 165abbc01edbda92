package main

import (
	"strings"
	"testing"
)

// lastLine is the last non-empty line of a command's standard error.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestBatchSameInEveryCommand: the same bad --batch gives the same message
// and exit code in every command that takes it. Before: guidelines said
// `invalid --batch 0 (valid: 1..4096)` and `invalid --batch "abc": an
// integer (...)` where cost and run said `invalid batch "0" (valid:
// 1..4096)` and `invalid batch "abc": not an integer (valid: 1..4096)`.
func TestBatchSameInEveryCommand(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{"0", `explorer: invalid batch "0" (valid: 1..4096)`},
		{"abc", `explorer: invalid batch "abc": not an integer (valid: 1..4096)`},
		{"1.5", `explorer: invalid batch "1.5": not an integer (valid: 1..4096)`},
		{"-3", `explorer: invalid batch -3 (valid: 1..4096)`},
		{"4097", `explorer: invalid batch 4097 (valid: 1..4096)`},
	} {
		for _, cmd := range []string{"cost", "run", "guidelines"} {
			code, _, stderr := runCLI(cmd, "--batch", tc.value)
			if code != 2 || lastLine(stderr) != tc.want {
				t.Errorf("%s --batch %s: exit %d, %q; want exit 2, %q", cmd, tc.value, code, lastLine(stderr), tc.want)
			}
		}
	}
}
