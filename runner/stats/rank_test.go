package stats

import (
	"errors"
	"math"
	"testing"
)

const tol = 1e-12

// rankCase is a pair of samples and the value a rank statistic must give.
type rankCase struct {
	name string
	x, y []float64
	want float64
}

// checkRankStat checks stat (named name in messages) on every case: the
// value within tol of want, and the same value with x and y swapped (rank
// correlations are symmetric in their arguments).
func checkRankStat(t *testing.T, name string, stat func(x, y []float64) (float64, error), tests []rankCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := stat(tt.x, tt.y)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tt.want) > tol {
				t.Errorf("%s = %.15g, want %.15g", name, got, tt.want)
			}
			back, err := stat(tt.y, tt.x)
			if err != nil || math.Abs(back-got) > tol {
				t.Errorf("%s(y, x) = %v, %v; want %v", name, back, err, got)
			}
		})
	}
}

func TestSpearman(t *testing.T) {
	checkRankStat(t, "Spearman", Spearman, []rankCase{
		// A strictly increasing transform keeps every rank: rho = 1.
		{"monotone", []float64{1, 2, 3, 4, 5}, []float64{1, 4, 9, 16, 25}, 1},
		// Reversed order: rho = -1.
		{"anti-monotone", []float64{1, 2, 3, 4, 5}, []float64{10, 8, 6, 4, 2}, -1},
		// Two points that agree: rho = 1 (the smallest defined case).
		{"two points", []float64{0, 1}, []float64{3, 7}, 1},
		// Wikipedia, "Spearman's rank correlation coefficient", worked
		// example (IQ vs hours of TV per week, no ties): sum d^2 = 194,
		// rho = 1 - 6*194/(10*99) = -29/165.
		{"wikipedia IQ vs TV",
			[]float64{106, 100, 86, 101, 99, 103, 97, 113, 112, 110},
			[]float64{7, 27, 2, 50, 28, 29, 20, 12, 6, 17},
			-29.0 / 165},
		// The scipy.stats.spearmanr documentation example, by hand: ranks of
		// y are [1 2 3.5 5 3.5]; deviations from the mean rank 3 give
		// sum dx*dy = 8, sum dx^2 = 10, sum dy^2 = 9.5, rho = 8/sqrt(95)
		// = 0.82078..., the value scipy prints.
		{"scipy doc, tie in y", []float64{1, 2, 3, 4, 5}, []float64{5, 6, 7, 8, 7}, 8 / math.Sqrt(95)},
		// Ties in both, by hand: ranks x = [1 2.5 2.5 4], y = [1 2 3.5 3.5];
		// sum dx*dy = 3.75, sum dx^2 = sum dy^2 = 4.5, rho = 5/6. The
		// no-ties shortcut 1 - 6 sum d^2/(n(n^2-1)) would give 0.85 instead.
		{"ties in both", []float64{1, 2, 2, 3}, []float64{1, 2, 3, 3}, 5.0 / 6},
	})
}

func TestKendallTauB(t *testing.T) {
	checkRankStat(t, "KendallTauB", KendallTauB, []rankCase{
		{"monotone", []float64{1, 2, 3, 4, 5}, []float64{1, 4, 9, 16, 25}, 1},
		{"anti-monotone", []float64{1, 2, 3, 4, 5}, []float64{10, 8, 6, 4, 2}, -1},
		// Pairs (0,1) and (0,2) concordant, (1,2) discordant: (2-1)/3.
		{"one swap", []float64{1, 2, 3}, []float64{1, 3, 2}, 1.0 / 3},
		// One pair tied in y only, by hand: 2 concordant pairs, 1 tied in y;
		// tau_b = 2/sqrt(3*2).
		{"one tie in y", []float64{1, 2, 3}, []float64{1, 1, 2}, 2 / math.Sqrt(6)},
		// The scipy.stats.kendalltau documentation example, counted by
		// hand: P = 2, Q = 6, T = 1 (pair 1,4 tied in x only), U = 0, and
		// pair 0,3 tied in both; tau_b = -4/sqrt(9*8) = -0.47140452...,
		// the value scipy prints.
		{"scipy doc, ties", []float64{12, 2, 1, 12, 2}, []float64{1, 4, 7, 1, 0}, -4 / math.Sqrt(72)},
		// By hand: 4 concordant pairs, 1 tied only in x, 1 tied only in y:
		// tau_b = 4/sqrt(5*5) = 0.8 (tau-a would give 4/6).
		{"ties in both", []float64{1, 2, 2, 3}, []float64{1, 2, 3, 3}, 0.8},
	})
}

// Rank statistics see only the order: a strictly increasing transform of
// either variable must not change them.
func TestRankInvariance(t *testing.T) {
	x := []float64{3, 1, 4, 1, 5, 9, 2, 6}
	y := []float64{2, 7, 1, 8, 2, 8, 1, 8}
	ex := make([]float64, len(x))
	for i, v := range x {
		ex[i] = math.Exp(v) + 100
	}
	for name, f := range map[string]func(a, b []float64) (float64, error){
		"spearman": Spearman, "kendall": KendallTauB,
	} {
		a, err1 := f(x, y)
		b, err2 := f(ex, y)
		if err1 != nil || err2 != nil || math.Abs(a-b) > tol {
			t.Errorf("%s: %v (%v) vs transformed %v (%v)", name, a, err1, b, err2)
		}
	}
}

func TestRankErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name string
		x, y []float64
		want error
	}{
		{"length mismatch", []float64{1, 2, 3}, []float64{1, 2}, ErrLengthMismatch},
		{"empty", nil, nil, ErrTooFewPoints},
		{"one point", []float64{1}, []float64{2}, ErrTooFewPoints},
		{"NaN in x", []float64{1, nan, 3}, []float64{1, 2, 3}, ErrNotFinite},
		{"Inf in y", []float64{1, 2, 3}, []float64{1, inf, 3}, ErrNotFinite},
		{"constant x", []float64{2, 2, 2}, []float64{1, 2, 3}, ErrConstant},
		{"constant y", []float64{1, 2, 3}, []float64{5, 5, 5}, ErrConstant},
	}
	for _, tt := range tests {
		for name, f := range map[string]func(a, b []float64) (float64, error){
			"spearman": Spearman, "kendall": KendallTauB,
		} {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				got, err := f(tt.x, tt.y)
				if !errors.Is(err, tt.want) {
					t.Fatalf("got %v, %v; want error %v", got, err, tt.want)
				}
			})
		}
	}
}

func TestAverageRanks(t *testing.T) {
	// 5 is smallest (rank 1); the two 20s share ranks 3 and 4 -> 3.5.
	got := averageRanks([]float64{10, 20, 20, 5})
	want := []float64{2, 3.5, 3.5, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("averageRanks = %v, want %v", got, want)
		}
	}
}
