module github.com/shufflelab/explorer

go 1.26

require github.com/BurntSushi/toml v1.6.0

require github.com/ebitengine/purego v0.11.3
