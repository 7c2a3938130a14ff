package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// dialMode is the child process: it opens n sockets to url, says hello on
// each (widget) and waits for the welcome, prints "ready", and holds them
// open until its stdin closes.
func dialMode(ctx context.Context, url, kind string, n int, stdout io.Writer) error {
	client := &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConnsPerHost: -1,
	}}
	conns := make([]*websocket.Conn, n)
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				c, err := open(ctx, client, url, kind)
				if err != nil {
					if failed.Add(1) == 1 {
						fmt.Fprintln(os.Stderr, "dial:", err)
					}
					continue
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		return fmt.Errorf("%d of %d sockets: %w", failed.Load(), n, errShortDial)
	}
	fmt.Fprintln(stdout, "ready")
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent is done
	for _, c := range conns {
		c.CloseNow()
	}
	return nil
}

func open(ctx context.Context, client *http.Client, url, kind string) (*websocket.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(dctx, url, &websocket.DialOptions{
		HTTPClient: client, HTTPHeader: http.Header{"Origin": {"https://shop.example.com"}},
	})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	if kind == "widget" {
		if err := c.Write(dctx, websocket.MessageText, []byte(`{"type":"hello","page":{"url":"https://shop.example.com/"}}`)); err != nil {
			return nil, err
		}
		if _, _, err := c.Read(dctx); err != nil { // the welcome
			return nil, fmt.Errorf("welcome: %w", err)
		}
	}
	return c, nil
}
