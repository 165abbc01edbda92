package costfmt

import (
	"slices"
	"testing"

	"github.com/shufflelab/explorer/arch"
)

// TestChannelNotes checks the notes against paper Table 5 and hand-computed
// roundings.
func TestChannelNotes(t *testing.T) {
	for _, tc := range []struct {
		spec arch.Spec
		want []string
	}{
		// Paper Table 5, 1.0x: 24, 116, 232, 464, 1024; the default split
		// 0.5 gives c' = 58 exactly.
		{arch.Spec{Family: arch.ShuffleNetV2}, []string{"channels 24·116·232·464·1024", "split c'=58 of 116"}},
		// g=7 rounds stage 2 to a multiple of 2g=14: 116/14 = 8.29 -> 8*14 = 112.
		{arch.Spec{Family: arch.ShuffleNetV2, Groups: 7}, []string{"channels 24·112·224·448·1024", "stage2 116→112 (multiple of 14)", "split c'=56 of 112"}},
		// split 0.3 of 116 channels: 34.8 rounds to 35.
		{arch.Spec{Family: arch.ShuffleNetV2, Split: 0.3}, []string{"channels 24·116·232·464·1024", "split c'=35 of 116 (r·c=34.8)"}},
		// ShuffleNet v1 1x g=3, paper (Zhang et al. 2018) Table 1: 24, 240, 480, 960.
		{arch.Spec{Family: arch.ShuffleNetV1}, []string{"channels 24·240·480·960", "stage2 rounded to a multiple of 4g=12"}},
	} {
		g, err := arch.Build(tc.spec.Normalize())
		if err != nil {
			t.Fatal(err)
		}
		if got := ChannelNotes(g); !slices.Equal(got, tc.want) {
			t.Errorf("%s: notes %q, want %q", tc.spec, got, tc.want)
		}
	}
}
