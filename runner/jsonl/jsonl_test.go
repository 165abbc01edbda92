package jsonl

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

type rec struct {
	N int `json:"n"`
}

// rejectNegative keeps records with n >= 0.
func rejectNegative(r *rec) string {
	if r.N < 0 {
		return "negative"
	}
	return ""
}

func TestRead(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		want      []rec
		wantLines []int
		reasonHas []string
	}{
		{name: "empty", in: ""},
		{name: "whole lines and blanks", in: "{\"n\":1}\n\n  \n{\"n\":2}\n", want: []rec{{1}, {2}}},
		{name: "last line whole without newline", in: "{\"n\":1}\n{\"n\":2}", want: []rec{{1}, {2}}},
		{name: "torn last line", in: "{\"n\":1}\n{\"n\":", want: []rec{{1}}, wantLines: []int{2}, reasonHas: []string{"torn last line (5 bytes, no newline)"}}, // 5 = len(`{"n":`)
		{name: "corrupt middle line", in: "{\"n\":1}\nnot json\n{\"n\":3}\n", want: []rec{{1}, {3}}, wantLines: []int{2}, reasonHas: []string{"not a JSON rec"}},
		{name: "check rejects", in: "{\"n\":-1}\n{\"n\":4}\n", want: []rec{{4}}, wantLines: []int{1}, reasonHas: []string{"negative"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, skips, err := Read(strings.NewReader(tc.in), "rec", rejectNegative)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("values %v, want %v", got, tc.want)
			}
			if len(skips) != len(tc.wantLines) {
				t.Fatalf("skips %v, want lines %v", skips, tc.wantLines)
			}
			for i, s := range skips {
				if s.Line != tc.wantLines[i] || !strings.Contains(s.Reason, tc.reasonHas[i]) {
					t.Errorf("skip %d = %+v, want line %d with %q", i, s, tc.wantLines[i], tc.reasonHas[i])
				}
			}
		})
	}
}

// A missing file holds no values and is not an error.
func TestLoadMissing(t *testing.T) {
	got, skips, err := Load(filepath.Join(t.TempDir(), "none.jsonl"), "rec", rejectNegative)
	if err != nil || got != nil || skips != nil {
		t.Errorf("Load(missing) = %v, %v, %v; want nothing", got, skips, err)
	}
}

// AppendLine after a torn tail starts a new line, so the new record
// survives and only the torn one is skipped.
func TestAppendLineAfterTorn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "f.jsonl")
	if err := AppendLine(path, []byte(`{"n":1}`)); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"n":`); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := AppendLine(path, []byte(`{"n":3}`)); err != nil {
		t.Fatal(err)
	}
	got, skips, err := Load[rec](path, "rec", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []rec{{1}, {3}}; !reflect.DeepEqual(got, want) || len(skips) != 1 || skips[0].Line != 2 {
		t.Errorf("Load = %v, skips %v; want %v and one skip on line 2", got, skips, want)
	}
}
