package main

import (
	"strings"
	"testing"
)

// TestRefusalsSayWhy: a refused size or duration says what is wrong with
// it: the unit unknown, the number too large. Both were one generic text
// ("a positive size such as 8GiB", "a duration with a unit" for a value
// that has one).
func TestRefusalsSayWhy(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--mem-limit", "1PiB"}, `invalid --mem-limit "1PiB": unknown unit "PiB" (want B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)`},
		{[]string{"run", "--mem-limit", "99999999TiB"}, `invalid --mem-limit "99999999TiB": too large (valid: a positive size such as 8GiB or 512MiB)`},
		{[]string{"run", "--mem-limit", "0"}, `invalid --mem-limit "0" (valid: a positive size such as 8GiB or 512MiB)`},
		{[]string{"run", "--mem-limit", "x"}, `invalid --mem-limit "x" (valid: a positive size such as 8GiB or 512MiB)`},
		{[]string{"run", "--min-time", "9999999h"}, `invalid --min-time "9999999h": too large (valid: a duration up to 2562047h47m16s, e.g. 2s or 500ms)`},
		{[]string{"sweep", "--max-time", "5x", "--list"}, `invalid --max-time "5x": unknown unit "x" (valid units: ns, us, ms, s, m, h; e.g. 2s or 500ms)`},
		{[]string{"guidelines", "--min-time", "1.5.5s"}, `invalid --min-time "1.5.5s": a duration with a unit, e.g. 2s or 500ms`},
	} {
		code, _, errs := runCLI(tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errs, tc.want)
		}
	}
}
