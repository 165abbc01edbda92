package chartdata

import (
	"fmt"
	"strings"

	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/runner/sweep"
)

// ConfigSuffixes are the file-name suffixes of the charts of groups, one
// per group, so that a results file of several configurations gives each
// its own, self-describing files: "" for a single group, else "-" and
// the parts of the configuration that differ between the groups, in the
// order host, backend, kernel set (where the group's label names it, see
// [sweep.Group]), mode, threads: "-fused" and "-eager" for a file of
// one host's fused and eager sweeps, "-cpu-one" and "-cpu-two" for two
// hosts. Groups whose parts are all alike (two hosts of one name) are
// numbered after them: "-1" and "-2" for those two hosts, "-fused-1" and
// "-fused-2" where they also have eager rows.
func ConfigSuffixes(groups []sweep.Group) []string {
	out := make([]string, len(groups))
	if len(groups) <= 1 {
		return out
	}
	host := func(g sweep.Group) string { return HostSlug(g.HostName, g.Host) }
	parts := []func(g sweep.Group) string{
		host,
		func(g sweep.Group) string { return plots.FileSlug(g.Backend) },
		nil, // the kernel set: where the label names it
		func(g sweep.Group) string { return plots.FileSlug(g.Mode) },
		func(g sweep.Group) string { return fmt.Sprintf("%dt", g.Threads) },
	}
	differs := make([]bool, len(parts))
	for i, part := range parts {
		for _, g := range groups[1:] {
			if part != nil && part(g) != part(groups[0]) {
				differs[i] = true
			}
		}
	}
	count := map[string]int{}
	for gi, g := range groups {
		var b strings.Builder
		for i, part := range parts {
			var v string
			switch {
			case part == nil && g.KernelsNamed:
				v = "kernels-unknown"
				if g.Kernels != "" {
					v = plots.FileSlug(g.Kernels)
				}
			case part != nil && differs[i]:
				v = part(g)
			}
			if v != "" {
				b.WriteString("-" + v)
			}
		}
		out[gi] = b.String()
		count[out[gi]]++
	}
	seen := map[string]int{}
	for gi, s := range out {
		if count[s] > 1 {
			seen[s]++
			out[gi] = fmt.Sprintf("%s-%d", s, seen[s])
		}
	}
	return out
}

// HostSlug is a host in a file name: its readable name slugged
// ("intel-r-xeon-r-processor-2-80ghz-2-cores"), else its key. The gap
// charts' configuration suffixes and the per-design charts of a results
// file from several hosts both name the host by it.
func HostSlug(hostName, hostKey string) string {
	if hostName != "" {
		return plots.FileSlug(hostName)
	}
	return plots.FileSlug(hostKey)
}
