package costfmt

import "testing"

// The expected strings are the decimal and binary unit arithmetic worked by
// hand: 1e9 = 1.00G, 146e6 = 146.00M, 2345 = 2.3k (one decimal for k);
// 1536 = 1.5 KiB, 3<<19 = 1.5 MiB, 768<<20 = 768 MiB, 12.5 GiB = 25<<29.
func TestCount(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{0, "0"},
		{999, "999"},
		{1000, "1.0k"},
		{2345, "2.3k"},
		{146_000_000, "146.00M"},
		{1_000_000_000, "1.00G"},
		{97_184_448_512, "97.18G"},
		// The unit keeps the rounded value below 1000: 999,950 (g1 c1=25
		// c2=19999 blocks=1 res=1) printed "1000.0k".
		{999_950, "1.00M"},
		{999_949, "999.9k"},
		{999_995_000, "1.00G"},
		{999_994_999, "999.99M"},
		// Past G: T, P and E (res 8192 batch 1500 width 16 printed
		// "71343883.62G" MAdds).
		{71_343_883_620_000, "71.34T"},
		{999_999_999_999_999, "1.00P"},
		{9_223_372_036_854_775_807, "9.22E"},
		{-2345, "-2.3k"},
	} {
		if got := Count(tc.in); got != tc.want {
			t.Errorf("Count(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBytes(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{0, "0 B"},
		{512, "512 B"},
		{1536, "1.5 KiB"},
		{3 << 19, "1.5 MiB"},
		{768 << 20, "768 MiB"},
		{72_655_696, "69.29 MiB"}, // ShuffleNetV2 1.0x MAC x 4 bytes (README): 72655696 / 2^20 = 69.2899...
		{25 << 29, "12.5 GiB"},
		{3 << 40, "3 TiB"},
		{1<<20 - 1, "1 MiB"}, // 1023.999 KiB rounds to 1024: the next unit
		{1<<20 - 6, "1023.99 KiB"},
		{9_223_372_036_854_775_807, "8 EiB"},
	} {
		if got := Bytes(tc.in); got != tc.want {
			t.Errorf("Bytes(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMillisAndSpeed(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{218.44, "218.4"}, {3.0714, "3.071"}, {0, "0.000"}, {0.03051, "0.0305"},
	} {
		if got := Millis(tc.in); got != tc.want {
			t.Errorf("Millis(%g) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{1234.4, "1234"}, {325.2, "325"}, {41.66, "41.7"}, {0.5, "0.5"},
	} {
		if got := Speed(tc.in); got != tc.want {
			t.Errorf("Speed(%g) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
