// Command webchat-bench measures what idle web chat widgets cost the hub:
// it opens N WebSockets on loopback to one process and reports the memory
// per connection and the CPU used at rest, beside a bare coder/websocket
// server (one goroutine per connection blocked in Read) measured in the
// same run.
//
//	webchat-bench -n 10000
//
// The servers run in this process; the clients run in a child process (the
// same binary with -dial), so the figures are the server's alone. Each
// widget connection says hello and gets its welcome, as a page load does,
// then stays silent.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "webchat-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("webchat-bench", flag.ContinueOnError)
	var (
		n      = fs.Int("n", 10000, "idle connections to open")
		settle = fs.Duration("settle", 5*time.Second, "wait after the last connection before measuring")
		window = fs.Duration("window", 10*time.Second, "how long CPU at rest is measured")
		dial   = fs.String("dial", "", "child mode: open -n sockets to this ws:// URL (kind given by -kind)")
		kind   = fs.String("kind", "", "child mode: bare or widget")
		prof   = fs.String("heapprofile", "", "write a heap profile of the widget server with its connections open to this file")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dial != "" {
		return dialMode(ctx, *dial, *kind, *n, stdout)
	}
	var results []result
	for _, k := range []string{"bare", "widget"} {
		r, err := measure(ctx, k, *n, *settle, *window, *prof)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		results = append(results, r)
	}
	report(stdout, results)
	return nil
}

// result is what one server costs with n idle connections.
type result struct {
	kind       string
	conns      int
	heapStack  float64 // bytes per connection: heap in use + stacks
	stack      float64 // of which stacks
	sys        float64 // bytes per connection obtained from the OS
	goroutines float64 // per connection
	cpu        float64 // share of one core at rest
}

// measure starts a server of kind, has a child process connect n sockets,
// and measures the server process.
func measure(ctx context.Context, kind string, n int, settle, window time.Duration, profile string) (result, error) {
	srv, err := startServer(kind)
	if err != nil {
		return result{}, err
	}
	defer srv.close()
	before := snapshot()

	child := exec.CommandContext(ctx, os.Args[0], "-dial", srv.url, "-kind", kind, "-n", fmt.Sprint(n))
	child.Stderr = os.Stderr
	stdin, err := child.StdinPipe()
	if err != nil {
		return result{}, err
	}
	out, err := child.StdoutPipe()
	if err != nil {
		return result{}, err
	}
	if err := child.Start(); err != nil {
		return result{}, err
	}
	defer func() { stdin.Close(); _ = child.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		return result{}, fmt.Errorf("child: %q %v", line, err)
	}
	if got := srv.conns(); got != n && kind == "widget" {
		return result{}, fmt.Errorf("server holds %d connections, want %d", got, n)
	}
	time.Sleep(settle)
	after := snapshot()
	if profile != "" && kind == "widget" {
		if err := writeHeapProfile(profile); err != nil {
			return result{}, err
		}
	}
	cpu0 := cpuTime()
	t0 := time.Now()
	time.Sleep(window)
	cpu := float64(cpuTime()-cpu0) / float64(time.Since(t0))
	if got := srv.conns(); got != n && kind == "widget" {
		return result{}, fmt.Errorf("after the window the server holds %d connections, want %d", got, n)
	}
	return result{
		kind: kind, conns: n,
		heapStack:  float64(after.heapStack-before.heapStack) / float64(n),
		stack:      float64(after.stack-before.stack) / float64(n),
		sys:        float64(after.sys-before.sys) / float64(n),
		goroutines: float64(after.goroutines-before.goroutines) / float64(n),
		cpu:        cpu,
	}, nil
}

type memSnapshot struct {
	heapStack, stack, sys uint64
	goroutines            int
}

// snapshot collects garbage (twice, so finalizers run and stacks shrink)
// and reads the runtime's memory statistics.
func snapshot() memSnapshot {
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memSnapshot{heapStack: m.HeapInuse + m.StackInuse, stack: m.StackInuse, sys: m.Sys - m.HeapReleased, goroutines: runtime.NumGoroutine()}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func report(w io.Writer, rs []result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "server\tconnections\theap+stack/conn\tof which stack\tsys/conn\tgoroutines/conn\tCPU at rest\t")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%d\t%.1f KiB\t%.1f KiB\t%.1f KiB\t%.2f\t%.2f%%\t\n", r.kind, r.conns, r.heapStack/1024, r.stack/1024, r.sys/1024, r.goroutines, 100*r.cpu)
	}
	tw.Flush()
	if len(rs) == 2 && rs[0].heapStack > 0 {
		fmt.Fprintf(w, "widget / bare, heap+stack per connection: %.2fx\n", rs[1].heapStack/rs[0].heapStack)
	}
}

var errShortDial = errors.New("not every socket connected")

func writeHeapProfile(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.WriteHeapProfile(f)
}
