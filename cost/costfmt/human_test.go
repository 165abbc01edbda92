package costfmt

import "testing"

// The expected strings are the decimal and binary unit arithmetic worked by
// hand: 1e9 = 1.00G, 146e6 = 146.00M, 2345 = 2.3k (one decimal for k);
// 1<<30 = 1 GiB, 3<<19 = 1.5 MiB, 1536 = 1.5 KiB.
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
	} {
		if got := Count(tc.in); got != tc.want {
			t.Errorf("Count(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBytes(t *testing.T) {
	for _, tc := range []struct {
		in          int64
		want, short string
	}{
		{512, "512 B", "512 B"},
		{1536, "1.5 KiB", "1.5 KiB"},
		{3 << 19, "1.50 MiB", "1.5 MiB"},
		{1<<20 + 1<<20/8, "1.12 MiB", "1.1 MiB"}, // 1.125 MiB is exact in binary: %.2f rounds the half to even, %.1f to the nearer 1.1
		{1 << 30, "1.00 GiB", "1.00 GiB"},
	} {
		if got := Bytes(tc.in); got != tc.want {
			t.Errorf("Bytes(%d) = %q, want %q", tc.in, got, tc.want)
		}
		if got := BytesShort(tc.in); got != tc.short {
			t.Errorf("BytesShort(%d) = %q, want %q", tc.in, got, tc.short)
		}
	}
}
