module github.com/shufflelab/explorer

go 1.26

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/klauspost/cpuid/v2 v2.4.2
)

require golang.org/x/sys v0.41.0 // indirect
