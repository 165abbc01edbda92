package costfmt

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
)

func report(t *testing.T, fused bool) (arch.Spec, cost.Report) {
	t.Helper()
	g, err := arch.Build(arch.Spec{Family: arch.ShuffleNetV2, Width: 1})
	if err != nil {
		t.Fatal(err)
	}
	if fused {
		p := arch.FusedPlan(g)
		return g.Spec, cost.Analyze(g, &p)
	}
	return g.Spec, cost.Analyze(g, nil)
}

func TestParseBy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want By
		ok   bool
	}{{"op", ByOp, true}, {"stage", ByStage, true}, {"category", ByCategory, true}, {"layer", "", false}, {"", "", false}} {
		got, err := ParseBy(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseBy(%q) = %q, %v", tc.in, got, err)
		}
	}
}

// TestJSON: the document holds the report's totals, groups and one op per
// row, and decodes back.
func TestJSON(t *testing.T) {
	for _, fused := range []bool{false, true} {
		spec, rep := report(t, fused)
		var b bytes.Buffer
		if err := WriteJSON(&b, spec, "shufflenetv2-1.0", rep); err != nil {
			t.Fatal(err)
		}
		var d Document
		if err := json.Unmarshal(b.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		if d.Version != Version || d.Preset != "shufflenetv2-1.0" || d.View != rep.View || d.Totals != rep.Totals ||
			len(d.Stages) != len(rep.Stages) || len(d.Categories) != len(rep.Categories) || len(d.Ops) != len(rep.Rows) {
			t.Errorf("fused=%v: document %+v does not match the report", fused, d.Totals)
		}
	}
}

// TestCSV: the header, one line per row or group, and (for groups) a total
// line equal to the report's totals.
func TestCSV(t *testing.T) {
	_, rep := report(t, false)
	for _, tc := range []struct {
		by    By
		first string
		lines int
	}{
		{ByOp, "id", 1 + len(rep.Rows)},
		{ByStage, "stage", 2 + len(rep.Stages)},
		{ByCategory, "category", 2 + len(rep.Categories)},
	} {
		var b bytes.Buffer
		if err := WriteCSV(&b, tc.by, rep); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&b).ReadAll()
		if err != nil || len(recs) != tc.lines || recs[0][0] != tc.first {
			t.Errorf("by %s: %d records (%v), want %d with header %q", tc.by, len(recs), err, tc.lines, tc.first)
			continue
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		num := func(rec []string, name string) int64 {
			v, err := strconv.ParseInt(rec[col[name]], 10, 64)
			if err != nil {
				t.Fatalf("by %s: column %s = %q: %v", tc.by, name, rec[col[name]], err)
			}
			return v
		}
		if tc.by == ByOp {
			// The stem conv's values in their columns: torchvision
			// shufflenet_v2_x1_0 conv1, 3->24, 3x3 stride 2 at 224x224 ->
			// 112x112: 24*27*112*112 = 8,128,512 MAdds and 24*27 = 648
			// params (as TestCostJSON reads them from the JSON).
			for _, rec := range recs[1:] {
				if rec[col["id"]] == "conv1.0" && (num(rec, "madds") != 8128512 || num(rec, "params") != 648) {
					t.Errorf("by op: conv1.0 %v, want madds 8128512 and params 648", rec)
				}
			}
			continue
		}
		// Every group row's columns add up to the total line's.
		last := recs[len(recs)-1]
		for _, name := range []string{"madds", "aux_flops", "params", "mem_access", "bytes", "launches"} {
			var sum int64
			for _, rec := range recs[1 : len(recs)-1] {
				sum += num(rec, name)
			}
			if sum != num(last, name) {
				t.Errorf("by %s: the groups' %s add up to %d, the total line says %d", tc.by, name, sum, num(last, name))
			}
		}
		if last[0] != "total" || num(last, "madds") != rep.Totals.MultAdds || num(last, "mem_access") != rep.Totals.MemAccess || num(last, "params") != rep.Totals.Params {
			t.Errorf("by %s: total line %v, want MAdds %d MAC %d params %d", tc.by, last, rep.Totals.MultAdds, rep.Totals.MemAccess, rep.Totals.Params)
		}
	}
	if err := WriteCSV(&bytes.Buffer{}, "layer", rep); err == nil {
		t.Error("unknown row kind accepted")
	}
}

// TestFusedRowsMarkZeroCopy: in the fused view the rows without zero_copy
// are the executed steps (totals.steps: 72 for ShuffleNetV2 1.0x, 104 rows
// with the 32 views, per the re-audit), every row names the ops it covers,
// and the CSV carries the same mark; the as-written view has neither.
func TestFusedRowsMarkZeroCopy(t *testing.T) {
	spec, rep := report(t, true)
	var b bytes.Buffer
	if err := WriteJSON(&b, spec, "", rep); err != nil {
		t.Fatal(err)
	}
	var doc Document
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	executed := 0
	for _, o := range doc.Ops {
		if !o.ZeroCopy {
			executed++
		}
		if len(o.Covers) == 0 {
			t.Errorf("fused row %s covers no op", o.ID)
		}
	}
	if executed != rep.Totals.Steps || executed == len(doc.Ops) {
		t.Errorf("%d rows without zero_copy of %d, want totals.steps %d and some views", executed, len(doc.Ops), rep.Totals.Steps)
	}
	b.Reset()
	if err := WriteCSV(&b, ByOp, rep); err != nil {
		t.Fatal(err)
	}
	recs, _ := csv.NewReader(&b).ReadAll()
	views := 0
	for _, r := range recs[1:] {
		if r[len(r)-1] == "true" {
			views++
		}
	}
	if h := recs[0]; h[len(h)-1] != "zero_copy" || views != len(doc.Ops)-executed {
		t.Errorf("CSV: header %v, %d zero-copy rows, want %d", recs[0], views, len(doc.Ops)-executed)
	}
	_, written := report(t, false)
	b.Reset()
	WriteJSON(&b, spec, "", written)
	if bytes.Contains(b.Bytes(), []byte(`"zero_copy"`)) || bytes.Contains(b.Bytes(), []byte(`"covers"`)) {
		t.Error("as-written rows carry fused-view fields")
	}
}
