// Command kitex-capture records the exact bytes a real Kitex client and server exchange over
// TTHeader, Framed, TTHeaderFramed and PurePayload (Thrift) and Framed/TTHeaderFramed (Kitex
// Protobuf), with metainfo and every kind of error reply, by running both in one process with a
// recording TCP proxy between them. heddle's tests parse the recordings and re-encode them.
//
//	kitex-capture -out DIR   writes DIR/<scenario>.request.bin, .response.bin and captures.json
//	kitex-capture -serve     runs the Kitex servers, prints their addresses as JSON, exits on stdin EOF
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"

	"github.com/cloudwego/kitex/pkg/klog"
	"github.com/cloudwego/kitex/pkg/transmeta"
	"github.com/cloudwego/kitex/server"
)

func main() {
	out := flag.String("out", "", "directory to write the recordings into")
	serve := flag.Bool("serve", false, "run the servers for live tests instead of recording")
	flag.Parse()
	klog.SetLevel(klog.LevelFatal)

	handler := &echoService{}
	thriftAddr, stopThrift, err := startServer(handler, true)
	check(err)
	defer stopThrift()
	protobufAddr, stopProtobuf, err := startServer(handler, false)
	check(err)
	defer stopProtobuf()

	if *serve {
		check(json.NewEncoder(os.Stdout).Encode(map[string]string{"thrift": thriftAddr, "protobuf": protobufAddr}))
		_, _ = io.Copy(io.Discard, os.Stdin)
		return
	}
	if *out == "" {
		fmt.Fprintln(os.Stderr, "kitex-capture: give -out DIR or -serve")
		os.Exit(2)
	}
	check(os.MkdirAll(*out, 0o755))
	index := CaptureIndex{Kitex: kitexVersion(), Go: runtime.Version()}
	for _, sc := range scenarios {
		target := thriftAddr
		if sc.Protobuf {
			target = protobufAddr
		}
		capture, err := runScenario(sc, target, handler, *out)
		check(err)
		index.Scenarios = append(index.Scenarios, capture)
	}
	encoded, err := json.MarshalIndent(index, "", "  ")
	check(err)
	check(os.WriteFile(filepath.Join(*out, "captures.json"), append(encoded, '\n'), 0o644))
}

// startServer runs a Kitex server for the Thrift or the Protobuf service on a loopback port, with
// the TTHeader meta handler so replies carry Kitex's TTHeader keys.
func startServer(handler *echoService, thrift bool) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	svr := server.NewServer(
		server.WithListener(ln),
		server.WithMetaHandler(transmeta.ServerTTHeaderHandler),
	)
	info := protobufServiceInfo()
	if thrift {
		info = thriftServiceInfo()
	}
	if err := svr.RegisterService(info, handler); err != nil {
		return "", nil, err
	}
	go func() { _ = svr.Run() }()
	return ln.Addr().String(), func() { _ = svr.Stop() }, nil
}

func kitexVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/cloudwego/kitex" {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "kitex-capture:", err)
		os.Exit(1)
	}
}
