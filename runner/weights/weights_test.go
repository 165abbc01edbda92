package weights

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/internal/safefile"
)

func build(t *testing.T, s arch.Spec) *arch.Graph {
	t.Helper()
	g, err := arch.Build(s)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestExpectedParams checks Expected against torchvision's parameter counts
// (design.md section 5: 1,366,792 / 2,278,604 for shufflenet_v2_x0_5 / x1_0):
// trainable parameters are every expected tensor except BN running stats.
func TestExpectedParams(t *testing.T) {
	for _, tc := range []struct {
		width float64
		want  int
	}{{0.5, 1366792}, {1.0, 2278604}} {
		g := build(t, arch.Spec{Family: arch.ShuffleNetV2, Width: tc.width})
		n := 0
		for _, sp := range Expected(g) {
			if strings.HasSuffix(sp.Name, ".running_mean") || strings.HasSuffix(sp.Name, ".running_var") {
				continue
			}
			e := 1
			for _, d := range sp.Shape {
				e *= d
			}
			n += e
		}
		if n != tc.want {
			t.Errorf("width %v: %d params, want %d", tc.width, n, tc.want)
		}
	}
}

// TestExpectedNames spot-checks torchvision names and shapes of
// shufflenet_v2_x1_0 (torchvision/models/shufflenetv2.py: conv1.0 is
// Conv2d(3, 24, 3), stage2.0.branch1.0 the 24-channel depthwise conv, fc
// Linear(1024, 1000)).
func TestExpectedNames(t *testing.T) {
	g := build(t, arch.Spec{Family: arch.ShuffleNetV2})
	got := map[string][]int{}
	for _, sp := range Expected(g) {
		got[sp.Name] = sp.Shape
	}
	for name, shape := range map[string][]int{
		"conv1.0.weight":                  {24, 3, 3, 3},
		"conv1.1.running_var":             {24},
		"stage2.0.branch1.0.weight":       {24, 1, 3, 3},
		"stage2.0.branch2.0.weight":       {58, 24, 1, 1},
		"stage4.3.branch2.5.weight":       {232, 232, 1, 1},
		"conv5.0.weight":                  {1024, 464, 1, 1},
		"fc.weight":                       {1000, 1024},
		"fc.bias":                         {1000},
		"stage3.7.branch2.4.running_mean": {116},
	} {
		if !slices.Equal(got[name], shape) {
			t.Errorf("%s: shape %v, want %v", name, got[name], shape)
		}
	}
}

func TestRandomDeterministicAndChecks(t *testing.T) {
	g := build(t, arch.Spec{Family: arch.MobileNetV2, Width: 0.35, Res: 64})
	a, b := Random(g, 7), Random(g, 7)
	c := Random(g, 8)
	if err := a.Check(g); err != nil {
		t.Fatal(err)
	}
	same, diff := true, false
	for k, v := range a {
		if !slices.Equal(v.Data, b[k].Data) {
			same = false
		}
		if !slices.Equal(v.Data, c[k].Data) {
			diff = true
		}
	}
	if !same || !diff {
		t.Errorf("seeded init: same seed equal %v, other seed differs %v", same, diff)
	}
	// Ranges promised by Random's doc comment.
	for k, v := range a {
		for _, x := range v.Data {
			switch {
			case strings.HasSuffix(k, ".running_var") && (x < 0.5 || x >= 2):
				t.Fatalf("%s value %v outside [0.5, 2)", k, x)
			case strings.HasSuffix(k, "conv.1.weight") && len(v.Shape) == 1 && (x < 0.5 || x >= 1.5):
				t.Fatalf("%s gamma %v outside [0.5, 1.5)", k, x)
			}
		}
	}
}

func TestCheckErrors(t *testing.T) {
	g := build(t, arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Res: 64, Classes: 10})
	for _, tc := range []struct {
		name   string
		mutate func(Set)
		want   []string
	}{
		{"shape", func(s Set) { s["fc.weight"] = Tensor{Shape: []int{10, 3}, Data: make([]float32, 30)} }, []string{`"fc.weight"`, "[10 3]", "[10 1024]"}},
		{"missing", func(s Set) { delete(s, "conv5.1.running_var") }, []string{"missing", "conv5.1.running_var [1024]"}},
		{"extra", func(s Set) { s["foo.weight"] = Tensor{Shape: []int{1}, Data: []float32{1}} }, []string{"unexpected", "foo.weight"}},
		// A name from the file with an escape sequence is printed escaped,
		// never sent to the terminal as is.
		{"extra odd name", func(s Set) { s["a\x1b[31m\nb"] = Tensor{Shape: []int{1}, Data: []float32{1}} }, []string{"unexpected", `"a\x1b[31m\nb"`}},
		{"short data", func(s Set) { s["fc.bias"] = Tensor{Shape: []int{10}, Data: make([]float32, 9)} }, []string{`"fc.bias"`, "9 values"}},
		{"batches tracked ignored", func(s Set) { s["conv1.1.num_batches_tracked"] = Tensor{Shape: []int{}, Data: []float32{3}} }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Random(g, 1)
			tc.mutate(s)
			err := s.Check(g)
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestSafetensorsRoundTrip(t *testing.T) {
	in := Set{
		"a.weight": {Shape: []int{2, 3}, Data: []float32{1, -2, 3.5, 0, float32(math.Inf(1)), 1e-30}},
		"b":        {Shape: []int{}, Data: []float32{42}},
		"empty":    {Shape: []int{0, 4}, Data: []float32{}},
	}
	meta := map[string]string{"format": "pt", "spec": `{"family":"shufflenetv2"}`}
	path := filepath.Join(t.TempDir(), "x.safetensors")
	if err := Write(path, in, meta); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if n := binary.LittleEndian.Uint64(raw); n%8 != 0 {
		t.Errorf("header length %d not a multiple of 8", n)
	}
	out, m, err := Read(path, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if m["spec"] != meta["spec"] || m["format"] != "pt" {
		t.Errorf("metadata %v", m)
	}
	for k, v := range in {
		if !slices.Equal(out[k].Shape, v.Shape) || !slices.Equal(out[k].Data, v.Data) {
			t.Errorf("%s: got %v %v, want %v %v", k, out[k].Shape, out[k].Data, v.Shape, v.Data)
		}
	}
}

// TestReadBounded: a file over the cap is refused from its size before it
// is read (--weights of a huge file), a device or a named pipe is refused
// as not a regular file (--weights /dev/zero grew without limit), and
// MaxFileBytes of a design admits that design's --save-io file.
func TestReadBounded(t *testing.T) {
	g, err := arch.Build(arch.Spec{Family: arch.GuideG4, C: 16, Blocks: 2, Res: 8})
	if err != nil {
		t.Fatal(err)
	}
	w := Random(g, 1)
	in := g.Tensors[g.Input].Shape
	w["input"] = Tensor{Shape: []int{in.N, in.C, in.H, in.W}, Data: make([]float32, in.Elems())}
	w["output"] = w["input"]
	path := filepath.Join(t.TempDir(), "io.safetensors")
	if err := Write(path, w, map[string]string{"generator": "test"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Read(path, MaxFileBytes(g)); err != nil {
		t.Errorf("Read of the design's own --save-io file under MaxFileBytes: %v", err)
	}
	st, _ := os.Stat(path)
	if _, _, err := Read(path, st.Size()-1); !errors.Is(err, safefile.ErrTooLarge) {
		t.Errorf("Read over the cap = %v, want ErrTooLarge", err)
	}
	if runtime.GOOS != "windows" {
		if _, _, err := Read("/dev/zero", MaxFileBytes(g)); !errors.Is(err, safefile.ErrNotRegular) {
			t.Errorf("Read(/dev/zero) = %v, want ErrNotRegular", err)
		}
	}
}

// rawFile builds a safetensors file from a literal header and data.
func rawFile(header string, data []byte) []byte {
	b := make([]byte, 8, 8+len(header)+len(data))
	binary.LittleEndian.PutUint64(b, uint64(len(header)))
	return append(append(b, header...), data...)
}

// TestDecodeDTypes checks conversion of F64/F16/BF16 against values whose
// encodings are given by IEEE 754: F16 0x3C00 = 1, 0xC000 = -2, 0x0001 =
// 2^-24 (smallest subnormal), 0x7BFF = 65504; BF16 0x3F80 = 1, 0xC0A0 = -5.
func TestDecodeDTypes(t *testing.T) {
	var data []byte
	data = binary.LittleEndian.AppendUint64(data, math.Float64bits(0.25))
	data = binary.LittleEndian.AppendUint64(data, math.Float64bits(-3))
	for _, h := range []uint16{0x3C00, 0xC000, 0x0001, 0x7BFF} {
		data = binary.LittleEndian.AppendUint16(data, h)
	}
	for _, h := range []uint16{0x3F80, 0xC0A0} {
		data = binary.LittleEndian.AppendUint16(data, h)
	}
	hdr := `{"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"h":{"dtype":"F16","shape":[2,2],"data_offsets":[16,24]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[24,28]}}`
	s, _, err := Decode(rawFile(hdr, data))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string][]float32{"d": {0.25, -3}, "h": {1, -2, 1.0 / (1 << 24), 65504}, "b": {1, -5}} {
		if !slices.Equal(s[k].Data, want) {
			t.Errorf("%s = %v, want %v", k, s[k].Data, want)
		}
	}
}

// TestDecodeIntegers: PyTorch saves BN num_batches_tracked as a 0-d int64
// tensor; integer dtypes load as float32 values.
func TestDecodeIntegers(t *testing.T) {
	var data []byte
	data = binary.LittleEndian.AppendUint64(data, uint64(1<<40))
	data = binary.LittleEndian.AppendUint32(data, uint32(0xFFFFFFFF)) // int32 -1
	data = append(data, 0xFE, 7)                                      // int8 -2, uint8 7
	hdr := `{"bn.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"i":{"dtype":"I32","shape":[1],"data_offsets":[8,12]},"s":{"dtype":"I8","shape":[1],"data_offsets":[12,13]},"u":{"dtype":"U8","shape":[1],"data_offsets":[13,14]}}`
	s, _, err := Decode(rawFile(hdr, data))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]float32{"bn.num_batches_tracked": 1 << 40, "i": -1, "s": -2, "u": 7} {
		if got := s[k].Data; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	ok := `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"short", []byte{1, 2, 3}, "too short"},
		{"huge header", rawFile(ok, make([]byte, 8))[:20], "exceeds"},
		{"not json", rawFile("[1,2", nil), "JSON"},
		{"bad dtype", rawFile(`{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}`, make([]byte, 8)), "dtype"},
		{"offsets out", rawFile(ok, make([]byte, 4)), "outside"},
		{"size mismatch", rawFile(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, make([]byte, 8)), "expected"},
		{"negative dim", rawFile(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}`, nil), "bad shape"},
		{"overlap", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), "overlap"},
		{"bad metadata", rawFile(`{"__metadata__":{"x":1}}`, nil), "__metadata__"},
		// The safetensors format (huggingface/safetensors README, Notes):
		// duplicate keys are disallowed, the data section has no holes.
		{"duplicate name", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}`, make([]byte, 16)), `"a" is named twice`},
		{"hole", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), "bytes 0 to 4 belong to no tensor"},
		{"trailing bytes", rawFile(ok, make([]byte, 12)), "bytes 8 to 12 belong to no tensor"},
		{"entry not object", rawFile(`{"a":5}`, nil), `"a"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Decode(tc.file)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestDecodeSharedBytesRefusedFirst: 2000 tensors that all point at the
// same 2000 bytes (a 100 kB file) were each decoded before the overlap
// was found, 16 MB here and 240 GB for a 4 MB file (audit); the spans are
// now checked before anything is decoded.
func TestDecodeSharedBytesRefusedFirst(t *testing.T) {
	var h strings.Builder
	h.WriteString("{")
	for i := range 2000 {
		if i > 0 {
			h.WriteString(",")
		}
		fmt.Fprintf(&h, `"t%d":{"dtype":"U8","shape":[2000],"data_offsets":[0,2000]}`, i)
	}
	h.WriteString("}")
	file := rawFile(h.String(), make([]byte, 2000))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := Decode(file)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "overlap") {
		t.Fatalf("error %v, want an overlap", err)
	}
	// Parsing the header costs a few times its size; decoding every
	// tensor would cost 2000 x 8000 bytes.
	if got := after.TotalAlloc - before.TotalAlloc; got > 32*uint64(len(file)) {
		t.Errorf("allocated %d bytes for a %d-byte file before refusing it", got, len(file))
	}
}

// TestDecodeEmptyTensor: a tensor with a 0 dimension holds no bytes and
// is allowed (safetensors README); one starting where another tensor
// starts was refused as an overlap about one time in five (map order).
func TestDecodeEmptyTensor(t *testing.T) {
	file := rawFile(`{"empty":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`,
		[]byte{0, 0, 128, 63, 0, 0, 0, 64}) // 1.0, 2.0
	for range 50 {
		s, _, err := Decode(file)
		if err != nil {
			t.Fatal(err)
		}
		if x := s["x"].Data; len(x) != 2 || x[0] != 1 || x[1] != 2 || len(s["empty"].Data) != 0 {
			t.Fatalf("decoded %+v", s)
		}
	}
}

// FuzzRead feeds arbitrary bytes to Decode: it must return an error or a
// consistent set, never panic.
func FuzzRead(f *testing.F) {
	valid, err := Encode(Set{"w": {Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}}}, map[string]string{"k": "v"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(rawFile(`{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}`, []byte{0, 0x3c}))
	f.Add(rawFile(`{"a":{"dtype":"F32","shape":[0,99999999999],"data_offsets":[0,0]}}`, nil))
	f.Add([]byte{255, 255, 255, 255, 255, 255, 255, 255})
	f.Add(rawFile(`{"__metadata__":{"a":"b"}}`, nil))
	if b, err := os.ReadFile("../testdata/snv1_small.safetensors"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, _, err := Decode(data)
		if err != nil {
			return
		}
		for k, v := range s {
			if len(v.Data) != v.Elems() {
				t.Fatalf("%s: %d values for shape %v", k, len(v.Data), v.Shape)
			}
		}
	})
}

// TestAnomalies: NaN and infinite values in any tensor and a negative
// running_var are reported by tensor name; a clean set reports nothing.
func TestAnomalies(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	s := Set{
		"conv1.0.weight":       {Shape: []int{3}, Data: []float32{1, nan, inf}},
		"conv1.1.running_var":  {Shape: []int{3}, Data: []float32{1, -0.5, 2}},
		"conv1.1.running_mean": {Shape: []int{2}, Data: []float32{-1, -2}}, // negative means are fine
		"fc.bias":              {Shape: []int{1}, Data: []float32{0}},
	}
	got := s.Anomalies()
	if len(got) != 2 {
		t.Fatalf("Anomalies = %q, want 2 messages", got)
	}
	if !strings.Contains(got[0], `"conv1.0.weight"`) || !strings.Contains(got[0], "1 NaN") || !strings.Contains(got[0], "1 infinite") || !strings.Contains(got[0], "index 1") {
		t.Errorf("message %q, want the tensor, 1 NaN, 1 infinite and the first index 1", got[0])
	}
	if !strings.Contains(got[1], `"conv1.1.running_var"`) || !strings.Contains(got[1], "1 negative") {
		t.Errorf("message %q, want the running_var and 1 negative", got[1])
	}
	g, err := arch.Build(arch.Spec{Family: arch.GuideG4, C: 16, Blocks: 1, Res: 4})
	if err != nil {
		t.Fatal(err)
	}
	if a := Random(g, 1).Anomalies(); len(a) != 0 {
		t.Errorf("random weights report %q", a)
	}
}

// TestRandomContext: RandomContext draws what Random draws, and stops with
// the context's error once it has ended (Random took a wide design's
// seconds of drawing whatever the user pressed).
func TestRandomContext(t *testing.T) {
	g := build(t, arch.Spec{Width: 0.5, Res: 32, Depths: []int{1, 1, 1}})
	got, err := RandomContext(context.Background(), g, 7)
	if err != nil {
		t.Fatal(err)
	}
	want := Random(g, 7)
	if len(got) != len(want) {
		t.Fatalf("%d tensors, want %d", len(got), len(want))
	}
	for name, w := range want {
		if !slices.Equal(got[name].Data, w.Data) || !slices.Equal(got[name].Shape, w.Shape) {
			t.Errorf("%s differs from Random's", name)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if s, err := RandomContext(ctx, g, 7); !errors.Is(err, context.Canceled) || s != nil {
		t.Errorf("cancelled: %d tensors, %v; want none and context.Canceled", len(s), err)
	}
}
