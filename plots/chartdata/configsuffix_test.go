package chartdata

import (
	"strings"
	"testing"

	"github.com/shufflelab/explorer/runner/sweep"
)

// TestConfigSuffixes: the charts of a results file of several
// configurations are named by what sets each apart, through
// sweep.GroupByConfig as `explorer plot` groups them (they used to be
// numbered "-1", "-2", which said nothing of which was which).
func TestConfigSuffixes(t *testing.T) {
	row := func(key, host, hostName, backend, kernels, mode string, threads int) sweep.Row {
		r := sweep.Row{Key: key, Host: host, HostName: hostName, Backend: backend, Mode: mode, Threads: threads}
		r.Fingerprint.Kernels = kernels
		return r
	}
	epyc := func(key, kernels, mode string, threads int) sweep.Row {
		return row(key, "h1", "AMD EPYC (2 cores)", "native", kernels, mode, threads)
	}
	for _, tc := range []struct {
		name string
		rows []sweep.Row
		want []string
	}{
		{"one configuration", []sweep.Row{epyc("a", "avx512", "fused", 1), epyc("b", "avx512", "fused", 1)}, []string{""}},
		{"fused and eager", []sweep.Row{epyc("a", "avx512", "fused", 1), epyc("a", "avx512", "eager", 1)},
			[]string{"-fused", "-eager"}},
		{"threads and mode", []sweep.Row{epyc("a", "avx512", "fused", 1), epyc("a", "avx512", "fused", 2), epyc("a", "avx512", "eager", 2)},
			[]string{"-fused-1t", "-fused-2t", "-eager-2t"}},
		{"two kernel sets", []sweep.Row{epyc("a", "avx512", "fused", 1), epyc("a", "generic", "fused", 1)},
			[]string{"-avx512", "-generic"}},
		{"two hosts", []sweep.Row{row("a", "h1", "CPU one", "native", "avx512", "fused", 1), row("a", "h2", "CPU two", "native", "neon", "fused", 1)},
			[]string{"-cpu-one", "-cpu-two"}},
		{"two hosts of one name", []sweep.Row{row("a", "h1", "AMD EPYC (2 cores)", "native", "avx512", "fused", 1),
			row("a", "h2", "AMD EPYC (2 cores)", "native", "avx512", "fused", 1)},
			[]string{"-1", "-2"}},
		{"backends", []sweep.Row{epyc("a", "avx512", "fused", 1), row("a", "h1", "AMD EPYC (2 cores)", "cudnn", "cudnn+cuda-graph", "fused", 1)},
			[]string{"-native", "-cudnn"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			groups := sweep.GroupByConfig(tc.rows)
			got := ConfigSuffixes(groups)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("suffixes %q, want %q (labels %q)", got, tc.want, labels(groups))
			}
		})
	}
}

func labels(gs []sweep.Group) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Label)
	}
	return out
}
