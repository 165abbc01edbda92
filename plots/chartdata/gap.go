package chartdata

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/cost/costfmt"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/calib"
	"github.com/shufflelab/explorer/runner/stats"
	"github.com/shufflelab/explorer/runner/sweep"
)

// Point is one measured design as the gap chart and its point list show
// it: the design, how and where it was measured, its analytic cost and its
// median latency. Build points with [PointFromRow] (sweep files) or
// [PointFromResult] (the history file, a run of the interactive explorer).
type Point struct {
	Label  string      `json:"label"`            // short label for a chart, see [PointLabel]
	Design string      `json:"design"`           // arch.Spec.String(): identifies the design
	Preset string      `json:"preset,omitempty"` // the preset it came from, where the design is that preset's ([PresetOf])
	Family arch.Family `json:"family"`
	// Key identifies the design: arch.Spec.Key of its spec (a sweep row's
	// Key, or set by [PointFromResult]). Design is a title for people; two
	// designs may share it in old files. Empty only in points read from
	// elsewhere (see [Point.DesignKey]).
	Key string `json:"key,omitempty"`
	// Host is the machine's key (calib.HostKey), HostName its readable
	// name (calib.HostName).
	Host     string `json:"host"`
	HostName string `json:"host_name"`
	Backend  string `json:"backend"` // "native", "cudnn"
	// Kernels is the kernel set the point was measured on (runner.KernelSetOf:
	// "avx512", "generic", "cudnn+cuda-graph"); "" when the source did not
	// record it. Points of two sets are two configurations.
	Kernels string `json:"kernels,omitempty"`
	Mode    string `json:"mode"` // "eager", "fused"
	Threads int    `json:"threads"`
	MAdds   int64  `json:"madds"` // per batch, graph as written
	MAC     int64  `json:"mac"`   // elements per batch, graph as written
	// MACFused is the MAC of the fused plan and Params the parameter count;
	// 0 when the source did not record them (history lines).
	MACFused int64 `json:"mac_fused,omitempty"`
	Params   int64 `json:"params,omitempty"`
	// RooflineMS is the roofline estimate of the latency (sweep rows
	// measured with a calibration), 0 when unknown.
	RooflineMS float64 `json:"roofline_ms,omitempty"`
	// LatencyMS is the median latency per batch; P10MS and P90MS its
	// spread, and ImagesPerS the throughput (0 when unknown).
	LatencyMS  float64   `json:"latency_ms"`
	P10MS      float64   `json:"p10_ms,omitempty"`
	P90MS      float64   `json:"p90_ms,omitempty"`
	ImagesPerS float64   `json:"images_per_s,omitempty"`
	Time       time.Time `json:"time"` // when it was measured
	// Session marks a point measured by this process (set by the caller:
	// the history file cannot tell).
	Session bool `json:"session,omitempty"`
	// Current marks the design now selected in the explorer (ringed).
	Current bool `json:"current,omitempty"`
}

// FLOPs is 2 x MAdds.
func (p Point) FLOPs() int64 { return 2 * p.MAdds }

// Micro reports whether the point is a guideline micro-network (paper
// Tables 1-4), whose FLOPs and latencies are not comparable with whole
// networks'.
func (p Point) Micro() bool { return p.Family.IsGuideline() }

// Config is the run configuration in words: "native/fused/1t".
func (p Point) Config() string { return fmt.Sprintf("%s/%s/%dt", p.Backend, p.Mode, p.Threads) }

// kernelSetsOf is runner.KernelSets over points, their configuration the
// host and Config (sweep.KernelSets' rule for rows).
func kernelSetsOf(points []Point) *runner.KernelSets[Point] {
	return runner.NewKernelSets(points, func(p Point) string { return p.Host + " " + p.Config() }, func(p Point) string { return p.Kernels })
}

// FillKernels returns points with each point that names no kernel set (a
// hand-made line) given the set it counts as (runner.KernelSets.Of: the
// first set the other points of its host and configuration name); points
// is not changed.
func FillKernels(points []Point) []Point {
	sets := kernelSetsOf(points)
	out := slices.Clone(points)
	for i := range out {
		out[i].Kernels, _ = sets.Of(out[i])
	}
	return out
}

// KernelsNamed reports, for each of points, whether a label must name its
// kernel set: another point of its host and configuration was measured on
// another set (the common single-set case reads without it).
func KernelsNamed(points []Point) func(Point) bool { return kernelSetsOf(points).Named }

// ConfigKey identifies the point's run configuration: Config and the
// kernel set. Points are selected, grouped and paired by it: a design on
// the generic kernels is not the same measurement as on avx512.
func (p Point) ConfigKey() string { return p.Config() + "|" + p.Kernels }

// ConfigWithKernels is Config with the kernel set after the backend
// ("native[generic]/fused/1t"), for labels where two configurations
// differ only there.
func (p Point) ConfigWithKernels() string {
	if p.Kernels == "" {
		return p.Config()
	}
	return fmt.Sprintf("%s[%s]/%s/%dt", p.Backend, p.Kernels, p.Mode, p.Threads)
}

// Value is the point's value of metric m: MAdds, FLOPs, MAC, params or
// the roofline estimate (0 where the source did not record it).
func (p Point) Value(m plots.Metric) float64 {
	switch m {
	case plots.MetricMAdds:
		return float64(p.MAdds)
	case plots.MetricFLOPs:
		return float64(p.FLOPs())
	case plots.MetricMAC:
		return float64(p.MAC)
	case plots.MetricParams:
		return float64(p.Params)
	case plots.MetricRoofline:
		return p.RooflineMS
	}
	return 0
}

// PointFromRow is the point of a sweep row; its preset and label are
// [PresetOf] and [PointLabel]'s.
func PointFromRow(r sweep.Row) Point {
	s := r.Spec.Normalize()
	preset := PresetOf(r.Preset, s)
	return Point{Label: PointLabel(preset, s), Design: s.String(), Preset: preset, Family: s.Family,
		Key: r.Key, Host: r.Host, HostName: r.HostName, Backend: r.Backend, Kernels: r.KernelSet(), Mode: r.Mode, Threads: r.Threads,
		MAdds: r.MAdds, MAC: r.MAC, MACFused: r.MACFused, Params: r.Params, RooflineMS: r.RooflineMS,
		LatencyMS: r.LatencyMS.Median, P10MS: r.LatencyMS.P10, P90MS: r.LatencyMS.P90, ImagesPerS: r.ThroughputIPS, Time: r.Time}
}

// DesignKey identifies the point's design: its Key, or its Design title
// for a point without one. Selection, the misleading pair and the current
// design compare it.
func (p Point) DesignKey() string {
	if p.Key != "" {
		return p.Key
	}
	return p.Design
}

// MarkCurrent sets each point's Current: whether it measured design s (by
// the full key; by the title for a point without one), false for every
// point when s is nil. The key and title are computed once, not per point
// (the gap screen marks its points on every redraw).
func MarkCurrent(points []Point, s *arch.Spec) {
	var key, title string
	if s != nil {
		key, title = s.Key(), s.String()
	}
	for i := range points {
		p := &points[i]
		p.Current = s != nil && (p.Key != "" && p.Key == key || p.Key == "" && p.Design == title)
	}
}

// Chartable reports whether a measured result belongs on a gap chart: a
// run that finished (not cancelled) with a positive median latency. The
// history's points and the interactive session's both pass it.
func Chartable(res runner.Result) bool { return !res.Cancelled && res.LatencyMS.Median > 0 }

// PointFromResult is the point of a measured result (a history line); it
// builds the design to count MAdds and MAC. The thread count comes from
// the fingerprint (1 when it has none); the preset and label are
// [PresetOf] and [PointLabel]'s.
func PointFromResult(res runner.Result) (Point, error) {
	s := res.Spec.Normalize()
	g, err := arch.Build(s)
	if err != nil {
		return Point{}, fmt.Errorf("gap point %s: %w", s, err)
	}
	t := cost.Analyze(g, nil).Totals
	preset := PresetOf(res.Preset, s)
	return Point{Label: PointLabel(preset, s), Design: s.String(), Key: s.Key(), Preset: preset, Family: s.Family,
		Host: calib.HostKey(res.Fingerprint), HostName: calib.HostName(res.Fingerprint),
		Backend: res.Backend, Kernels: runner.RunKernelSet(res.Fingerprint.Kernels, res.Fingerprint.Device), Mode: string(res.Mode), Threads: max(res.Fingerprint.Threads, 1),
		MAdds: t.MultAdds, MAC: t.MemAccess, Params: t.Params, LatencyMS: res.LatencyMS.Median,
		P10MS: res.LatencyMS.P10, P90MS: res.LatencyMS.P90, ImagesPerS: res.ThroughputIPS, Time: res.Time}, nil
}

// builtinKeys are the built-in presets' design keys (arch.Spec.Key) by name.
var builtinKeys = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	all, err := presets.List()
	if err != nil { // the embedded presets parse (their tests say so)
		return out
	}
	for _, p := range all {
		out[p.Name] = p.Design.Key()
	}
	return out
})

// PresetOf is the preset name a point of design s carries when its source
// (a history result, a sweep row) names preset: preset, unless it is a
// built-in preset whose design is not s. The command line now drops the
// name from results whose knob flags changed the preset's design, but
// older history rows and results files carry it (run --preset
// shufflenetv2-1.0 --classes 256 was recorded as shufflenetv2-1.0). A name
// that is no built-in preset's (a design file's) is kept: nothing says
// what its design was. Every point is made with it, so the gap chart of
// the interactive explorer, its export and `explorer plot` name a point
// alike.
func PresetOf(preset string, s arch.Spec) string {
	if k, ok := builtinKeys()[preset]; ok && k != s.Key() {
		return ""
	}
	return preset
}

// PointLabel is the label of a point of design s with preset (as
// [PresetOf] gives it): the preset's name where it has one, else
// [DesignLabel].
func PointLabel(preset string, s arch.Spec) string {
	if preset != "" {
		return preset
	}
	return DesignLabel(s)
}

// DesignLabel is a short label of a design for a chart: the knobs that
// differ from the family's defaults, e.g. "1.25x s.3 g2 d2,4,2 224x192
// cls10 b8"; a guideline micro-network is its spec ("g1 c1=32 c2=32").
// Designs that differ in any knob get different labels.
func DesignLabel(s arch.Spec) string {
	s = s.Normalize()
	if s.Family.IsGuideline() {
		return s.String()
	}
	var b strings.Builder
	if len(s.Channels) > 0 {
		b.WriteString("ch" + intsComma(s.Channels))
	} else {
		b.WriteString(strconv.FormatFloat(s.Width, 'g', -1, 64) + "x")
	}
	if s.Family == arch.ShuffleNetV2 && s.Split != 0.5 {
		b.WriteString(" s" + strings.TrimPrefix(strconv.FormatFloat(s.Split, 'g', -1, 64), "0"))
	}
	if s.Family == arch.ShuffleNetV1 || s.Groups > 1 {
		b.WriteString(" g" + strconv.Itoa(s.Groups))
	}
	if s.Layout == arch.LayoutMegvii {
		b.WriteString(" megvii")
	}
	if len(s.Depths) > 0 && intsComma(s.Depths) != "4,8,4" {
		b.WriteString(" d" + intsComma(s.Depths))
	}
	switch {
	case s.ResW != s.Res:
		b.WriteString(" " + strconv.Itoa(s.Res) + "x" + strconv.Itoa(s.ResW))
	case s.Res != 224:
		b.WriteString(" " + strconv.Itoa(s.Res) + "px")
	}
	if s.Classes != 1000 {
		b.WriteString(" cls" + strconv.Itoa(s.Classes))
	}
	if s.Batch != 1 {
		b.WriteString(" b" + strconv.Itoa(s.Batch))
	}
	return b.String()
}

// labelAbbrevs are [DesignLabel]'s abbreviations, in the order it writes
// them, with what each stands for.
var labelAbbrevs = []struct{ prefix, means string }{
	{"ch", "channels"}, {"s.", "split ratio"}, {"g", "groups"}, {"d", "stage depths"},
	{"cls", "classes"}, {"b", "batch"},
}

// LabelKey explains the abbreviations that the whole networks' labels of
// points use ([DesignLabel]), e.g. "Labels: s split ratio, d stage
// depths."; "" when none does. A chart that labels a point "1.75x s.3
// d1,1,1" says what s and d are.
func LabelKey(points []Point) string {
	used := make([]bool, len(labelAbbrevs))
	for _, p := range points {
		if p.Micro() || p.Preset != "" {
			continue
		}
		for _, tok := range strings.Fields(p.Label) {
			for i, a := range labelAbbrevs {
				rest, ok := strings.CutPrefix(tok, a.prefix)
				if ok && rest != "" && (rest[0] >= '0' && rest[0] <= '9' || a.prefix == "s.") {
					used[i] = true
				}
			}
		}
	}
	var parts []string
	for i, a := range labelAbbrevs {
		if used[i] {
			parts = append(parts, strings.TrimSuffix(a.prefix, ".")+" "+a.means)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Labels: " + strings.Join(parts, ", ") + "."
}

func intsComma(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

// Scope says which kind of network a gap chart shows.
type Scope int

// Scopes. Whole networks and the guideline micro-networks are never mixed
// on one chart by default: micro-networks have up to ~2 GFLOPs at 56x56
// and would squeeze the whole networks into a corner.
const (
	WholeNetworks Scope = iota // the default
	MicroNetworks
	AllNetworks
)

// String is the scope in words: "whole networks", "micro-networks", "all networks".
func (s Scope) String() string {
	switch s {
	case WholeNetworks:
		return "whole networks"
	case MicroNetworks:
		return "micro-networks"
	}
	return "all networks"
}

// Filter selects the points of a gap chart. A zero field selects
// everything; the zero Filter shows every whole network.
type Filter struct {
	Host    string // host key (Point.Host)
	Backend string // "native", "cudnn"
	// Kernels is the kernel set (Point.Kernels); "": any.
	Kernels string
	Mode    string      // "eager", "fused"
	Threads int         // 0: any
	Family  arch.Family // "": any
	// SessionOnly keeps the points measured by this process.
	SessionOnly bool
	Scope       Scope
}

// DefaultFilter is the gap chart's default: this host and the current
// backend, kernel set ("" any), mode and thread count, whole networks,
// every session. Latencies of different machines or configurations do not
// rank against each other.
func DefaultFilter(host, backend, kernels, mode string, threads int) Filter {
	return Filter{Host: host, Backend: backend, Kernels: kernels, Mode: mode, Threads: threads}
}

// Match reports whether p passes the filter.
func (f Filter) Match(p Point) bool {
	switch {
	case f.Host != "" && p.Host != f.Host,
		f.Backend != "" && p.Backend != f.Backend,
		f.Kernels != "" && p.Kernels != f.Kernels,
		f.Mode != "" && p.Mode != f.Mode,
		f.Threads != 0 && p.Threads != f.Threads,
		f.Family != "" && p.Family != f.Family,
		f.SessionOnly && !p.Session,
		f.Scope == WholeNetworks && p.Micro(),
		f.Scope == MicroNetworks && !p.Micro():
		return false
	}
	return true
}

// Describe is the filter in words for a chart subtitle or status line,
// e.g. "AMD EPYC (2 cores) · native/fused/1t · whole networks · this
// session". hostName names f.Host (the key is not readable).
func (f Filter) Describe(hostName string) string {
	var parts []string
	switch {
	case f.Host == "":
		parts = append(parts, "all hosts")
	case hostName != "":
		parts = append(parts, hostName)
	default:
		parts = append(parts, "host "+f.Host)
	}
	cfg := []string{BackendRun(or(f.Backend, "any backend"), f.Kernels), or(f.Mode, "any mode"), "any threads"}
	if f.Threads > 0 {
		cfg[2] = strconv.Itoa(f.Threads) + "t"
	}
	parts = append(parts, strings.Join(cfg, "/"))
	fam := f.Scope.String()
	if f.Family != "" {
		fam = FamilyTitle(string(f.Family))
	}
	parts = append(parts, fam)
	if f.SessionOnly {
		parts = append(parts, "this session")
	}
	return strings.Join(parts, " · ")
}

func or(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

// Select returns the points that pass f with a latency from
// sweep.MinMedianMS to sweep.MaxMedianMS (the bounds of a usable sweep
// row: a hand-edited history row must not break a chart), one
// per design ([Point.DesignKey]) and configuration (host, backend, kernel
// set, mode, threads): the latest
// measured (the later in the list on equal times), in the order of first
// appearance.
func Select(points []Point, f Filter) []Point {
	var out []Point
	at := map[string]int{}
	for _, p := range FillKernels(points) {
		if !f.Match(p) || !(p.LatencyMS >= sweep.MinMedianMS) || p.LatencyMS > sweep.MaxMedianMS {
			continue
		}
		k := p.DesignKey() + "|" + p.Host + "|" + p.ConfigKey()
		if i, ok := at[k]; ok {
			if !p.Time.Before(out[i].Time) {
				cur := out[i].Current || p.Current
				out[i] = p
				out[i].Current = cur
			}
			continue
		}
		at[k] = len(out)
		out = append(out, p)
	}
	return out
}

// Choices are the values present in a set of points, for a UI to cycle a
// filter through.
type Choices struct {
	Hosts    []HostChoice        // in order of first appearance
	Backends []string            // sorted
	Kernels  map[string][]string // per backend, its points' kernel sets, sorted
	Modes    []string            // sorted
	Threads  []int               // ascending
	Families []arch.Family
}

// BackendRuns lists what a backend filter can choose: each backend, and
// after it "backend[set]" for each of its kernel sets where the points of
// that backend were measured on several ("native", "native[avx512]",
// "native[generic]", "cudnn").
func (c Choices) BackendRuns() []string {
	var out []string
	for _, b := range c.Backends {
		out = append(out, b)
		if sets := c.Kernels[b]; len(sets) > 1 {
			for _, k := range sets {
				out = append(out, BackendRun(b, k))
			}
		}
	}
	return out
}

// BackendRun names a backend and kernel set as [Choices.BackendRuns] does:
// "native[generic]", or the backend alone for kernels "".
func BackendRun(backend, kernels string) string {
	if kernels == "" {
		return backend
	}
	return backend + "[" + kernels + "]"
}

// ParseBackendRun splits a [BackendRun] name into backend and kernel set.
func ParseBackendRun(s string) (backend, kernels string) {
	if b, rest, ok := strings.Cut(s, "["); ok && strings.HasSuffix(rest, "]") {
		return b, strings.TrimSuffix(rest, "]")
	}
	return s, ""
}

// HostChoice is a host key with its readable name.
type HostChoice struct{ Key, Name string }

// ChoicesOf lists the hosts, backends (with their kernel sets), modes,
// thread counts and families of points.
func ChoicesOf(points []Point) Choices {
	var c Choices
	seen := map[string]bool{}
	for _, p := range points {
		if !seen["h"+p.Host] {
			seen["h"+p.Host] = true
			c.Hosts = append(c.Hosts, HostChoice{p.Host, p.HostName})
		}
		if !seen["b"+p.Backend] {
			seen["b"+p.Backend] = true
			c.Backends = append(c.Backends, p.Backend)
		}
		if k := "k" + p.Backend + "[" + p.Kernels; p.Kernels != "" && !seen[k] {
			seen[k] = true
			if c.Kernels == nil {
				c.Kernels = map[string][]string{}
			}
			c.Kernels[p.Backend] = append(c.Kernels[p.Backend], p.Kernels)
		}
		if !seen["m"+p.Mode] {
			seen["m"+p.Mode] = true
			c.Modes = append(c.Modes, p.Mode)
		}
		if k := "t" + strconv.Itoa(p.Threads); !seen[k] {
			seen[k] = true
			c.Threads = append(c.Threads, p.Threads)
		}
		if !seen["f"+string(p.Family)] {
			seen["f"+string(p.Family)] = true
			c.Families = append(c.Families, p.Family)
		}
	}
	slices.Sort(c.Backends)
	for _, sets := range c.Kernels {
		slices.Sort(sets)
	}
	slices.Sort(c.Modes)
	slices.Sort(c.Threads)
	return c
}

// Ranked is a point of a [Gap] with its ranks among the gap's points.
type Ranked struct {
	Point
	X float64 // the gap's metric value
	// RankX and RankLatency are 1-based ranks (1 = the fewest FLOPs / the
	// fastest); tied values share the mean of their ranks.
	RankX, RankLatency float64
	// RankError is RankX - RankLatency: positive when the design runs
	// faster than its metric predicts (it has more FLOPs than designs that
	// are slower), negative when slower; 0 when the metric ranks it right.
	RankError float64
	// Index is the point's index among the analysed points and InPair
	// whether it is one of the gap's misleading pair ([Gap.Pair]), the
	// point the chart marks and a list flags.
	Index  int
	InPair bool
}

// Correlation is how well one metric orders the latencies of a set of
// designs.
type Correlation struct {
	Metric plots.Metric
	N      int
	// Spearman's rho and Kendall's tau-b of metric against latency; valid
	// when Err is nil.
	Spearman, Kendall float64
	Err               error
	// Misordered counts the pairs of designs whose latency order is the
	// reverse of their metric order, of Pairs (pairs different in both).
	Misordered, Pairs int
}

// Pair is two designs of nearly equal metric value (FLOPs) with the most
// different latency: the gap chart's "most misleading pair".
type Pair struct {
	Fast, Slow Point
	// FastIndex and SlowIndex are their indices in the analysed points.
	FastIndex, SlowIndex int
	// XDiff is the relative difference of their metric values (0.02 = 2%).
	XDiff float64
	// Ratio is the slower design's latency over the faster one's (>= 1).
	Ratio float64
}

// PairTolerance is how close two designs' FLOPs must be (relative) to form
// a misleading pair: the command line's equal-MAdds tolerance
// (FLOPs = 2 x MAdds, so the same relative difference).
const PairTolerance = sweep.DefaultPairTolerance

// Gap is the analysis behind a gap chart: the points ranked by a metric
// and by latency, both metrics' rank correlations, and the most misleading
// pair.
type Gap struct {
	Metric plots.Metric
	// Points are in latency order, fastest first (ties: input order).
	Points []Ranked
	// FLOPs and MAC are the rank correlations of each metric with latency.
	FLOPs, MAC Correlation
	// Near is the pair of designs within PairTolerance in FLOPs with the
	// most different latency; nil when no two designs are that close, or
	// when the points mix run configurations.
	Near *Pair
	// Pair is Near when it is misleading: its latencies differ by more than
	// sweep.MisleadingRatio, the threshold of the command line's
	// equal-MAdds summary; nil otherwise (two designs 1.00x apart are no
	// lesson). The chart's dashed line and [Gap.PairWords] name it.
	Pair *Pair
	// Configs is the number of run configurations (host, backend, kernel
	// set, mode, threads) among the points. With more than one, latencies do not rank
	// against each other: [Gap.Words] says so instead of a correlation.
	Configs int
}

// configKey identifies a point's host and run configuration.
func configKey(p Point) string { return p.Host + " " + p.ConfigKey() }

// AnalyzeGap ranks points (already selected, see [Select]) by metric m
// (FLOPs, MAdds or MAC) and by latency, and computes the correlations and
// the misleading pair.
func AnalyzeGap(points []Point, m plots.Metric) Gap {
	g := Gap{Metric: m, FLOPs: correlate(points, plots.MetricFLOPs), MAC: correlate(points, plots.MetricMAC)}
	xs, lat := values(points, m), values(points, -1)
	rx, rl := stats.Ranks(xs), stats.Ranks(lat)
	for i, p := range points {
		g.Points = append(g.Points, Ranked{Point: p, X: xs[i], RankX: rx[i], RankLatency: rl[i], RankError: rx[i] - rl[i], Index: i})
	}
	slices.SortStableFunc(g.Points, func(a, b Ranked) int { return cmp.Compare(a.LatencyMS, b.LatencyMS) })
	configs := map[string]bool{}
	for _, p := range points {
		configs[configKey(p)] = true
	}
	g.Configs = len(configs)
	if g.Configs > 1 {
		// Two designs in different configurations (a filter that mixes
		// modes) differ by more than their design: no misleading pair.
		return g
	}
	differ := func(p sweep.IndexPair) bool { return points[p.Fast].DesignKey() != points[p.Slow].DesignKey() }
	if p, ok := sweep.MostDifferentNearPair(values(points, plots.MetricFLOPs), lat, PairTolerance, differ); ok {
		g.Near = &Pair{Fast: points[p.Fast], Slow: points[p.Slow], FastIndex: p.Fast, SlowIndex: p.Slow, XDiff: p.XDiff, Ratio: p.Ratio}
		if sweep.Misleading(p.Ratio) {
			g.Pair = g.Near
			for i := range g.Points {
				g.Points[i].InPair = g.Points[i].Index == p.Fast || g.Points[i].Index == p.Slow
			}
		}
	}
	return g
}

// values is metric m of every point, or the latency for m = -1.
func values(points []Point, m plots.Metric) []float64 {
	out := make([]float64, len(points))
	for i, p := range points {
		if m < 0 {
			out[i] = p.LatencyMS
		} else {
			out[i] = p.Value(m)
		}
	}
	return out
}

func correlate(points []Point, m plots.Metric) Correlation {
	c := Correlation{Metric: m, N: len(points)}
	x, lat := values(points, m), values(points, -1)
	c.Spearman, c.Err = stats.Spearman(x, lat)
	if c.Err == nil {
		c.Kendall, c.Err = stats.KendallTauB(x, lat)
	}
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			dx, dl := x[i]-x[j], lat[i]-lat[j]
			if dx == 0 || dl == 0 {
				continue
			}
			c.Pairs++
			if dx*dl < 0 {
				c.Misordered++
			}
		}
	}
	return c
}

// SortKey orders a gap's point list.
type SortKey int

// Sort keys, in the order a UI cycles them.
const (
	ByLatency   SortKey = iota // fastest first
	ByMetric                   // fewest FLOPs (or MAC) first
	ByRankError                // largest |rank error| first: the designs the metric misjudges most
	ByLabel                    // alphabetical
)

// SortKeys lists the sort keys in cycling order.
func SortKeys() []SortKey { return []SortKey{ByLatency, ByMetric, ByRankError, ByLabel} }

// String names the key for a column header or status line.
func (k SortKey) String() string {
	switch k {
	case ByLatency:
		return "latency"
	case ByMetric:
		return "metric"
	case ByRankError:
		return "rank error"
	case ByLabel:
		return "name"
	}
	return fmt.Sprintf("SortKey(%d)", int(k))
}

// Sorted returns a copy of the gap's points in key order (ties: latency).
func (g Gap) Sorted(k SortKey) []Ranked {
	out := slices.Clone(g.Points)
	slices.SortStableFunc(out, func(a, b Ranked) int {
		var c int
		switch k {
		case ByMetric:
			c = cmp.Compare(a.X, b.X)
		case ByRankError:
			c = cmp.Compare(math.Abs(b.RankError), math.Abs(a.RankError))
		case ByLabel:
			c = cmp.Compare(a.Label, b.Label)
		}
		if c != 0 {
			return c
		}
		return cmp.Compare(a.LatencyMS, b.LatencyMS)
	})
	return out
}

// how is a correlation's strength in words.
func how(rho float64) string {
	switch {
	case rho == 1:
		return "perfectly"
	case rho == -1:
		return "exactly in reverse"
	case rho >= 0.95:
		return "almost perfectly"
	case rho >= 0.8:
		return "well"
	case rho >= 0.5:
		return "loosely"
	case rho >= 0.2:
		return "weakly"
	case rho > -0.2:
		return "not at all"
	}
	return "in reverse"
}

// Words says the correlations and their lesson in plain words, e.g.
//
//	Among 25 designs FLOPs orders latency with Spearman 0.88, MAC 0.45: FLOPs
//	orders them well, yet 12% of pairs (36 of 300) run in the opposite order to
//	their FLOPs; MAC alone orders them worse than FLOPs. FLOPs is a guide to
//	speed, not a measure of it.
//
// With fewer than two designs or points of several run configurations it
// says why there is no correlation. Two designs get their FLOPs and
// latencies and no verdict: two points are in order or in reverse, so
// their rank correlation is +1 or -1 whatever they measured. Where the
// latencies, the FLOPs or the MAC are all equal it says which; with equal
// FLOPs and different MAC it gives MAC's correlation (the paper's point).
func (g Gap) Words() string {
	f, m := g.FLOPs, g.MAC
	if f.N < 2 {
		return fmt.Sprintf("%s: no correlation (it needs at least %d designs).", count(f.N, "design"), sweep.MinRankDesigns)
	}
	if g.Configs > 1 {
		return fmt.Sprintf("These %d points come from %d run configurations (host, backend, kernel set, mode, threads), "+
			"whose latencies do not rank against each other: no correlation; filter one configuration for it.", f.N, g.Configs)
	}
	pts := g.Points // fastest first
	fast, slow := pts[0], pts[len(pts)-1]
	sameLat := fast.LatencyMS == slow.LatencyMS
	sameFLOPs, sameMAC := allSame(pts, plots.MetricFLOPs), allSame(pts, plots.MetricMAC)
	if f.N < sweep.MinRankDesigns { // f.N == 2 here
		needs := fmt.Sprintf("; a rank correlation needs at least %d designs to mean anything.", sweep.MinRankDesigns)
		switch {
		case sameLat && sameFLOPs:
			return fmt.Sprintf("Among 2 designs with the same FLOPs (%s), both take %s ms%s",
				costfmt.Count(fast.FLOPs()), costfmt.Millis(fast.LatencyMS), needs)
		case sameLat:
			return fmt.Sprintf("Among 2 designs with %s and %s FLOPs, both take %s ms%s",
				costfmt.Count(fast.FLOPs()), costfmt.Count(slow.FLOPs()), costfmt.Millis(fast.LatencyMS), needs)
		case sameFLOPs:
			return fmt.Sprintf("Among 2 designs with the same FLOPs (%s), one takes %s ms, the other %s ms%s",
				costfmt.Count(fast.FLOPs()), costfmt.Millis(fast.LatencyMS), costfmt.Millis(slow.LatencyMS), needs)
		}
		more, less, runs := slow, fast, "slower"
		if fast.FLOPs() > slow.FLOPs() {
			more, less, runs = fast, slow, "faster"
		}
		return fmt.Sprintf("Among 2 designs, the one with more FLOPs (%s against %s) runs %s (%s against %s ms)%s",
			costfmt.Count(more.FLOPs()), costfmt.Count(less.FLOPs()), runs,
			costfmt.Millis(more.LatencyMS), costfmt.Millis(less.LatencyMS), needs)
	}
	switch {
	case sameLat:
		return fmt.Sprintf("Among %d designs neither FLOPs nor MAC can order latency: all of them take the same time (%s ms).",
			f.N, costfmt.Millis(fast.LatencyMS))
	case sameFLOPs && sameMAC:
		return fmt.Sprintf("Among %d designs neither FLOPs nor MAC can order latency: all have the same FLOPs (%s) and MAC (%s), "+
			"yet they take %s to %s ms. Equal FLOPs do not mean equal speed: measure.",
			f.N, costfmt.Count(fast.FLOPs()), costfmt.Count(fast.MAC), costfmt.Millis(fast.LatencyMS), costfmt.Millis(slow.LatencyMS))
	case sameFLOPs && m.Err == nil:
		return fmt.Sprintf("Among %d designs FLOPs cannot order latency, as all have the same FLOPs (%s), but MAC orders it "+
			"with Spearman %s: MAC, the memory traffic, orders them %s. Equal FLOPs do not mean equal speed: measure.",
			f.N, costfmt.Count(fast.FLOPs()), coef(m.Spearman), how(m.Spearman))
	case f.Err != nil:
		return fmt.Sprintf("Among %d designs FLOPs cannot order latency: %s.", f.N, errWords(f.Err))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Among %d designs FLOPs orders latency with Spearman %s", f.N, coef(f.Spearman))
	if m.Err == nil {
		fmt.Fprintf(&b, ", MAC %s", coef(m.Spearman))
	}
	fmt.Fprintf(&b, ": FLOPs orders them %s", how(f.Spearman))
	if f.Misordered > 0 {
		// "yet" only where the coefficient promised an order: a weak or
		// reversed one already said that pairs run against their FLOPs.
		conj := "yet"
		if f.Spearman < 0.5 {
			conj = "and"
		}
		fmt.Fprintf(&b, ", %s %.0f%% of pairs (%d of %d) run in the opposite order to their FLOPs",
			conj, 100*float64(f.Misordered)/float64(f.Pairs), f.Misordered, f.Pairs)
	}
	switch d := m.Spearman - f.Spearman; {
	case sameMAC:
		fmt.Fprintf(&b, "; MAC cannot order them: all have the same MAC (%s)", costfmt.Count(fast.MAC))
	case m.Err != nil:
	case d > 0.05:
		b.WriteString("; MAC, the memory traffic, orders them better than FLOPs")
	case d < -0.05:
		b.WriteString("; MAC alone orders them worse than FLOPs")
	default:
		b.WriteString("; MAC orders them about as well")
	}
	b.WriteString(". ")
	switch {
	case f.Misordered == 0:
		b.WriteString("Here fewer FLOPs always meant faster.")
	case f.Spearman >= 0.8:
		b.WriteString("FLOPs is a guide to speed, not a measure of it.")
	default:
		b.WriteString("Fewer FLOPs does not mean faster: measure.")
	}
	return b.String()
}

// Caption is what a gap chart says under its title: [Gap.Words], then,
// where there are any, [Gap.PairWords] and the [LabelKey] of its points.
// `explorer plot` prints the FLOPs chart's caption for each configuration
// (GapSet.Words), the same sentences.
func (g Gap) Caption() string {
	parts := []string{g.Words()}
	if pw := g.PairWords(); pw != "" {
		parts = append(parts, pw)
	}
	pts := make([]Point, len(g.Points))
	for i, r := range g.Points {
		pts[i] = r.Point
	}
	if key := LabelKey(pts); key != "" {
		parts = append(parts, key)
	}
	return strings.Join(parts, " ")
}

// allSame reports whether metric m has the same value (as the correlation
// sees it) at every point.
func allSame(pts []Ranked, m plots.Metric) bool {
	for _, p := range pts[1:] {
		if p.Value(m) != pts[0].Value(m) {
			return false
		}
	}
	return true
}

// coef is a correlation coefficient with two decimals, never "-0.00": a
// coefficient that rounds to zero has no sign worth showing.
func coef(r float64) string {
	s := strconv.FormatFloat(r, 'f', 2, 64)
	if s == "-0.00" {
		return "0.00"
	}
	return s
}

// Words names the pair and the gap between them, each design by
// [Point.Name], e.g. `"ShuffleNet v1 1x g8" and "ShuffleNet v1 1x g3"
// differ by 2.1% in FLOPs, but "ShuffleNet v1 1x g8" takes 1.78x as long.`
// Equal names (one design in two configurations) are replaced by the full
// designs.
func (p Pair) Words() string {
	slow, fast := p.Slow.Name(), p.Fast.Name()
	if slow == fast {
		slow, fast = p.Slow.Design, p.Fast.Design
	}
	return fmt.Sprintf("%q and %q differ by %.1f%% in FLOPs, but %q takes %.2fx as long.",
		slow, fast, 100*p.XDiff, slow, p.Ratio)
}

// PairWords is the sentence on the most misleading pair that follows
// [Gap.Words] on a chart: "Most misleading pair: " and [Pair.Words]; where
// designs within PairTolerance in FLOPs exist but none differs by more
// than sweep.MisleadingRatio in latency, e.g. "No pair within 10% in FLOPs
// differs by over 25% in latency; the closest is 1.02x." (the command
// line's equal-MAdds summary says the same); "" where no two designs are
// that close or the points mix run configurations.
func (g Gap) PairWords() string {
	switch {
	case g.Pair != nil:
		return "Most misleading pair: " + g.Pair.Words()
	case g.Near != nil:
		return fmt.Sprintf("No pair within %.0f%% in FLOPs differs by over %.0f%% in latency; the closest is %.2fx.",
			100*PairTolerance, 100*(sweep.MisleadingRatio-1), g.Near.Ratio)
	}
	return ""
}

// Name is the point's family and label, e.g. "MobileNet v2 0.75x 192px";
// the label alone when it already names the family (a preset name such as
// "shufflenetv2-1.0") or for a micro-network ("g1 c1=32 c2=32").
func (p Point) Name() string {
	if p.Micro() || p.Family == "" || strings.HasPrefix(strings.ToLower(p.Label), string(p.Family)) {
		return p.Label
	}
	return FamilyTitle(string(p.Family)) + " " + p.Label
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// errWords is a correlation error in words.
func errWords(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

// GapChart is the data of a gap chart of points (already selected, see
// [Select]) against metric m: the points for package plots with the
// current design and the most misleading pair marked, and the options with
// log-log axes, the subtitle, and as caption the correlation in words and
// the pair ([Gap.Words], [Gap.PairWords]). Points of several hosts or run
// configurations (a filter that mixes them) are drawn as one series per
// configuration with each one's rank correlation instead: their latencies
// do not rank against each other.
func GapChart(points []Point, m plots.Metric, subtitle string) ([]plots.GapPoint, plots.GapOptions) {
	opts := plots.GapOptions{Metric: m, LogX: true, LogY: true, Subtitle: subtitle}
	g := AnalyzeGap(points, m)
	out := make([]plots.GapPoint, len(points))
	// Series are named by host and configuration, with the kernel set
	// where another series differs from it only there.
	named := KernelsNamed(points)
	for i, p := range points {
		out[i] = plots.GapPoint{Label: p.Label, Family: FamilyTitle(string(p.Family)), X: p.Value(m), LatencyMS: p.LatencyMS, Current: p.Current}
		if g.Configs > 1 {
			out[i].Host = p.HostName + " " + p.Config()
			if named(p) {
				out[i].Host = p.HostName + " " + p.ConfigWithKernels()
			}
		}
	}
	if g.Configs > 1 || m == plots.MetricRoofline {
		return out, opts // package plots gives each configuration's own rank correlation
	}
	opts.Caption = g.Caption()
	for _, r := range g.Points {
		out[r.Index].Pair = r.InPair
	}
	return out, opts
}
