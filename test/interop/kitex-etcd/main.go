// kitex-etcd is a real CloudWeGo Kitex peer registered in, and resolving from, etcd through
// github.com/kitex-contrib/registry-etcd, for heddle's discovery interop tests.
//
//	kitex-etcd server -etcd host:port -service name -weight n [-exit-wait d]
//	        serves EchoService on 127.0.0.1:0, registers it in etcd, prints "LISTENING host:port",
//	        and on stdin closing stops (which deregisters, then waits up to the exit wait, 100ms
//	        by default, for calls in flight) and exits
//	kitex-etcd client -etcd host:port -service name -calls n [-interval d] [-stream]
//	        resolves name in etcd, makes n echo calls one after another with Kitex's default load
//	        balancer (pausing -interval between calls), and prints one JSON object: how many calls
//	        each server answered (by the name its echo reply carries), and how many failed; with
//	        -stream, first one JSON line per call as it completes: {"at": unix ms when it started,
//	        "served": reply name, "error": text}
//
// The server's echo answers msg "kitex@host:port", so a caller can tell which instance served it.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/pkg/registry"
	"github.com/cloudwego/kitex/pkg/rpcinfo"
	"github.com/cloudwego/kitex/server"
	etcd "github.com/kitex-contrib/registry-etcd"

	"heddle/kitex-etcd/kitex_gen/echo"
	"heddle/kitex-etcd/kitex_gen/echo/echoservice"
)

type handler struct{ name string }

func (h *handler) Echo(ctx context.Context, req *echo.Request) (*echo.Response, error) {
	return &echo.Response{Action: req.Action, Msg: h.name}, nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kitex-etcd server|client ...")
		os.Exit(2)
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	endpoint := flags.String("etcd", "127.0.0.1:2379", "etcd client endpoint")
	service := flags.String("service", "echo", "service name in the registry")
	weight := flags.Int("weight", 10, "registered weight (server)")
	calls := flags.Int("calls", 400, "calls to make (client)")
	interval := flags.Duration("interval", 0, "pause between calls (client)")
	stream := flags.Bool("stream", false, "print a line per call (client)")
	exitWait := flags.Duration("exit-wait", 100*time.Millisecond, "Kitex exit wait on stop (server)")
	_ = flags.Parse(os.Args[2:])
	switch os.Args[1] {
	case "server":
		runServer(*endpoint, *service, *weight, *exitWait)
	case "client":
		runClient(*endpoint, *service, *calls, *interval, *stream)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
}

func runServer(endpoint, service string, weight int, exitWait time.Duration) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	registryClient, err := etcd.NewEtcdRegistry([]string{endpoint})
	if err != nil {
		fail(err)
	}
	addr := listener.Addr().String()
	svr := echoservice.NewServer(&handler{name: "kitex@" + addr},
		server.WithListener(listener),
		server.WithServerBasicInfo(&rpcinfo.EndpointBasicInfo{ServiceName: service}),
		server.WithRegistry(registryClient),
		server.WithRegistryInfo(&registry.Info{ServiceName: service, Weight: weight}),
		server.WithExitWaitTime(exitWait),
	)
	done := make(chan error, 1)
	go func() { done <- svr.Run() }()
	fmt.Printf("LISTENING %s\n", addr)
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	if err := svr.Stop(); err != nil {
		fail(err)
	}
	<-done
}

type callRecord struct {
	At     int64  `json:"at"`
	Served string `json:"served"`
	Error  string `json:"error"`
}

func runClient(endpoint, service string, calls int, interval time.Duration, stream bool) {
	resolver, err := etcd.NewEtcdResolver([]string{endpoint})
	if err != nil {
		fail(err)
	}
	cli, err := echoservice.NewClient(service, client.WithResolver(resolver), client.WithRPCTimeout(3*time.Second))
	if err != nil {
		fail(err)
	}
	served := map[string]int{}
	failed := 0
	var lastError string
	lines := json.NewEncoder(os.Stdout)
	for i := 0; i < calls; i++ {
		if i > 0 && interval > 0 {
			time.Sleep(interval)
		}
		at := time.Now().UnixMilli()
		resp, err := cli.Echo(context.Background(), &echo.Request{Action: "echo", Msg: "who"})
		record := callRecord{At: at}
		if err != nil {
			failed++
			lastError = err.Error()
			record.Error = lastError
		} else {
			served[resp.Msg]++
			record.Served = resp.Msg
		}
		if stream {
			_ = lines.Encode(record)
		}
	}
	out, _ := json.Marshal(map[string]any{"served": served, "failed": failed, "lastError": lastError})
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
