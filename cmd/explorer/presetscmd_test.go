package main

import (
	"strings"
	"testing"
)

// TestPresetsRefusesArguments: a positional argument is refused with exit
// 2 as by every other command (presets extra printed the table, exit 0).
func TestPresetsRefusesArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"presets", "extra"}, 2, `presets: unexpected argument "extra"`},
		{[]string{"presets", "--format", "json", "extra"}, 2, `presets: unexpected argument "extra"`},
		{[]string{"presets", "--format", "yaml"}, 2, `invalid --format "yaml"`},
		{[]string{"presets", "-h"}, 0, "Usage: explorer presets"},
	} {
		code, out, errs := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errs, tc.code, tc.want)
		}
		if code != 0 && out != "" {
			t.Errorf("%v: printed %q", tc.args, out)
		}
	}
}
