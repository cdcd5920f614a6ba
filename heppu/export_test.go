package heppu

import (
	"context"
	"time"
)

// SetRetryWait makes c wait between attempts through sleep, which is given
// each wait the client chose, under a backoff that starts at base. Tests of
// package heppu_test use it to retry without waiting for real.
func SetRetryWait(c *Client, base time.Duration, sleep func(context.Context, time.Duration) error) {
	c.backoff.base = base
	c.backoff.sleep = sleep
}

// Sleep is the wait the client uses when no test replaces it.
var Sleep = sleep

// MaxRetryWait is the longest wait the client takes on by default.
var MaxRetryWait = defaultBackoff.maxWait
