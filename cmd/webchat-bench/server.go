package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-hq/switchboard/adapters/webchat"
	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/store/blobfs"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

// benchSecret is the widget secret of the measured hub.
const benchSecret = "webchat-bench-secret-0123456789abcdef"

// server is one measured server on loopback.
type server struct {
	url   string
	conns func() int
	close func()
}

func startServer(kind string) (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	base := "ws://" + l.Addr().String()
	if kind == "bare" {
		return serve(l, base+"/ws", http.HandlerFunc(bareHandler), func() int { return -1 }, func() {}), nil
	}
	dir, err := os.MkdirTemp("", "webchat-bench-")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "hub.db")})
	if err != nil {
		cancel()
		return nil, err
	}
	blobs, err := blobfs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		cancel()
		return nil, err
	}
	var hub *core.Hub
	ad, err := webchat.New("web", webchat.Config{
		Secret: benchSecret, AllowedOrigins: []string{"https://shop.example.com"},
		IdleTimeout: time.Hour, // the clients stay silent; widgets would ping every 25s
	}, webchat.Deps{
		Receiver: hubReceiver{&hub}, Blobs: blobs, State: core.StoreState(st, "web"),
		Hub: func() webchat.Hub { return hub },
	})
	if err != nil {
		cancel()
		return nil, err
	}
	hub, err = core.NewHub(core.HubConfig{Store: st, Blobs: blobs, Channels: []core.ChannelInfo{{Name: "web", Type: webchat.Type, Adapter: ad}},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		cancel()
		return nil, err
	}
	op, err := hub.CreateOperator(ctx, core.NewOperator{Email: "ann@example.com", Name: "Ann", Password: "correct horse battery"})
	if err == nil {
		err = hub.SetPresence(ctx, op.ID, core.Online)
	}
	if err != nil {
		cancel()
		return nil, err
	}
	done := make(chan struct{})
	go func() { ad.Run(ctx); close(done) }()
	mux := http.NewServeMux()
	for p, h := range ad.Routes() {
		mux.Handle(p, h)
	}
	return serve(l, base+"/webchat/web/ws", mux, ad.Connections, func() {
		cancel()
		<-done
		st.Close()
		os.RemoveAll(dir)
	}), nil
}

func serve(l net.Listener, url string, h http.Handler, conns func() int, stop func()) *server {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	return &server{url: url, conns: conns, close: func() {
		stop()
		srv.Close()
	}}
}

// bareHandler is the baseline: accept, then block in Read until the peer
// goes, one goroutine per connection.
func bareHandler(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	defer c.CloseNow()
	for {
		if _, _, err := c.Read(context.Background()); err != nil {
			return
		}
	}
}

// hubReceiver hands inbound messages to the hub once it exists.
type hubReceiver struct{ hub **core.Hub }

func (r hubReceiver) Receive(ctx context.Context, in core.Inbound) (core.Receipt, error) {
	if *r.hub == nil {
		return core.Receipt{}, fmt.Errorf("hub not built yet")
	}
	return (*r.hub).Receive(ctx, in)
}
