package main

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/shufflelab/explorer/ui"
)

// TestDefaultWithoutTTY: with stdout not a terminal, no arguments print a
// one-line hint naming the scriptable subcommands, and exit 0; `explorer
// ui` asked for the UI by name, so it prints the hint on stderr and exits 1
// (issue 15: it exited 0).
func TestDefaultWithoutTTY(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{{nil, 0}, {[]string{"ui"}, 1}} {
		var out, errOut bytes.Buffer
		if code := run(tc.args, &out, &errOut); code != tc.code {
			t.Fatalf("explorer %v: exit %d, want %d; stderr %q", tc.args, code, tc.code, errOut.String())
		}
		s, quiet := out.String(), errOut.String()
		if tc.code != 0 {
			s, quiet = quiet, s
		}
		if strings.Count(s, "\n") != 1 || !strings.Contains(s, "explorer cost") || !strings.Contains(s, "explorer run") || !strings.HasPrefix(s, "explorer: ") {
			t.Errorf("explorer %v printed %q, want one line naming 'explorer cost' and 'explorer run'", tc.args, s)
		}
		if quiet != "" {
			t.Errorf("explorer %v: other stream %q, want nothing", tc.args, quiet)
		}
	}
}

// TestUIShowsExplorerCostTotals turns the UI's knobs to width 1.2 and
// depths 5,9,3 and checks that the explore screen shows the exact totals
// `explorer cost --format json` prints for the same design.
func TestUIShowsExplorerCostTotals(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"cost", "--width", "1.2", "--depths", "5,9,3", "--format", "json"}, &out, &errOut); code != 0 {
		t.Fatalf("explorer cost: exit %d: %s", code, errOut.String())
	}
	var cj struct {
		Totals struct {
			MultAdds  int64 `json:"madds"`
			FLOPs     int64 `json:"flops"`
			Params    int64 `json:"params"`
			MemAccess int64 `json:"mem_access"`
		} `json:"totals"`
	}
	if err := json.Unmarshal(out.Bytes(), &cj); err != nil {
		t.Fatal(err)
	}
	m, err := ui.New(ui.Deps{Host: "test"})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	// Knob rows: design, family, layout, width, channels, split, groups,
	// depth s2, depth s3, depth s4.
	keys := []rune{tea.KeyDown, tea.KeyDown, tea.KeyDown, tea.KeyRight, tea.KeyRight, tea.KeyDown, tea.KeyDown, tea.KeyDown,
		tea.KeyDown, tea.KeyRight, tea.KeyDown, tea.KeyRight, tea.KeyDown, tea.KeyLeft}
	for _, k := range keys {
		m.Update(tea.KeyPressMsg{Code: k})
	}
	view := m.View().Content
	for name, n := range map[string]int64{"MAdds": cj.Totals.MultAdds, "FLOPs": cj.Totals.FLOPs, "params": cj.Totals.Params, "MAC": cj.Totals.MemAccess} {
		if n <= 0 || !strings.Contains(view, strconv.FormatInt(n, 10)) {
			t.Errorf("the UI does not show %s = %d as explorer cost prints it:\n%s", name, n, view)
		}
	}
}
