package cudnn

import (
	"strings"
	"testing"
)

// TestPlatformSupport: Linux on amd64/arm64 may load the libraries; every
// other platform gets a reason naming itself.
func TestPlatformSupport(t *testing.T) {
	for _, tc := range []struct {
		goos, goarch string
		ok           bool
	}{
		{"linux", "amd64", true}, {"linux", "arm64", true},
		{"darwin", "arm64", false}, {"darwin", "amd64", false}, {"windows", "amd64", false}, {"linux", "riscv64", false},
	} {
		err := platformSupport(tc.goos, tc.goarch)
		if (err == nil) != tc.ok || (err != nil && !strings.Contains(err.Error(), tc.goos+"/"+tc.goarch)) {
			t.Errorf("%s/%s: %v", tc.goos, tc.goarch, err)
		}
	}
}
