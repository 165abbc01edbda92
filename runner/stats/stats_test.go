package stats

import (
	"math"
	"testing"
)

// Expected values are computed by hand with the rank rule h = (n-1)*p/100
// (the same as numpy.percentile's default "linear" method, e.g.
// np.percentile([1,2,3,4], [10,25,50,75,90]) = [1.3, 1.75, 2.5, 3.25, 3.7]).
func TestSummarize(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want Summary
	}{
		{
			// sorted 1,2,3,4: p10 h=0.3 -> 1.3; p25 h=0.75 -> 1.75; p50 h=1.5 -> 2.5;
			// p75 h=2.25 -> 3.25; p90 h=2.7 -> 3.7; mean 10/4; var (2.25+0.25+0.25+2.25)/3 = 5/3.
			name: "four",
			in:   []float64{4, 1, 3, 2},
			want: Summary{N: 4, Median: 2.5, Min: 1, Max: 4, P10: 1.3, P25: 1.75, P75: 3.25, P90: 3.7, IQR: 1.5, Mean: 2.5, Stddev: math.Sqrt(5.0 / 3)},
		},
		{
			// sorted 1,3,5,7,9: p10 h=0.4 -> 1+0.4*2 = 1.8; p25 h=1 -> 3; p50 h=2 -> 5;
			// p75 h=3 -> 7; p90 h=3.6 -> 7+0.6*2 = 8.2; var (16+4+0+4+16)/4 = 10.
			name: "five odd",
			in:   []float64{7, 1, 3, 5, 9},
			want: Summary{N: 5, Median: 5, Min: 1, Max: 9, P10: 1.8, P25: 3, P75: 7, P90: 8.2, IQR: 4, Mean: 5, Stddev: math.Sqrt(10)},
		},
		{
			// 10,20: p10 h=0.1 -> 11; p25 h=0.25 -> 12.5; p75 -> 17.5; p90 -> 19; var (25+25)/1.
			name: "two",
			in:   []float64{20, 10},
			want: Summary{N: 2, Median: 15, Min: 10, Max: 20, P10: 11, P25: 12.5, P75: 17.5, P90: 19, IQR: 5, Mean: 15, Stddev: math.Sqrt(50)},
		},
		{
			// a single sample is every percentile; no spread.
			name: "one",
			in:   []float64{42},
			want: Summary{N: 1, Median: 42, Min: 42, Max: 42, P10: 42, P25: 42, P75: 42, P90: 42, IQR: 0, Mean: 42, Stddev: 0},
		},
		{
			name: "empty",
			in:   nil,
			want: Summary{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orig := append([]float64(nil), tc.in...)
			got := Summarize(tc.in)
			if !near(got, tc.want) {
				t.Errorf("Summarize(%v) = %+v, want %+v", orig, got, tc.want)
			}
			for i := range orig {
				if tc.in[i] != orig[i] {
					t.Fatalf("Summarize modified its input: %v, was %v", tc.in, orig)
				}
			}
		})
	}
}

func near(a, b Summary) bool {
	eq := func(x, y float64) bool { return math.Abs(x-y) <= 1e-12*math.Max(1, math.Abs(y)) }
	return a.N == b.N && eq(a.Median, b.Median) && eq(a.Min, b.Min) && eq(a.Max, b.Max) &&
		eq(a.P10, b.P10) && eq(a.P25, b.P25) && eq(a.P75, b.P75) && eq(a.P90, b.P90) &&
		eq(a.IQR, b.IQR) && eq(a.Mean, b.Mean) && eq(a.Stddev, b.Stddev)
}

func TestPercentile(t *testing.T) {
	xs := []float64{30, 10, 20, 40} // sorted 10,20,30,40; h = 3p/100
	tests := []struct {
		p, want float64
	}{
		{0, 10},
		{100, 40},
		{-5, 10},   // clamped to 0
		{150, 40},  // clamped to 100
		{50, 25},   // h=1.5
		{20, 16},   // h=0.6 -> 10+0.6*10
		{95, 38.5}, // h=2.85 -> 30+0.85*10
	}
	for _, tc := range tests {
		if got := Percentile(xs, tc.p); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Percentile(%v, %v) = %v, want %v", xs, tc.p, got, tc.want)
		}
	}
	if got := Percentile(nil, 50); !math.IsNaN(got) {
		t.Errorf("Percentile(nil) = %v, want NaN", got)
	}
	if got := Median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("Median(3,1,2) = %v, want 2", got)
	}
	// 1..8: p25 h=1.75 -> 2.75, p75 h=5.25 -> 6.25, IQR 3.5.
	if got := IQR([]float64{8, 7, 6, 5, 4, 3, 2, 1}); math.Abs(got-3.5) > 1e-12 {
		t.Errorf("IQR(1..8) = %v, want 3.5", got)
	}
}
