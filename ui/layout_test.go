package ui

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// cutNumber matches a number cut by an ellipsis: "launches 1…",
// "= 143.52 M…".
var cutNumber = regexp.MustCompile(`\d[\d.,]*( ?[A-Za-z%]{1,3})?…`)

// longReason is a backend's unavailability as long as the real cudnn one.
const longReason = "cudnn backend unavailable: libcudnn.so.9, libcudart.so.13 or libcudart.so.12 not found (looked in: /usr/lib/x86_64-linux-gnu and 16 absent directories; set EXPLORER_CUDA_LIBS to a directory that has them)"

// TestKnobMessagesKeepLayout: a long message under a knob (the cudnn
// backend's unavailability, a 3-line channels error) takes at most two
// lines at 80x24, the second ending in "…" (whole where the column has
// room, at 120x40); the knob, the Run pane and the key help stay on
// screen, and knobs that give way for it are counted in the title (the
// message pushed the later knobs and the Run pane off the screen, cut
// without an ellipsis).
func TestKnobMessagesKeepLayout(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(t *testing.T, m *Model)
		msg  string // the message's start
	}{
		{"cudnn", func(t *testing.T, m *Model) { atKnob(t, m, kBackend); send(t, m, "right") }, "cudnn backend unavailable:"},
		{"channels", func(t *testing.T, m *Model) { typeKnob(t, m, kChannels, "24,116,232,464,1024,5") }, "! invalid channels"},
	} {
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			for _, ran := range []bool{false, true} {
				deps := testDeps(fakeMeasurer{})
				deps.Backends[1].Unavailable = longReason
				m := newModel(t, deps, sz[0], sz[1])
				if ran {
					send(t, m, "r")
				}
				tc.do(t, m)
				lines := strings.Split(view(m), "\n")
				if len(lines) != sz[1] {
					t.Fatalf("%s %dx%d: %d lines", tc.name, sz[0], sz[1], len(lines))
				}
				left := make([]string, len(lines)-3)
				for i, l := range lines[1 : len(lines)-2] {
					left[i] = strings.TrimRight(string([]rune(l)[:m.explore.leftWidth()]), " ")
				}
				at, cur, run := -1, -1, -1
				for i, l := range left {
					switch {
					case strings.HasPrefix(l, tc.msg) && at < 0:
						at = i
					case strings.HasPrefix(l, "▸ "):
						cur = i
					case strings.HasPrefix(l, "Run  "):
						run = i
					}
				}
				if at < 0 || cur != at-1 || run < 0 || run+1 >= len(left) || left[run+1] == "" {
					t.Errorf("%s %dx%d ran=%v: message at %d, knob at %d, Run pane at %d:\n%s", tc.name, sz[0], sz[1], ran, at, cur, run, strings.Join(left, "\n"))
					continue
				}
				n := 0
				for _, l := range left[at:] {
					if strings.HasPrefix(l, "  ") || l == "" || strings.HasPrefix(l, "Run") {
						break
					}
					n++
				}
				cut := strings.HasSuffix(left[at+n-1], "…")
				if sz[1] == 24 && (n > 2 || n == 2 && !cut) || sz[1] > 24 && cut {
					t.Errorf("%s %dx%d: the message takes %d lines:\n%s", tc.name, sz[0], sz[1], n, strings.Join(left[at:at+n], "\n"))
				}
				if foot := lines[len(lines)-1]; !strings.Contains(foot, "q quit") {
					t.Errorf("%s %dx%d: footer %q", tc.name, sz[0], sz[1], foot)
				}
				shown := 0
				for _, l := range left {
					for _, lb := range knobLabels {
						if strings.HasPrefix(l, "  "+lb+" ") || strings.HasPrefix(l, "▸ "+lb+" ") {
							shown++
						}
					}
				}
				if hidden := int(numKnobs) - shown; hidden > 0 && !strings.Contains(left[0], "↓") && !strings.Contains(left[0], "↑") {
					t.Errorf("%s %dx%d: %d knobs hidden without a word in the title %q", tc.name, sz[0], sz[1], hidden, left[0])
				}
			}
		}
	}
}

// TestNarrowKeepsMarkerAndNumbers: at 80x24 the changed-design marker
// stays (the name is cut, not the "*": "design   shufflenetv2-2.0-m…") and
// no number is cut ("launches 1…", "= 143.52 M…"); after a run too.
func TestNarrowKeepsMarkerAndNumbers(t *testing.T) {
	for _, preset := range []string{"shufflenetv2-2.0-megvii", "shufflenetv1-1.0-g8", "mobilenetv2-1.4"} {
		for _, lens := range []int{0, 1, 2, 3} {
			m := newTestModel(t, fakeMeasurer{}, 80, 24)
			send(t, m, "enter", "ctrl+u", preset, "enter")
			atKnob(t, m, kWidth)
			send(t, m, "right", "r")
			for range lens {
				send(t, m, "g")
			}
			v := view(m)
			var design string
			for _, l := range strings.Split(v, "\n") {
				if strings.HasPrefix(l, "  design ") {
					design = l
				}
				if c := cutNumber.FindString(l); c != "" {
					t.Errorf("%s lens %d: a number is cut (%q) in %q", preset, lens, c, l)
				}
			}
			if !strings.Contains(design, "*") {
				t.Errorf("%s: the changed-design marker is cut: %q", preset, design)
			}
		}
	}
}

// TestKnobsTitleCutBetweenWords: at 80x24 the design in the knobs' title
// is cut between words ("shufflenetv2 1x split=…" cut the split's figure).
func TestKnobsTitleCutBetweenWords(t *testing.T) {
	m := newTestModel(t, nil, 80, 24)
	typeKnob(t, m, kSplit, "0.33")
	typeKnob(t, m, kDepth3, "9")
	title := strings.Split(view(m), "\n")[1]
	if strings.Contains(title, "=…") || !strings.Contains(title, "shufflenetv2 1x") {
		t.Errorf("title %q", title)
	}
}

// TestTruncWords: labels are cut as trunc cuts them, except inside a word
// with a figure or a knob's value.
func TestTruncWords(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"shufflenetv2 1x classes=256", 30, "shufflenetv2 1x classes=256"},
		{"shufflenetv2 1x classes=256", 25, "shufflenetv2 1x …"},
		{"shufflenetv2 1x g=2", 16, "shufflenetv2 1x…"},
		{"shufflenetv2 1.25x split=0.3", 16, "shufflenetv2 …"},
		{"shufflenetv2 torchvision layout", 20, "shufflenetv2 torchv…"},
		{"shufflenetv1-1.0-g8", 16, "shufflenetv1-1.…"},
		{"1.5x s.3 d2,4,2 224x192 cls10 b8", 28, "1.5x s.3 d2,4,2 224x192 …"}, // "cls…": the kept part of the word has no figure, the word has
	} {
		if got := truncWords(tc.s, tc.n); got != tc.want {
			t.Errorf("truncWords(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

// TestCostColumnsAligned: the stage and category tables keep their
// columns aligned however large the counts (width 16, input 8192, classes
// 100000: "stage2  7151.82G  15.0%" beside "stage3 20018.41G 42.1%" put
// the shares, and the bars, of the wider row one cell to the right), with
// the run's time shares and without.
func TestCostColumnsAligned(t *testing.T) {
	percents := func(l string) []int { // where each share column ends ("time%*" at its star)
		var at []int
		rs := []rune(l)
		for i, r := range rs {
			switch {
			case r == '%' && i+1 < len(rs) && rs[i+1] == '*':
				at = append(at, i+1)
			case r == '%':
				at = append(at, i)
			}
		}
		return at
	}
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		m := newTestModel(t, fakeMeasurer{}, sz[0], sz[1])
		typeKnob(t, m, kWidth, "16")
		typeKnob(t, m, kInput, "8192")
		typeKnob(t, m, kClasses, "100000")
		for _, run := range []bool{false, true} {
			if run {
				send(t, m, "r")
			}
			tables, deltas := 0, map[int]bool{}
			var want []int
			lw := m.explore.leftWidth()
			cw := sz[0] - lw - 1
			if sz[0] >= threeColumns {
				cw = (sz[0] - lw - 2) / 2
			}
			for _, l := range strings.Split(view(m), "\n") {
				if r := []rune(l); len(r) >= lw+1+cw {
					l = string(r[lw+1 : lw+1+cw]) // the cost column
				}
				for _, total := range []string{"MAdds ", "FLOPs ", "params ", "MAC "} {
					if strings.HasPrefix(l, total) {
						deltas[slices.Index([]rune(l), 'Δ')] = true
					}
				}
				switch {
				case strings.Contains(l, "MAdds%"): // a table's header
					tables++
					want = percents(l)
				case want != nil && len(percents(l)) == len(want):
					if got := percents(l); !slices.Equal(got, want) {
						t.Errorf("%dx%d run=%v: shares at %v, the header's at %v:\n%s", sz[0], sz[1], run, got, want, l)
					}
				default:
					want = nil // the table ended
				}
			}
			if tables == 0 {
				t.Errorf("%dx%d: no table:\n%s", sz[0], sz[1], view(m))
			}
			if len(deltas) != 1 {
				t.Errorf("%dx%d: the totals' Δ at %v:\n%s", sz[0], sz[1], deltas, view(m))
			}
		}
	}
}

// TestNoFigureCut: no figure of the explore screen is cut by an ellipsis,
// for small and large designs, at the sizes where the G1 lens lists the
// convs farthest above its bound. The list's "/bound" ratio was cut to
// "1.…" at 80 columns (the list was 51 cells in a 49-cell column), and the
// stage channels of a wide design mid-number ("512·…·5120·204…" for
// 20480: one line the column cut).
func TestNoFigureCut(t *testing.T) {
	for _, d := range []struct {
		preset, width string
	}{
		{"shufflenetv2-1.0", ""},
		{"shufflenetv1-1.0-g8", ""},
		{"mobilenetv2-1.4", "16"},
		{"shufflenetv2-2.0", "16"},
	} {
		for _, sz := range [][2]int{{80, 24}, {80, 50}, {100, 60}, {120, 40}, {150, 40}, {150, 70}} {
			m := newTestModel(t, fakeMeasurer{}, sz[0], sz[1])
			typeKnob(t, m, kDesign, d.preset)
			if d.width != "" {
				typeKnob(t, m, kWidth, d.width)
			}
			for _, run := range []bool{false, true} {
				if run {
					send(t, m, "r")
				}
				v := view(m)
				for _, l := range strings.Split(v, "\n") {
					if c := cutNumber.FindString(l); c != "" && !strings.HasPrefix(l, "Knobs") {
						t.Errorf("%s width %s %dx%d run=%v: a number is cut (%q) in %q", d.preset, d.width, sz[0], sz[1], run, c, l)
					}
				}
			}
		}
	}
}

// TestCostTablesWhole: every stage or category table the cost column
// shows has all its rows: the second table shows only where it fits (at
// 150 columns and more it was added whatever the height, and at 250x24 or
// 160x26 after a run its last rows went off the screen without a word).
func TestCostTablesWhole(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 34}, {120, 40}, {150, 24}, {160, 26}, {250, 24}, {200, 28}, {150, 34}, {200, 60}} {
		for _, keys := range [][]string{nil, {"r"}, {"r", "c"}} {
			m := newTestModel(t, fakeMeasurer{}, sz[0], sz[1])
			send(t, m, keys...)
			lw := m.explore.leftWidth()
			cw := sz[0] - lw - 1
			if sz[0] >= threeColumns {
				cw = (sz[0] - lw - 2) / 2
			}
			var col []string
			for _, l := range strings.Split(body(m), "\n")[1:] {
				r := []rune(l)
				col = append(col, strings.TrimRight(string(r[lw+1:min(len(r), lw+1+cw)]), " "))
			}
			rep := m.explore.a.report(m.explore.co.fused)
			tables := 0
			for i, l := range col {
				groups := rep.Stages
				switch {
				case strings.HasPrefix(l, "stage ") && strings.Contains(l, "MAdds%"):
				case strings.HasPrefix(l, "category ") && strings.Contains(l, "MAdds%"):
					groups = rep.Categories
				default:
					continue
				}
				tables++
				var want []string
				for _, g := range groups {
					if g.MultAdds != 0 || g.MemAccess != 0 {
						want = append(want, g.Name)
					}
				}
				for j, name := range want {
					if i+1+j >= len(col) || !strings.HasPrefix(col[i+1+j], name+" ") {
						t.Errorf("%dx%d after %v: the table %q lacks its row %q:\n%s", sz[0], sz[1], keys, l, name, strings.Join(col, "\n"))
						break
					}
				}
			}
			if tables == 0 {
				t.Errorf("%dx%d after %v: no table:\n%s", sz[0], sz[1], keys, strings.Join(col, "\n"))
			}
		}
	}
}

// TestRunResultWhole: at 80x24 after a run every field of the result
// shows (median, img/s, p10, p90, min, IQR, runs, kernel set) wherever the
// cursor is; knobs far from the cursor give way, counted in the title.
// All 17 knobs stayed and the run was cut to its first three lines, so
// min, IQR, the run count and the kernel set could never be seen.
func TestRunResultWhole(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {100, 24}, {120, 40}} {
		for _, cur := range []knobID{kDesign, kInput, kKernels} {
			m := newTestModel(t, fakeMeasurer{}, sz[0], sz[1])
			send(t, m, "r")
			atKnob(t, m, cur)
			var left []string
			for _, l := range strings.Split(body(m), "\n")[1:] {
				left = append(left, strings.TrimRight(string([]rune(l)[:m.explore.leftWidth()]), " "))
			}
			res := m.explore.current().m.Result
			text := strings.Join(left, "\n")
			for _, want := range []string{"latency ", "img/s", "p10 ", "p90 ", "min ", "IQR ", fmt.Sprintf("%d runs", res.Iters), res.Fingerprint.Kernels, "▸ " + knobLabels[cur]} {
				if !strings.Contains(text, want) {
					t.Errorf("%dx%d cursor at %s: %q is not on screen:\n%s", sz[0], sz[1], knobLabels[cur], want, text)
				}
			}
			shown := 0
			for _, l := range left {
				if strings.HasPrefix(l, "  ") || strings.HasPrefix(l, "▸ ") {
					shown++
				}
			}
			if title := left[0]; shown < int(numKnobs) && !strings.ContainsAny(title, "↑↓") {
				t.Errorf("%dx%d: %d knobs shown, the title does not count the others: %q", sz[0], sz[1], shown, title)
			}
		}
	}
}
