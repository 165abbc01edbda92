package main

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestPresetsRefusesArguments: a positional argument is refused with exit
// 2 as by every other command (presets extra printed the table, exit 0).
func TestPresetsRefusesArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"presets", "extra"}, 2, `presets: unexpected argument "extra"`},
		{[]string{"presets", "--format", "json", "extra"}, 2, `presets: unexpected argument "extra"`},
		{[]string{"presets", "--format", "yaml"}, 2, `invalid --format "yaml"`},
		{[]string{"presets", "-h"}, 0, "Usage: explorer presets"},
	} {
		code, out, errs := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errs, tc.code, tc.want)
		}
		if code != 0 && out != "" {
			t.Errorf("%v: printed %q", tc.args, out)
		}
	}
}

// TestPresetsJSONKeys: the experiments in `presets --format json` use
// snake_case keys like the presets beside them (audit: they came out as
// Go's field names, ID, Rows, GPUDesign, and "Rows": null for T8).
func TestPresetsJSONKeys(t *testing.T) {
	code, out, errs := runCLI("presets", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Experiments []map[string]json.RawMessage `json:"experiments"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	guideline, comparison := 0, 0
	for _, x := range doc.Experiments {
		for k, v := range x {
			if k != strings.ToLower(k) || string(v) == "null" {
				t.Errorf("experiment key %q: %s", k, v)
			}
		}
		if rows, ok := x["rows"]; ok {
			guideline++
			var rs []map[string]json.RawMessage
			if err := json.Unmarshal(rows, &rs); err != nil || len(rs) == 0 {
				t.Fatalf("rows %s: %v", rows, err)
			}
			for _, k := range []string{"label", "gpu_design", "gpu", "arm_design", "arm"} {
				if _, ok := rs[0][k]; !ok {
					t.Errorf("row lacks %q: %v", k, rs[0])
				}
			}
		}
		if _, ok := x["presets"]; ok {
			comparison++
		}
	}
	// The paper's Tables 1-4 (G1-G4) and Table 8's comparison.
	if guideline != 4 || comparison != 1 {
		t.Errorf("%d guideline and %d comparison experiments, want 4 and 1", guideline, comparison)
	}
}

// TestPresetsWriteError: a failed write of the table is the command's
// error (audit: `presets > /dev/full` exited 0).
func TestPresetsWriteError(t *testing.T) {
	for _, format := range []string{"table", "json"} {
		if err := presetsCmd([]string{"--format", format}, &failingWriter{after: 10}, io.Discard); !errors.Is(err, errClosed) {
			t.Errorf("%s: %v, want the write's error", format, err)
		}
	}
}
