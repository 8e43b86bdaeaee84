// kitex-retry is a real CloudWeGo Kitex peer for heddle's retry interop tests: a server that
// reports what Kitex's retry package makes of each call it serves, and a client that retries.
//
//	kitex-retry server      serves EchoService (TTHeader) on 127.0.0.1:0, prints
//	                        "LISTENING host:port", stops when stdin closes
//	kitex-retry client -addr host:port [-timeout d] [-action a] [-msg m]
//	                        one echo call with Kitex's default failure retry policy (2 retries, on
//	                        timeouts) and the given RPC timeout; prints {"msg": ..., "error": ...}
//
// The server's echo, by Request.action: "slow-first" sleeps msg milliseconds unless the call is a
// retry, then answers; "log" answers every call seen so far as JSON. Every answer to a
// "slow-first" call is what Kitex saw: {"retry": retry.IsRemoteRetryRequest(ctx), "retryReq": the
// persistent value "RetryReq", "persistent": all persistent metainfo}.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/bytedance/gopkg/cloud/metainfo"
	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/pkg/retry"
	"github.com/cloudwego/kitex/pkg/transmeta"
	"github.com/cloudwego/kitex/server"
	"github.com/cloudwego/kitex/transport"

	"heddle/kitex-retry/kitex_gen/echo"
	"heddle/kitex-retry/kitex_gen/echo/echoservice"
)

type seen struct {
	Retry      bool              `json:"retry"`
	RetryReq   string            `json:"retryReq"`
	Persistent map[string]string `json:"persistent"`
}

type handler struct {
	mu  sync.Mutex
	log []seen
}

func (h *handler) Ping(ctx context.Context) (string, error) { return "pong", nil }

func (h *handler) Echo(ctx context.Context, req *echo.Request) (*echo.Response, error) {
	if req.Action == "log" {
		h.mu.Lock()
		out, _ := json.Marshal(h.log)
		h.mu.Unlock()
		return &echo.Response{Action: req.Action, Msg: string(out)}, nil
	}
	value, _ := metainfo.GetPersistentValue(ctx, retry.TransitKey)
	s := seen{Retry: retry.IsRemoteRetryRequest(ctx), RetryReq: value, Persistent: metainfo.GetAllPersistentValues(ctx)}
	h.mu.Lock()
	h.log = append(h.log, s)
	h.mu.Unlock()
	if req.Action == "slow-first" && !s.Retry {
		ms, _ := strconv.Atoi(req.Msg)
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	out, _ := json.Marshal(s)
	return &echo.Response{Action: req.Action, Msg: string(out)}, nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kitex-retry server|client ...")
		os.Exit(2)
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	addr := flags.String("addr", "", "server address (client)")
	timeout := flags.Duration("timeout", 500*time.Millisecond, "RPC timeout of each attempt (client)")
	action := flags.String("action", "echo", "Request.action (client)")
	msg := flags.String("msg", "", "Request.msg (client)")
	_ = flags.Parse(os.Args[2:])
	switch os.Args[1] {
	case "server":
		runServer()
	case "client":
		runClient(*addr, *timeout, *action, *msg)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
}

func runServer() {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	svr := echoservice.NewServer(&handler{}, server.WithListener(listener), server.WithMetaHandler(transmeta.ServerTTHeaderHandler), server.WithExitWaitTime(10*time.Millisecond))
	done := make(chan error, 1)
	go func() { done <- svr.Run() }()
	fmt.Printf("LISTENING %s\n", listener.Addr().String())
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	if err := svr.Stop(); err != nil {
		fail(err)
	}
	<-done
}

func runClient(addr string, timeout time.Duration, action, msg string) {
	cli, err := echoservice.NewClient("echo",
		client.WithHostPorts(addr),
		client.WithTransportProtocol(transport.TTHeader),
		client.WithMetaHandler(transmeta.ClientTTHeaderHandler),
		client.WithRPCTimeout(timeout),
		client.WithFailureRetry(retry.NewFailurePolicy()),
	)
	if err != nil {
		fail(err)
	}
	result := map[string]string{}
	resp, err := cli.Echo(context.Background(), &echo.Request{Action: action, Msg: msg})
	if err != nil {
		result["error"] = err.Error()
	} else {
		result["msg"] = resp.Msg
	}
	out, _ := json.Marshal(result)
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
