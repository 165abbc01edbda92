// Package plots builds the explorer's charts with gonum/plot: the gap
// scatter (an indirect metric such as MAdds or MAC against measured
// latency), the per-category decomposition (MAdds share vs MAC share vs time
// share, the ShuffleNet V2 paper's Fig. 2 on the local machine), the roofline,
// the guideline experiments (local speed beside the paper's GPU and ARM
// numbers) and the correlation of each indirect metric with latency.
//
// Builders take plain data defined here (no arch, cost or runner types: of
// the explorer's own packages only runner/stats, for the rank correlations,
// and internal/safefile, for [Save], are imported), validate it, and return
// a *plot.Plot; they never touch the file system and never panic on bad
// input: empty input, NaN or Inf, negative latencies and non-positive values
// on a log axis are reported as errors. [Save] writes a plot as PNG, SVG or
// PDF, chosen by the file extension.
//
// Vocabulary follows the explorer's design: MAdds are multiply-accumulates
// (the paper's "FLOPs"), FLOPs are 2 x MAdds, MAC is the memory access cost in
// elements (the paper's definition), and arithmetic intensity is FLOPs per
// byte. Every axis label names the quantity and its unit.
//
// The rank correlations shown on the gap and correlation charts are
// Spearman's rho and Kendall's tau-b of package runner/stats; both handle
// ties.
package plots
