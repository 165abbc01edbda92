package main

import (
	"fmt"
	"math"

	"github.com/shufflelab/explorer/runner/registry"
)

// intBounds is the valid range of an integer flag: lo..hi, or ">= lo"
// where hi is math.MaxInt.
type intBounds struct{ lo, hi int }

// String is the range as the refusals print it: "1..100" or ">= 0".
func (b intBounds) String() string {
	if b.hi == math.MaxInt {
		return fmt.Sprintf(">= %d", b.lo)
	}
	return fmt.Sprintf("%d..%d", b.lo, b.hi)
}

// intFlagBounds is the one list of the integer flags' ranges (the knob
// flags are strings checked by package arch): the range check after
// parsing ([checkIntFlag]), the refusal of a value that is no integer at
// all ([parseArgs]) and the help texts ([intRange]) all read it, so `--threads x` and `--threads 0` name
// the same range. ok is false for a flag without a range here (--seed
// takes any 64-bit integer).
func intFlagBounds(name string) (b intBounds, ok bool) {
	switch name {
	case "threads":
		return intBounds{registry.MinThreads, registry.MaxThreads}, true
	case "warmup":
		return intBounds{0, maxWarmup}, true
	case "min-iters":
		return intBounds{1, maxMinIters}, true
	case "profile-runs":
		return intBounds{1, 10000}, true
	case "rounds":
		return intBounds{1, 100}, true
	case "top", "pairs", "max-profiles":
		return intBounds{0, math.MaxInt}, true
	}
	return intBounds{}, false
}

// checkIntFlag refuses a parsed value of integer flag name outside its
// range: `invalid --threads 0 (valid: 1..256)`. It panics for a flag
// without a range in [intFlagBounds] (a programming error).
func checkIntFlag(name string, v int) error {
	b, ok := intFlagBounds(name)
	if !ok {
		panic("checkIntFlag: no range for --" + name)
	}
	if v < b.lo || v > b.hi {
		return usagef("invalid --%s %d (valid: %s)", name, v, b)
	}
	return nil
}

// intRange is the range of integer flag name as its help text gives it.
func intRange(name string) string {
	b, ok := intFlagBounds(name)
	if !ok {
		panic("intRange: no range for --" + name)
	}
	return b.String()
}
