package runner

import (
	"errors"
	"testing"
)

func TestFormatMemError(t *testing.T) {
	const gib, mib = 1 << 30, 1 << 20
	tests := []struct {
		name  string
		need  int64
		limit int64
		parts map[string]int64
		hint  string
		want  string
	}{
		{
			// 12.5 GiB = 11.75 GiB + 512 MiB + 256 MiB (11.75 + 0.5 + 0.25).
			name: "standard parts", need: 12*gib + 512*mib, limit: 8 * gib,
			parts: map[string]int64{"workspace": 256 * mib, "weights": 512 * mib, "activations": 11*gib + 768*mib},
			want:  "design needs an estimated 12.5 GiB (activations 11.75 GiB, weights 512 MiB, workspace 256 MiB); limit is 8 GiB (--mem-limit)",
		},
		{
			// unknown parts follow the known ones, alphabetically.
			name: "extra parts", need: 3 * gib, limit: 2 * gib,
			parts: map[string]int64{"zbuf": 1024, "input": 1536, "weights": 3*gib - 2560},
			want:  "design needs an estimated 3 GiB (weights 3 GiB, input 1.5 KiB, zbuf 1 KiB); limit is 2 GiB (--mem-limit)",
		},
		{
			name: "no parts", need: 3 * gib / 4, limit: gib / 2, parts: nil,
			want: "design needs an estimated 768 MiB; limit is 512 MiB (--mem-limit)", // under 1 GiB: MiB
		},
		{
			// a caller without --mem-limit (the interactive explorer) says what applies there.
			name: "hint", need: 3 * gib, limit: 2 * gib, hint: "make the design smaller",
			want: "design needs an estimated 3 GiB; limit is 2 GiB (make the design smaller)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := FormatMemError(tc.need, tc.limit, tc.parts)
			if tc.hint != "" {
				err.(*MemError).Hint = tc.hint
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			var me *MemError
			if !errors.As(err, &me) || me.Need != tc.need || me.Limit != tc.limit {
				t.Errorf("errors.As MemError: %+v", me)
			}
		})
	}
}

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "8GiB", want: 8 << 30},
		{in: "8g", want: 8 << 30},
		{in: "512 MiB", want: 512 << 20},
		{in: "1.5G", want: 3 << 29},
		{in: "4096", want: 4096},
		{in: "2TB", want: 2e12},
		{in: "10kb", want: 10000},
		{in: "", bad: true},
		{in: "GiB", bad: true},
		{in: "8XB", bad: true},
		{in: "-1G", bad: true},
		{in: "1e30", bad: true},
	}
	for _, tc := range tests {
		got, err := ParseBytes(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseBytes(%q) = %d, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}
