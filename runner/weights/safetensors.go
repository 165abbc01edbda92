package weights

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/internal/safefile"
)

// maxHeader bounds the JSON header of a safetensors file (the reference
// implementation's limit is 100 MB; safetensors/src/tensor.rs MAX_HEADER_SIZE).
const maxHeader = 100 << 20

// stEntry is one tensor of a safetensors header.
type stEntry struct {
	DType       string   `json:"dtype"`
	Shape       []int64  `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// dtypeSize returns the element size of a supported dtype, or 0.
func dtypeSize(dt string) int64 {
	switch dt {
	case "F32":
		return 4
	case "F64":
		return 8
	case "F16", "BF16":
		return 2
	case "I64":
		return 8
	case "I32":
		return 4
	case "I16":
		return 2
	case "I8", "U8", "BOOL":
		return 1
	}
	return 0
}

// Read loads a safetensors file: its tensors (F32, or F64/F16/BF16 and the
// integer types I64/I32/I16/I8/U8/BOOL converted to float32, so that
// PyTorch's int64 num_batches_tracked entries load) and its
// "__metadata__" strings. The path must be a regular file (a named pipe or
// a device is refused without being opened for reading) of at most limit
// bytes, checked from its size before anything is read; [MaxFileBytes]
// gives the limit for a design.
func Read(path string, limit int64) (Set, map[string]string, error) {
	data, err := safefile.ReadFile(path, limit, "safetensors file")
	if err != nil {
		return nil, nil, fmt.Errorf("read safetensors: %w", err)
	}
	s, meta, err := Decode(data)
	if err != nil {
		return nil, nil, fmt.Errorf("read safetensors %s: %w", path, err)
	}
	return s, meta, nil
}

// headerAllowance bounds a file's header and padding for [MaxFileBytes]:
// a fixed part plus a part per tensor (names, dtypes, shapes and offsets
// of a torchvision state_dict take about 100 bytes per tensor).
const (
	headerAllowanceFixed     = 1 << 20
	headerAllowancePerTensor = 1 << 10
)

// MaxFileBytes is the largest safetensors file that can hold g's weights:
// every tensor [Expected] lists plus the graph's input and output (a
// --save-io file carries both) at the widest dtype read (8 bytes per
// element, F64 or I64), one BN batch counter per batch norm, and a header
// allowance. A bigger file cannot fit the design and is refused before it
// is read.
func MaxFileBytes(g *arch.Graph) int64 {
	var elems, tensors int64
	for _, sp := range Expected(g) {
		n := int64(1)
		for _, d := range sp.Shape {
			n *= int64(d)
		}
		elems += n
		tensors++
	}
	elems += g.Tensors[g.Input].Shape.Elems() + g.Tensors[g.Output].Shape.Elems()
	tensors += 2 + tensors/4 // input, output, num_batches_tracked of each BN (4 tensors)
	return 8*elems + 8*tensors + headerAllowanceFixed + headerAllowancePerTensor*tensors
}

// Decode parses the bytes of a safetensors file: an 8-byte little-endian
// header length, a JSON header {name: {dtype, shape, data_offsets}} with an
// optional "__metadata__" object of strings, then the raw little-endian
// data, offsets relative to its start. Malformed input gives an error,
// never a panic.
func Decode(data []byte) (Set, map[string]string, error) {
	if len(data) < 8 {
		return nil, nil, fmt.Errorf("file too short (%d bytes) for the 8-byte header length", len(data))
	}
	n := binary.LittleEndian.Uint64(data[:8])
	if n > maxHeader || n > uint64(len(data)-8) {
		return nil, nil, fmt.Errorf("header length %d exceeds the file (%d bytes) or the %d-byte limit", n, len(data), maxHeader)
	}
	head := data[8 : 8+n]
	body := data[8+n:]
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(head, &raw); err != nil {
		return nil, nil, fmt.Errorf("header is not a JSON object: %w", err)
	}
	meta := map[string]string{}
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, fmt.Errorf("__metadata__ is not an object of strings: %w", err)
		}
		delete(raw, "__metadata__")
	}
	if name, dup := duplicateKey(head); dup {
		return nil, nil, fmt.Errorf("tensor %q is named twice in the header (the format allows each name once)", name)
	}
	type span struct {
		name       string
		dtype      string
		shape      []int
		elems      int64
		begin, end int64
	}
	// Every entry is checked, and the spans against each other, before
	// any tensor is decoded: entries sharing their bytes could otherwise
	// make a small file decode into gigabytes.
	spans := make([]span, 0, len(raw))
	for name, msg := range raw {
		var e stEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, nil, fmt.Errorf("tensor %q: bad header entry: %w", name, err)
		}
		size := dtypeSize(e.DType)
		if size == 0 {
			return nil, nil, fmt.Errorf("tensor %q: unsupported dtype %q (want F32, F64, F16, BF16, I64, I32, I16, I8, U8 or BOOL)", name, e.DType)
		}
		elems := int64(1)
		shape := make([]int, len(e.Shape))
		for i, d := range e.Shape {
			if d < 0 || (d > 0 && elems > math.MaxInt32/d) {
				return nil, nil, fmt.Errorf("tensor %q: bad shape %v", name, e.Shape)
			}
			elems *= d
			shape[i] = int(d)
		}
		b, end := e.DataOffsets[0], e.DataOffsets[1]
		if b < 0 || end < b || end > int64(len(body)) {
			return nil, nil, fmt.Errorf("tensor %q: data offsets [%d, %d] outside the %d data bytes", name, b, end, len(body))
		}
		if end-b != elems*size {
			return nil, nil, fmt.Errorf("tensor %q: %d data bytes for shape %v of %s (%d expected)", name, end-b, e.Shape, e.DType, elems*size)
		}
		spans = append(spans, span{name, e.DType, shape, elems, b, end})
	}
	// By start, then end: an empty tensor (allowed, it holds no bytes)
	// sorts before a tensor starting where it does, and never overlaps.
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].begin != spans[j].begin {
			return spans[i].begin < spans[j].begin
		}
		return spans[i].end < spans[j].end
	})
	var covered int64 // the data section up to here is indexed without a hole
	last := ""
	for _, sp := range spans {
		if sp.begin == sp.end {
			continue
		}
		switch {
		case sp.begin < covered:
			return nil, nil, fmt.Errorf("tensors %q and %q overlap in the data section", last, sp.name)
		case sp.begin > covered:
			return nil, nil, fmt.Errorf("data bytes %d to %d belong to no tensor (the format leaves no holes)", covered, sp.begin)
		}
		covered, last = sp.end, sp.name
	}
	if covered != int64(len(body)) {
		return nil, nil, fmt.Errorf("data bytes %d to %d belong to no tensor (the format leaves no holes)", covered, len(body))
	}
	s := make(Set, len(spans))
	for _, sp := range spans {
		s[sp.name] = Tensor{Shape: sp.shape, Data: convert(body[sp.begin:sp.end], sp.dtype, int(sp.elems))}
	}
	return s, meta, nil
}

// duplicateKey reports the first name the JSON object head holds twice
// (encoding/json keeps the last of duplicate keys without a word). head is
// known to be a JSON object.
func duplicateKey(head []byte) (string, bool) {
	d := json.NewDecoder(bytes.NewReader(head))
	if _, err := d.Token(); err != nil { // {
		return "", false
	}
	seen := map[string]bool{}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return "", false
		}
		k, _ := t.(string)
		if seen[k] {
			return k, true
		}
		seen[k] = true
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return "", false
		}
	}
	return "", false
}

// convert decodes n little-endian elements of dtype dt to float32.
func convert(b []byte, dt string, n int) []float32 {
	out := make([]float32, n)
	switch dt {
	case "F32":
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	case "F64":
		for i := range out {
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])))
		}
	case "BF16":
		for i := range out {
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16)
		}
	case "F16":
		for i := range out {
			out[i] = half(binary.LittleEndian.Uint16(b[2*i:]))
		}
	case "I64":
		for i := range out {
			out[i] = float32(int64(binary.LittleEndian.Uint64(b[8*i:])))
		}
	case "I32":
		for i := range out {
			out[i] = float32(int32(binary.LittleEndian.Uint32(b[4*i:])))
		}
	case "I16":
		for i := range out {
			out[i] = float32(int16(binary.LittleEndian.Uint16(b[2*i:])))
		}
	case "I8":
		for i := range out {
			out[i] = float32(int8(b[i]))
		}
	case "U8", "BOOL":
		for i := range out {
			out[i] = float32(b[i])
		}
	}
	return out
}

// half converts an IEEE 754 binary16 value to float32.
func half(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := int(h>>10) & 0x1f
	frac := uint32(h & 0x3ff)
	switch exp {
	case 0:
		// zero or subnormal: frac * 2^-24
		v := float32(frac) * (1.0 / (1 << 24))
		return math.Float32frombits(math.Float32bits(v) | sign)
	case 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	}
	return math.Float32frombits(sign | uint32(exp-15+127)<<23 | frac<<13)
}

// Encode serialises tensors (as F32, in name order) and metadata in the
// safetensors format; the header is padded with spaces to a multiple of 8.
func Encode(tensors map[string]Tensor, metadata map[string]string) ([]byte, error) {
	names := make([]string, 0, len(tensors))
	for k := range tensors {
		if k == "__metadata__" {
			return nil, fmt.Errorf("tensor name %q is reserved", k)
		}
		names = append(names, k)
	}
	sort.Strings(names)
	head := map[string]any{}
	if len(metadata) > 0 {
		head["__metadata__"] = metadata
	}
	var off int64
	for _, k := range names {
		t := tensors[k]
		if len(t.Data) != t.Elems() {
			return nil, fmt.Errorf("tensor %q: %d values for shape %v", k, len(t.Data), t.Shape)
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		n := int64(4 * len(t.Data))
		head[k] = map[string]any{"dtype": "F32", "shape": shape, "data_offsets": [2]int64{off, off + n}}
		off += n
	}
	hj, err := json.Marshal(head)
	if err != nil {
		return nil, fmt.Errorf("encode safetensors header: %w", err)
	}
	for len(hj)%8 != 0 {
		hj = append(hj, ' ')
	}
	var buf bytes.Buffer
	buf.Grow(8 + len(hj) + int(off))
	var n8 [8]byte
	binary.LittleEndian.PutUint64(n8[:], uint64(len(hj)))
	buf.Write(n8[:])
	buf.Write(hj)
	var b4 [4]byte
	for _, k := range names {
		for _, v := range tensors[k].Data {
			binary.LittleEndian.PutUint32(b4[:], math.Float32bits(v))
			buf.Write(b4[:])
		}
	}
	return buf.Bytes(), nil
}

// Write saves tensors and metadata to a safetensors file at path,
// atomically (temporary file, sync, rename: a failed write leaves an
// existing file intact); a symbolic link at path is refused unless opts
// force it.
func Write(path string, tensors map[string]Tensor, metadata map[string]string, opts ...safefile.Option) error {
	data, err := Encode(tensors, metadata)
	if err != nil {
		return fmt.Errorf("write safetensors %s: %w", path, err)
	}
	if err := safefile.WriteFile(path, data, opts...); err != nil {
		return fmt.Errorf("write safetensors: %w", err)
	}
	return nil
}
