// Package ui is the interactive terminal explorer (Bubble Tea v2).
//
// Each screen is a component with its own Update, View, SetSize and key map
// (the explorer of knobs, cost and runs; the gap chart; the guideline
// experiments; the presets), and the root [Model] owns only the tabs, the
// status line, the layout, the focus and the help. Every figure, share and
// verdict a screen shows comes from the domain function the command line
// calls: cost.Analyze for the cost, runner.ProfileOf for time shares,
// runner/guideline for guideline tables, normalisation and verdicts,
// runner/registry for backends, modes, threads and kernel sets, and
// cost/costfmt for the numbers' formats.
//
// Measurements run off the UI goroutine through the small [Measurer]
// interface, one at a time, report progress through a channel and can be
// cancelled; a generation counter drops results of runs that were cancelled
// or superseded. The package never writes to stdout or stderr; [Deps.Log]
// receives log lines when the caller asks for them.
package ui
