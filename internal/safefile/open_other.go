//go:build !unix

package safefile

// nonBlock is 0 where open(2) has no O_NONBLOCK: the stat before the open
// refuses named pipes and devices there.
const nonBlock = 0

// syncDir does nothing where directories cannot be synced (Windows: a
// rename is made durable by the file system's own journal).
func syncDir(string) error { return nil }
