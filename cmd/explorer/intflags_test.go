package main

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestIntFlagRangesOneTruth: every integer flag with a range refuses a
// value that is no integer and a value out of its range with the same
// valid range, the one its help text gives (issue: `--threads x` said
// only "an integer" while `--threads 0` said "valid: 1..256").
func TestIntFlagRangesOneTruth(t *testing.T) {
	for _, tc := range []struct {
		cmd   []string // the command and the flags the tested one needs
		flag  string
		below string // a value under the range
		valid string // the range, as every message prints it
	}{
		{[]string{"run"}, "threads", "0", "1..256"},
		{[]string{"run"}, "warmup", "-1", "0..1000000"},
		{[]string{"run"}, "min-iters", "0", "1..10000000"},
		{[]string{"run", "--profile"}, "profile-runs", "0", "1..10000"},
		{[]string{"run", "--profile"}, "top", "-1", ">= 0"},
		{[]string{"sweep", "--list"}, "pairs", "-1", ">= 0"},
		{[]string{"sweep", "--list"}, "threads", "0", "1..256"},
		{[]string{"guidelines", "--out", ""}, "rounds", "0", "1..100"},
		{[]string{"plot"}, "max-profiles", "-1", ">= 0"},
	} {
		for _, v := range []struct{ value, want string }{
			{"x", `invalid --` + tc.flag + ` "x": not an integer (valid: ` + tc.valid + `)`},
			{"99999999999999999999", `invalid --` + tc.flag + ` "99999999999999999999": out of range (valid: ` + tc.valid + `)`},
			{tc.below, `invalid --` + tc.flag + ` ` + tc.below + ` (valid: ` + tc.valid + `)`},
		} {
			args := append(append([]string{}, tc.cmd...), "--"+tc.flag, v.value)
			code, out, errs := runCLI(args...)
			if code != 2 || out != "" || strings.TrimSpace(errs) != "explorer: "+v.want {
				t.Errorf("%v: exit %d, stdout %.100q, stderr %q; want exit 2 and %q", args, code, out, errs, v.want)
			}
		}
		// The help goes to the flag set's writer in tests (stdout from main).
		code, out, errs := runCLI(tc.cmd[0], "-h")
		_, usage, _ := strings.Cut(out+errs, "-"+tc.flag+" int\n")
		usage, _, _ = strings.Cut(usage, "\n")
		if code != 0 || !strings.Contains(usage, tc.valid) {
			t.Errorf("%s -h: exit %d, --%s's help %q does not give its range %q", tc.cmd[0], code, tc.flag, usage, tc.valid)
		}
	}
}

// TestNoteOversubscribed: asking for more native threads than logical
// cores measures as asked and says so on stderr; within the cores, no note.
func TestNoteOversubscribed(t *testing.T) {
	n := runtime.NumCPU()
	for _, threads := range []int{n, n + 1} {
		code, _, errs := runCLI("run", "--preset", "shufflenetv2-0.5", "--res", "32", "--threads", strconv.Itoa(threads),
			"--min-time", "1ms", "--min-iters", "1", "--warmup", "0", "--history", "off", "--format", "json")
		note := fmt.Sprintf("note: --threads %d on %d logical cores", threads, n)
		if code != 0 || strings.Contains(errs, note) != (threads > n) {
			t.Errorf("run --threads %d on %d cores: exit %d, stderr %q; want the note %q only past the cores", threads, n, code, errs, note)
		}
	}
}
