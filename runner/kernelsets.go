package runner

import "slices"

// KernelSets is the one rule by which results (sweep rows, gap-chart
// points) are told apart by kernel set, where some name none (hand-made
// lines) and where the set must be named. T is the result type; config
// names a result's configuration without its set (host, backend, mode,
// threads), set its kernel set ("" for none).
type KernelSets[T any] struct {
	config, set func(T) string
	known       map[string][]string // configuration -> the sets its results name, in order
}

// NewKernelSets reads the sets that the results of each configuration
// name.
func NewKernelSets[T any](results []T, config, set func(T) string) *KernelSets[T] {
	k := &KernelSets[T]{config: config, set: set, known: map[string][]string{}}
	for _, r := range results {
		if s, c := set(r), config(r); s != "" && !slices.Contains(k.known[c], s) {
			k.known[c] = append(k.known[c], s)
		}
	}
	return k
}

// Of is the kernel set r counts as: its own or, for a result that names
// none, the first set its configuration's results name (the set of the
// first sweep that resumed it). anySet is true for a result that names
// none in a configuration that names none: it counts as of any set.
func (k *KernelSets[T]) Of(r T) (set string, anySet bool) {
	if s := k.set(r); s != "" {
		return s, false
	}
	if known := k.known[k.config(r)]; len(known) > 0 {
		return known[0], false
	}
	return "", true
}

// Named reports whether r's kernel set must be named to tell its
// configuration apart: its configuration's results name more than one set
// (labels name the set only there; the common single-set case reads
// without it).
func (k *KernelSets[T]) Named(r T) bool { return len(k.known[k.config(r)]) > 1 }
