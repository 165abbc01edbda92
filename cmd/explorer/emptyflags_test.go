package main

import (
	"bytes"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// helpFlag is one flag as a command's -h lists it.
type helpFlag struct {
	name, typ, usage string
}

// helpFlags runs `explorer CMD -h` and reads every flag it lists, with its
// type word ("string", "int", "duration"; "" for booleans) and help text.
func helpFlags(t *testing.T, cmd string) []helpFlag {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run([]string{cmd, "-h"}, &out, &errOut); code != 0 {
		t.Fatalf("explorer %s -h: exit %d: %s", cmd, code, errOut.String())
	}
	head := regexp.MustCompile(`^  -(\S+)(?: (\S+))?`)
	var flags []helpFlag
	for _, line := range strings.Split(out.String()+errOut.String(), "\n") {
		if m := head.FindStringSubmatch(line); m != nil {
			flags = append(flags, helpFlag{name: m[1], typ: m[2]})
		} else if len(flags) > 0 && strings.HasPrefix(line, "    \t") {
			flags[len(flags)-1].usage += strings.TrimPrefix(line, "    \t") + " "
		}
	}
	return flags
}

// TestEveryEmptyFlagRefused: every flag of every command given an empty
// value (--NAME=, and for string flags a blank --NAME " ") exits 2 with
// the one message `invalid --NAME "" (valid: ...)` (string flags; the other
// types say what they accept), never taking the value as the default. The
// only exceptions are the flags whose empty value the command declares
// meaningful (parseArgs' emptyOK), and each documents it in its help text.
// Before: ui --kernels= and ui --history= ran with the defaults, plot --out=
// was not refused, and run, sweep, guidelines and plot refused empties with
// their own lists and messages.
func TestEveryEmptyFlagRefused(t *testing.T) {
	// emptyOK: the declared flags, and what runs instead with the empty
	// value (the next check that stops the command before it does work).
	emptyOK := map[string]map[string]struct {
		extra []string
		code  int
		want  string
	}{
		"guidelines": {"out": {[]string{"--rounds=0"}, 2, "invalid --rounds 0"}},
		"ui":         {"log": {nil, 1, "not a terminal"}},
	}
	for _, cmd := range []string{"cost", "presets", "run", "sweep", "guidelines", "plot", "ui"} {
		flags := helpFlags(t, cmd)
		strs := 0
		for _, f := range flags {
			if f.typ == "string" {
				strs++
			}
		}
		if strs == 0 {
			t.Fatalf("explorer %s -h lists no string flag: %v", cmd, flags)
		}
		for _, f := range flags {
			if ok, declared := emptyOK[cmd][f.name]; declared {
				if f.typ != "string" || !strings.Contains(f.usage, "''") && !strings.Contains(f.usage, "empty") {
					t.Errorf("%s --%s: an empty value is allowed but the help %q does not say what it means", cmd, f.name, f.usage)
				}
				var out, errOut bytes.Buffer
				code := run(append([]string{cmd, "--" + f.name + "="}, ok.extra...), &out, &errOut)
				if code != ok.code || !strings.Contains(errOut.String(), ok.want) || strings.Contains(errOut.String(), "--"+f.name) {
					t.Errorf("%s --%s= %v: exit %d, stderr %q; want exit %d and %q (the empty --%s accepted)",
						cmd, f.name, ok.extra, code, errOut.String(), ok.code, ok.want, f.name)
				}
				// Only "" is the documented value: a blank one is refused
				// (guidelines --out ' ' wrote charts into a folder named " ").
				errOut.Reset()
				code = run(append([]string{cmd, "--" + f.name + "= "}, ok.extra...), &out, &errOut)
				if want := `explorer: invalid --` + f.name + ` " " (valid: `; code != 2 || !strings.HasPrefix(errOut.String(), want) {
					t.Errorf("%s --%s=' ': exit %d, stderr %q; want exit 2 and %q", cmd, f.name, code, errOut.String(), want)
				}
				continue
			}
			values := []string{""}
			if f.typ == "string" {
				values = append(values, " ")
			}
			for _, v := range values {
				var out, errOut bytes.Buffer
				code := run([]string{cmd, "--" + f.name + "=" + v}, &out, &errOut)
				want := `explorer: invalid --` + f.name + ` "` + v + `"`
				if f.typ == "string" {
					want += " (valid: "
				}
				got := errOut.String()
				if code != 2 || !strings.HasPrefix(got, want) || strings.Count(got, "\n") != 1 || out.Len() != 0 {
					t.Errorf("%s --%s=%q: exit %d, stdout %q, stderr %q; want exit 2 and one line %q...", cmd, f.name, v, code, out.String(), got, want)
				}
				if f.typ == "string" && strings.HasPrefix(got, want) && strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(got, want), ")\n")) == "" {
					t.Errorf("%s --%s=%q: %q names no valid values", cmd, f.name, v, got)
				}
			}
		}
		for name := range emptyOK[cmd] {
			if !slices.ContainsFunc(flags, func(f helpFlag) bool { return f.name == name }) {
				t.Errorf("%s has no flag --%s to allow empty", cmd, name)
			}
		}
	}
}

// TestLookupKernelsFlagRefusesEmpty: kernels.Lookup takes "" for auto, the
// flag does not, also for callers that did not parse it (measureFlags built
// in code).
func TestLookupKernelsFlagRefusesEmpty(t *testing.T) {
	for _, v := range []string{"", " "} {
		_, err := lookupKernelsFlag(v)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), `invalid --kernels "`+v+`" (valid: auto|`) {
			t.Errorf("lookupKernelsFlag(%q): %v, want a usage error naming the valid sets", v, err)
		}
	}
	m := &measureFlags{backend: "native", mode: "eager", threads: 1, minIters: 1}
	if _, err := m.check(); err == nil || !strings.Contains(err.Error(), `invalid --kernels ""`) {
		t.Errorf("measureFlags with kernels \"\": check %v, want the empty --kernels refused", err)
	}
}
