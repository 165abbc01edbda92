package main

import (
	"fmt"
	"io"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
)

// defaultCmd runs when explorer is started without arguments.
func defaultCmd(stdout, _ io.Writer) error {
	g, err := arch.Build(arch.Spec{})
	if err != nil {
		return err
	}
	rep := cost.Analyze(g, nil)
	fmt.Fprintf(stdout, "%s: %s MAdds, %s params, %s MAC (as written)\n\n", g.Spec, human(rep.Totals.MultAdds), human(rep.Totals.Params), human(rep.Totals.MemAccess))
	if err := writeGroups(stdout, "stage", rep.Stages); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nMore: 'explorer cost --by category', 'explorer presets', 'explorer help'.")
	return nil
}
