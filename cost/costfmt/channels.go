package costfmt

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/shufflelab/explorer/arch"
)

// ChannelsPrefix starts the first of [ChannelNotes]: "channels 24·116·…".
const ChannelsPrefix = "channels "

// ChannelSep separates the stage widths in the first of [ChannelNotes].
const ChannelSep = "·"

// ChannelNotes says which channels a design's knobs produced and where
// they were rounded (arch.Graph.StageChannels), for `explorer cost` and the
// interactive explorer alike: the stage widths; stage 2's width rule before
// and after rounding (ShuffleNetV2, where the rounding changed it) or its
// multiple (ShuffleNet v1); the split of the first stage with a split op.
func ChannelNotes(g *arch.Graph) []string {
	stages := g.StageChannels()
	parts := make([]string, len(stages))
	for i, st := range stages {
		parts[i] = strconv.Itoa(st.Channels)
	}
	notes := []string{ChannelsPrefix + strings.Join(parts, ChannelSep)}
	for _, st := range stages {
		r := st.Width
		if r == nil || st.Stage != "stage2" {
			continue
		}
		switch g.Spec.Family {
		case arch.ShuffleNetV2:
			if r.Nearest() != r.Channels {
				notes = append(notes, fmt.Sprintf("stage2 %d→%d (multiple of %d)", r.Nearest(), r.Channels, r.Multiple))
			}
		case arch.ShuffleNetV1:
			notes = append(notes, fmt.Sprintf("stage2 rounded to a multiple of 4g=%d", r.Multiple))
		}
	}
	for _, st := range stages {
		sp := st.Split
		if sp == nil {
			continue
		}
		note := fmt.Sprintf("split c'=%d of %d", sp.Channels, st.Channels)
		if math.Abs(sp.Exact-float64(sp.Channels)) > 1e-9 {
			note += " (r·c=" + strconv.FormatFloat(math.Round(sp.Exact*100)/100, 'g', -1, 64) + ")"
		}
		notes = append(notes, note)
		break
	}
	return notes
}
