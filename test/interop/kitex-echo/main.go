// kitex-echo is a real CloudWeGo Kitex peer for heddle's RPC tests and benchmark.
//
//	kitex-echo server -transport ttheader|framed      serves EchoService on 127.0.0.1:0, prints
//	                                                    "LISTENING host:port", stops when stdin closes
//	kitex-echo client -addr host:port -transport ttheader|framed|ttheaderframed
//	                                                    runs every scenario against a heddle server,
//	                                                    one JSON line per scenario
//	kitex-echo load -addr host:port -transport ttheader -callers 32 -seconds 5 -bytes 1024 -action echo
//	                                                    load generator: callers goroutines call
//	                                                    echo back to back for the given time,
//	                                                    then print one JSON line (calls, QPS,
//	                                                    latency percentiles, replies by action)
//
// The handler's behaviour is chosen by Request.action: "echo" echoes, "throw" raises EchoError
// {code: 7, message: msg}, "sleep" waits msg milliseconds, "meta" answers with the metainfo it
// received (as JSON in msg) and sends a backward value.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bytedance/gopkg/cloud/metainfo"
	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/client/callopt"
	"github.com/cloudwego/kitex/pkg/kerrors"
	"github.com/cloudwego/kitex/pkg/transmeta"
	"github.com/cloudwego/kitex/server"
	"github.com/cloudwego/kitex/transport"

	"heddle/kitex-echo/kitex_gen/echo"
	"heddle/kitex-echo/kitex_gen/echo/echoservice"
)

type handler struct{}

func (*handler) Ping(ctx context.Context) (string, error) { return "pong", nil }

func (*handler) Echo(ctx context.Context, req *echo.Request) (*echo.Response, error) {
	switch req.Action {
	case "throw":
		return nil, &echo.EchoError{Code: 7, Message: req.Msg}
	case "sleep":
		ms, _ := strconv.Atoi(req.Msg)
		time.Sleep(time.Duration(ms) * time.Millisecond)
	case "meta":
		seen := map[string]map[string]string{
			"transient":  metainfo.GetAllValues(ctx),
			"persistent": metainfo.GetAllPersistentValues(ctx),
		}
		metainfo.SendBackwardValue(ctx, "served-by", "kitex")
		encoded, _ := json.Marshal(seen)
		return &echo.Response{Action: req.Action, Msg: string(encoded)}, nil
	}
	return &echo.Response{Action: req.Action, Msg: req.Msg}, nil
}

func protocolOf(name string) transport.Protocol {
	switch name {
	case "ttheader":
		return transport.TTHeader
	case "ttheaderframed":
		return transport.TTHeaderFramed
	case "framed":
		return transport.Framed
	}
	fmt.Fprintf(os.Stderr, "unknown transport %q\n", name)
	os.Exit(2)
	return 0
}

func runServer() {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	addr := listener.Addr()
	listener.Close()
	svr := echoservice.NewServer(&handler{},
		server.WithServiceAddr(addr),
		server.WithMetaHandler(transmeta.ServerTTHeaderHandler),
		server.WithExitWaitTime(time.Second),
	)
	go func() {
		// Stop when the parent goes away, so a test that dies leaves no server behind.
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		_ = svr.Stop()
	}()
	go func() {
		for i := 0; i < 100; i++ {
			if c, err := net.Dial("tcp", addr.String()); err == nil {
				c.Close()
				fmt.Printf("LISTENING %s\n", addr.String())
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	if err := svr.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type result struct {
	Scenario string            `json:"scenario"`
	OK       bool              `json:"ok"`
	Error    string            `json:"error,omitempty"`
	Msg      string            `json:"msg,omitempty"`
	Code     int32             `json:"code,omitempty"`
	Backward map[string]string `json:"backward,omitempty"`
}

// newClient is a Kitex client of the heddle server at addr, with TTHeader metainfo.
func newClient(name, addr, transportName string, timeout time.Duration) echoservice.Client {
	cli, err := echoservice.NewClient(name,
		client.WithHostPorts(addr),
		client.WithTransportProtocol(protocolOf(transportName)),
		client.WithMetaHandler(transmeta.ClientTTHeaderHandler),
		client.WithRPCTimeout(timeout),
	)
	if err != nil {
		panic(err)
	}
	return cli
}

func runClient(addr, transportName string) {
	cli := newClient("heddle-under-test", addr, transportName, 3*time.Second)
	out := json.NewEncoder(os.Stdout)
	emit := func(r result) { _ = out.Encode(r) }

	resp, err := cli.Echo(context.Background(), &echo.Request{Action: "echo", Msg: "hello from kitex"})
	emit(check("echo", resp, err, "hello from kitex"))

	big := strings.Repeat("0123456789abcdef", 64*1024)
	resp, err = cli.Echo(context.Background(), &echo.Request{Action: "echo", Msg: big})
	r := check("echo-1MiB", resp, err, big)
	r.Msg = ""
	emit(r)

	_, err = cli.Echo(context.Background(), &echo.Request{Action: "throw", Msg: "nope"})
	var declared *echo.EchoError
	if errors.As(err, &declared) {
		emit(result{Scenario: "throw", OK: true, Code: declared.Code, Msg: declared.Message})
	} else {
		emit(result{Scenario: "throw", Error: fmt.Sprint(err)})
	}

	ctx := metainfo.WithValue(context.Background(), "trace-tag", "t-42")
	ctx = metainfo.WithPersistentValue(ctx, "tenant", "acme")
	ctx = metainfo.WithBackwardValues(ctx)
	resp, err = cli.Echo(ctx, &echo.Request{Action: "meta"})
	if err != nil {
		emit(result{Scenario: "meta", Error: err.Error()})
	} else {
		emit(result{Scenario: "meta", OK: true, Msg: resp.Msg, Backward: metainfo.RecvAllBackwardValues(ctx)})
	}

	_, err = cli.Echo(context.Background(), &echo.Request{Action: "sleep", Msg: "600"}, callopt.WithRPCTimeout(150*time.Millisecond))
	emit(result{Scenario: "timeout", OK: errors.Is(err, kerrors.ErrRPCTimeout), Error: fmt.Sprint(err)})

	pong, err := cli.Ping(context.Background())
	emit(result{Scenario: "ping", OK: err == nil && pong == "pong", Msg: pong, Error: errString(err)})
}

func check(name string, resp *echo.Response, err error, want string) result {
	if err != nil {
		return result{Scenario: name, Error: err.Error()}
	}
	return result{Scenario: name, OK: resp.Msg == want, Msg: resp.Msg}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

type loadReport struct {
	Calls     int            `json:"calls"`
	Errors    int            `json:"errors"`
	Seconds   float64        `json:"seconds"`
	QPS       float64        `json:"qps"`
	P50Micros int64          `json:"p50_us"`
	P99Micros int64          `json:"p99_us"`
	ByAction  map[string]int `json:"by_action"`
	// CPUSeconds is this client process's CPU time (user + system) over the run: on a shared
	// machine it says how much of the cores the load generator itself took.
	CPUSeconds float64 `json:"cpu_seconds"`
	FirstError string  `json:"first_error,omitempty"`
}

// runLoad drives a heddle server from a real Kitex client: callers goroutines share one client
// (Kitex's default long-connection pool, one connection per call in flight) and call echo back to
// back. Replies are tallied by their action field, which a multi-threaded heddle server sets to
// the serving thread for action "who".
func runLoad(addr, transportName string, callers int, seconds float64, bytes int, action string) {
	cli := newClient("heddle-load", addr, transportName, 10*time.Second)
	msg := strings.Repeat("x", bytes)
	deadline := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	var mu sync.Mutex
	report := loadReport{ByAction: map[string]int{}}
	var latencies []int64
	var wg sync.WaitGroup
	started := time.Now()
	cpuAtStart := processCPUSeconds()
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := map[string]int{}
			var localLatencies []int64
			calls, errs := 0, 0
			firstError := ""
			for time.Now().Before(deadline) {
				t0 := time.Now()
				resp, err := cli.Echo(context.Background(), &echo.Request{Action: action, Msg: msg})
				localLatencies = append(localLatencies, time.Since(t0).Microseconds())
				calls++
				if err != nil || resp.Msg != msg {
					errs++
					if firstError == "" {
						firstError = fmt.Sprint(err)
					}
					continue
				}
				local[resp.Action]++
			}
			mu.Lock()
			report.Calls += calls
			report.Errors += errs
			if report.FirstError == "" {
				report.FirstError = firstError
			}
			for k, v := range local {
				report.ByAction[k] += v
			}
			latencies = append(latencies, localLatencies...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	report.Seconds = time.Since(started).Seconds()
	report.CPUSeconds = processCPUSeconds() - cpuAtStart
	report.QPS = float64(report.Calls) / report.Seconds
	sort.Slice(latencies, func(a, b int) bool { return latencies[a] < latencies[b] })
	if n := len(latencies); n > 0 {
		report.P50Micros = latencies[n/2]
		report.P99Micros = latencies[n*99/100]
	}
	_ = json.NewEncoder(os.Stdout).Encode(report)
}

func processCPUSeconds() float64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kitex-echo server|client|load [flags]")
		os.Exit(2)
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	addr := flags.String("addr", "", "heddle server address (client mode)")
	transportName := flags.String("transport", "ttheader", "ttheader, framed or ttheaderframed")
	callers := flags.Int("callers", 32, "concurrent callers (load mode)")
	seconds := flags.Float64("seconds", 5, "how long to call (load mode)")
	bytes := flags.Int("bytes", 1024, "request message size (load mode)")
	action := flags.String("action", "echo", "the request's action (load mode)")
	_ = flags.Parse(os.Args[2:])
	switch os.Args[1] {
	case "server":
		runServer()
	case "client":
		runClient(*addr, *transportName)
	case "load":
		runLoad(*addr, *transportName, *callers, *seconds, *bytes, *action)
	default:
		fmt.Fprintln(os.Stderr, "usage: kitex-echo server|client|load [flags]")
		os.Exit(2)
	}
}
