package runner

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/shufflelab/explorer/cost/costfmt"
)

// MemError refuses a design whose estimated memory exceeds the limit.
type MemError struct {
	Need  int64            // estimated bytes
	Limit int64            // the limit in bytes
	Parts map[string]int64 // the estimate's parts by name ("activations", "weights", "workspace", ...)
	// Hint says, after the limit, how the user sets it where the refusal
	// is shown; empty means the command line's flag, "--mem-limit" (a
	// caller without that flag, the interactive explorer, sets its own).
	Hint string
}

// DefaultMemHint is the hint of a [MemError] without one: the flag of
// the commands that take a limit.
const DefaultMemHint = "--mem-limit"

// Error gives the standard message, e.g. "design needs an estimated 12.5 GiB
// (activations 11.9 GiB, weights 512 MiB, workspace 96 MiB); limit is 8 GiB
// (--mem-limit)", with Hint in place of "--mem-limit" where it is set.
func (e *MemError) Error() string {
	var parts []string
	for _, k := range partOrder(e.Parts) {
		parts = append(parts, k+" "+costfmt.Bytes(e.Parts[k]))
	}
	s := "design needs an estimated " + costfmt.Bytes(e.Need)
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	hint := e.Hint
	if hint == "" {
		hint = DefaultMemHint
	}
	return s + "; limit is " + costfmt.Bytes(e.Limit) + " (" + hint + ")"
}

// FormatMemError returns the error that refuses a design needing need bytes
// under a limit of limit bytes; parts itemise the estimate (activations,
// weights and workspace first, then any others by name).
func FormatMemError(need, limit int64, parts map[string]int64) error {
	return &MemError{Need: need, Limit: limit, Parts: maps.Clone(parts)}
}

// partOrder lists the known parts first, then the rest alphabetically.
func partOrder(parts map[string]int64) []string {
	known := []string{"activations", "weights", "workspace"}
	var out []string
	for _, k := range known {
		if _, ok := parts[k]; ok {
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(parts)) {
		if !slices.Contains(known, k) {
			out = append(out, k)
		}
	}
	return out
}

// ParseBytes reads a size such as "8GiB", "512MiB", "1.5G", "4096" (bytes)
// or "2 TB". K/M/G/T and KiB/MiB/GiB/TiB are powers of 1024; KB/MB/GB/TB
// are powers of 1000. Units are case-insensitive.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && !(t[i-1] >= '0' && t[i-1] <= '9' || t[i-1] == '.') {
		i--
	}
	num, unit := strings.TrimSpace(t[:i]), strings.TrimSpace(t[i:])
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("invalid size %q (want e.g. 8GiB, 512MiB, 1.5G)", s)
	}
	mult := map[string]float64{
		"": 1, "b": 1,
		"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
		"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
		"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
		"t": 1 << 40, "tib": 1 << 40, "tb": 1e12,
	}[strings.ToLower(unit)]
	if mult == 0 {
		return 0, fmt.Errorf("invalid size %q: unknown unit %q (want B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)", s, unit)
	}
	v := f * mult
	if v >= 1<<63 {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return int64(v), nil
}
