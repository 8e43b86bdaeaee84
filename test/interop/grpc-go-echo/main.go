// A grpc-go peer for heddle's gRPC interop tests: the echo service of echo.proto, served by
// google.golang.org/grpc with a hand-written service descriptor and protowire messages (no code
// generation), and a client mode that drives a heddle server through every call kind.
//
//	program server             prints "LISTENING host:port", then "CANCELLED <method>" lines; stops on stdin EOF
//	program client <host:port> prints one JSON line per check, then "DONE"
//	program bench <host:port> <concurrency> <seconds> <payload bytes>   prints one JSON line of QPS and p99
//
// With GRPC_TLS_CERT and GRPC_TLS_KEY (PEM files) the server speaks TLS, and with GRPC_TLS_CA also
// requires client certificates signed by that CA. With GRPC_TLS_CA the client speaks TLS, trusting
// that CA for the name "localhost", and presents GRPC_TLS_CERT/KEY when they are set.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/types/known/anypb"
)

// EchoRequest and EchoResponse mirror echo.proto; field numbers are the .proto's.
type EchoRequest struct {
	Msg     string
	Count   int32
	SleepMs int32
	Status  int32
	Blob    []byte
	Id      int64
}

type EchoResponse struct {
	Msg   string
	Index int32
	Blob  []byte
	Id    int64
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func (m *EchoRequest) marshal() []byte {
	var b []byte
	b = appendString(b, 1, m.Msg)
	b = appendVarint(b, 2, uint64(int64(m.Count)))
	b = appendVarint(b, 3, uint64(int64(m.SleepMs)))
	b = appendVarint(b, 4, uint64(int64(m.Status)))
	b = appendBytes(b, 5, m.Blob)
	b = appendVarint(b, 6, uint64(m.Id))
	return b
}

func (m *EchoResponse) marshal() []byte {
	var b []byte
	b = appendString(b, 1, m.Msg)
	b = appendVarint(b, 2, uint64(int64(m.Index)))
	b = appendBytes(b, 3, m.Blob)
	b = appendVarint(b, 4, uint64(m.Id))
	return b
}

// fields walks a message, calling set for each varint or bytes field.
func fields(b []byte, set func(num protowire.Number, v uint64, bytes []byte)) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		switch typ {
		case protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			set(num, v, nil)
			b = b[n:]
		case protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			set(num, 0, append([]byte(nil), v...))
			b = b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			b = b[n:]
		}
	}
	return nil
}

func (m *EchoRequest) unmarshal(b []byte) error {
	return fields(b, func(num protowire.Number, v uint64, bytes []byte) {
		switch num {
		case 1:
			m.Msg = string(bytes)
		case 2:
			m.Count = int32(v)
		case 3:
			m.SleepMs = int32(v)
		case 4:
			m.Status = int32(v)
		case 5:
			m.Blob = bytes
		case 6:
			m.Id = int64(v)
		}
	})
}

func (m *EchoResponse) unmarshal(b []byte) error {
	return fields(b, func(num protowire.Number, v uint64, bytes []byte) {
		switch num {
		case 1:
			m.Msg = string(bytes)
		case 2:
			m.Index = int32(v)
		case 3:
			m.Blob = bytes
		case 4:
			m.Id = int64(v)
		}
	})
}

// codec is grpc-go's encoding.Codec for the two hand-written messages, registered as "proto".
type codec struct{}

// detailType names the one Any every peer puts in its status details.
const detailType = "type.googleapis.com/heddle.test.Detail"

func (codec) Name() string { return "proto" }

func (codec) Marshal(v any) ([]byte, error) {
	switch m := v.(type) {
	case *EchoRequest:
		return m.marshal(), nil
	case *EchoResponse:
		return m.marshal(), nil
	}
	return nil, fmt.Errorf("cannot marshal %T", v)
}

func (codec) Unmarshal(data []byte, v any) error {
	switch m := v.(type) {
	case *EchoRequest:
		return m.unmarshal(data)
	case *EchoResponse:
		return m.unmarshal(data)
	}
	return fmt.Errorf("cannot unmarshal into %T", v)
}

var out = struct {
	sync.Mutex
	w *bufio.Writer
}{w: bufio.NewWriter(os.Stdout)}

func println(line string) {
	out.Lock()
	defer out.Unlock()
	out.w.WriteString(line + "\n")
	out.w.Flush()
}

// ---- server ----

type echoServer struct{}

func sleep(ctx context.Context, ms int32, method string) bool {
	select {
	case <-time.After(time.Duration(ms) * time.Millisecond):
		return true
	case <-ctx.Done():
		println("CANCELLED " + method)
		return false
	}
}

func echoMetadata(ctx context.Context) {
	md, _ := metadata.FromIncomingContext(ctx)
	header := metadata.MD{}
	if v := md.Get("x-echo"); len(v) > 0 {
		header.Set("x-echo", v[0])
	}
	if v := md.Get("x-echo-bin"); len(v) > 0 {
		header.Set("x-echo-bin", v[0])
	}
	grpc.SetHeader(ctx, header)
	grpc.SetTrailer(ctx, metadata.Pairs("x-trailer", "done"))
}

func failIf(ctx context.Context, req *EchoRequest) error {
	if req.Status == 0 {
		return nil
	}
	grpc.SetTrailer(ctx, metadata.Pairs("x-error", "yes"))
	// grpc-go sends grpc-status-details-bin (the encoded google.rpc.Status) only with details.
	return status.ErrorProto(&spb.Status{Code: req.Status, Message: req.Msg, Details: []*anypb.Any{{TypeUrl: detailType, Value: []byte{1, 2, 3}}}})
}

func unaryHandler(_ any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
	req := new(EchoRequest)
	if err := dec(req); err != nil {
		return nil, err
	}
	echoMetadata(ctx)
	if req.SleepMs > 0 && !sleep(ctx, req.SleepMs, "Unary") {
		return nil, ctx.Err()
	}
	if err := failIf(ctx, req); err != nil {
		return nil, err
	}
	return &EchoResponse{Msg: req.Msg, Blob: req.Blob, Id: req.Id}, nil
}

func serverStreamHandler(_ any, stream grpc.ServerStream) error {
	req := new(EchoRequest)
	if err := stream.RecvMsg(req); err != nil {
		return err
	}
	ctx := stream.Context()
	echoMetadata(ctx)
	for i := int32(0); i < req.Count; i++ {
		if req.SleepMs > 0 && !sleep(ctx, req.SleepMs, "ServerStream") {
			return ctx.Err()
		}
		if err := stream.SendMsg(&EchoResponse{Msg: req.Msg, Index: i, Blob: req.Blob, Id: req.Id}); err != nil {
			println("CANCELLED ServerStream")
			return err
		}
	}
	return failIf(ctx, req)
}

func clientStreamHandler(_ any, stream grpc.ServerStream) error {
	ctx := stream.Context()
	echoMetadata(ctx)
	var msgs []string
	last := &EchoRequest{}
	for {
		req := new(EchoRequest)
		err := stream.RecvMsg(req)
		if err == io.EOF && ctx.Err() == nil {
			break
		}
		if err != nil {
			println("CANCELLED ClientStream")
			return err
		}
		if err := failIf(ctx, req); err != nil {
			return err
		}
		msgs = append(msgs, req.Msg)
		last = req
	}
	return stream.SendMsg(&EchoResponse{Msg: strings.Join(msgs, ","), Index: int32(len(msgs)), Blob: last.Blob, Id: last.Id})
}

func bidiHandler(_ any, stream grpc.ServerStream) error {
	ctx := stream.Context()
	echoMetadata(ctx)
	for i := int32(0); ; i++ {
		req := new(EchoRequest)
		err := stream.RecvMsg(req)
		if err == io.EOF && ctx.Err() == nil {
			return nil
		}
		if err != nil {
			println("CANCELLED Bidi")
			return err
		}
		if err := failIf(ctx, req); err != nil {
			return err
		}
		if req.SleepMs > 0 && !sleep(ctx, req.SleepMs, "Bidi") {
			return ctx.Err()
		}
		if err := stream.SendMsg(&EchoResponse{Msg: req.Msg, Index: i, Blob: req.Blob, Id: req.Id}); err != nil {
			return err
		}
	}
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: "grpcecho.v1.Echo",
	HandlerType: (*any)(nil),
	Methods:     []grpc.MethodDesc{{MethodName: "Unary", Handler: unaryHandler}},
	Streams: []grpc.StreamDesc{
		{StreamName: "ServerStream", Handler: serverStreamHandler, ServerStreams: true},
		{StreamName: "ClientStream", Handler: clientStreamHandler, ClientStreams: true},
		{StreamName: "Bidi", Handler: bidiHandler, ServerStreams: true, ClientStreams: true},
	},
	Metadata: "echo.proto",
}

// certPool reads the PEM CA file named by GRPC_TLS_CA.
func certPool() *x509.CertPool {
	pem, err := os.ReadFile(os.Getenv("GRPC_TLS_CA"))
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		panic("GRPC_TLS_CA holds no certificate")
	}
	return pool
}

func keyPair() []tls.Certificate {
	if os.Getenv("GRPC_TLS_CERT") == "" {
		return nil
	}
	pair, err := tls.LoadX509KeyPair(os.Getenv("GRPC_TLS_CERT"), os.Getenv("GRPC_TLS_KEY"))
	if err != nil {
		panic(err)
	}
	return []tls.Certificate{pair}
}

func serverCredentials() credentials.TransportCredentials {
	if os.Getenv("GRPC_TLS_CERT") == "" {
		return insecure.NewCredentials()
	}
	config := &tls.Config{Certificates: keyPair()}
	if os.Getenv("GRPC_TLS_CA") != "" {
		config.ClientCAs = certPool()
		config.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return credentials.NewTLS(config)
}

func clientCredentials() credentials.TransportCredentials {
	if os.Getenv("GRPC_TLS_CA") == "" {
		return insecure.NewCredentials()
	}
	return credentials.NewTLS(&tls.Config{RootCAs: certPool(), Certificates: keyPair(), ServerName: "localhost"})
}

func serve() {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	server := grpc.NewServer(grpc.ForceServerCodec(codec{}), grpc.MaxRecvMsgSize(1<<20), grpc.Creds(serverCredentials()))
	server.RegisterService(&serviceDesc, struct{}{})
	go server.Serve(listener)
	println("LISTENING " + listener.Addr().String())
	io.Copy(io.Discard, os.Stdin)
	server.Stop()
}

// ---- client ----

func report(check string, value any, err error) {
	line := map[string]any{"check": check, "value": value}
	if err != nil {
		st, _ := status.FromError(err)
		line["code"] = int(st.Code())
		line["message"] = st.Message()
	}
	b, _ := json.Marshal(line)
	println(string(b))
}

func invoke(ctx context.Context, conn *grpc.ClientConn, req *EchoRequest, opts ...grpc.CallOption) (*EchoResponse, error) {
	reply := new(EchoResponse)
	err := conn.Invoke(ctx, "/grpcecho.v1.Echo/Unary", req, reply, opts...)
	return reply, err
}

func drive(address string) {
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(clientCredentials()), grpc.WithDefaultCallOptions(grpc.ForceCodec(codec{})))
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	bg := context.Background()

	// Unary with metadata both ways.
	{
		ctx := metadata.NewOutgoingContext(bg, metadata.Pairs("x-echo", "from grpc-go", "x-echo-bin", string([]byte{0, 1, 2, 255})))
		var header, trailer metadata.MD
		reply, err := invoke(ctx, conn, &EchoRequest{Msg: "héllo", Id: -9007199254740993, Blob: []byte{9, 8}}, grpc.Header(&header), grpc.Trailer(&trailer))
		report("unary", map[string]any{"msg": reply.Msg, "id": strconv.FormatInt(reply.Id, 10), "blob": reply.Blob, "x-echo": header.Get("x-echo"), "x-echo-bin": []byte(strings.Join(header.Get("x-echo-bin"), "")), "x-trailer": trailer.Get("x-trailer")}, err)
	}
	// Server streaming.
	{
		stream, err := conn.NewStream(bg, &serviceDesc.Streams[0], "/grpcecho.v1.Echo/ServerStream")
		var indexes []int32
		if err == nil {
			err = stream.SendMsg(&EchoRequest{Msg: "s", Count: 20})
			stream.CloseSend()
			for err == nil {
				reply := new(EchoResponse)
				if err = stream.RecvMsg(reply); err == nil {
					indexes = append(indexes, reply.Index)
				}
			}
			if err == io.EOF {
				err = nil
			}
		}
		report("server-stream", indexes, err)
	}
	// Client streaming.
	{
		stream, err := conn.NewStream(bg, &serviceDesc.Streams[1], "/grpcecho.v1.Echo/ClientStream")
		reply := new(EchoResponse)
		if err == nil {
			for _, msg := range []string{"a", "b", "c"} {
				stream.SendMsg(&EchoRequest{Msg: msg})
			}
			stream.CloseSend()
			err = stream.RecvMsg(reply)
		}
		report("client-stream", map[string]any{"msg": reply.Msg, "index": reply.Index}, err)
	}
	// Bidi, one reply per request before the next request.
	{
		stream, err := conn.NewStream(bg, &serviceDesc.Streams[2], "/grpcecho.v1.Echo/Bidi")
		var got []string
		for _, msg := range []string{"x", "y", "z"} {
			if err != nil {
				break
			}
			if err = stream.SendMsg(&EchoRequest{Msg: msg}); err != nil {
				break
			}
			reply := new(EchoResponse)
			if err = stream.RecvMsg(reply); err == nil {
				got = append(got, fmt.Sprintf("%s%d", reply.Msg, reply.Index))
			}
		}
		if err == nil {
			stream.CloseSend()
			if err = stream.RecvMsg(new(EchoResponse)); err == io.EOF {
				err = nil
			}
		}
		report("bidi", got, err)
	}
	// Every status code, with details and trailers.
	{
		var results []map[string]any
		for code := 1; code <= 16; code++ {
			var trailer metadata.MD
			_, err := invoke(bg, conn, &EchoRequest{Msg: fmt.Sprintf("status %d ✗", code), Status: int32(code)}, grpc.Trailer(&trailer))
			st, _ := status.FromError(err)
			var detail []byte
			if p := st.Proto(); len(p.Details) > 0 && p.Details[0].TypeUrl == detailType {
				detail = p.Details[0].Value
			}
			results = append(results, map[string]any{"code": int(st.Code()), "message": st.Message(), "detail": detail, "x-error": trailer.Get("x-error")})
		}
		report("statuses", results, nil)
	}
	// Deadline.
	{
		ctx, cancel := context.WithTimeout(bg, 200*time.Millisecond)
		start := time.Now()
		_, err := invoke(ctx, conn, &EchoRequest{Msg: "slow", SleepMs: 5000})
		cancel()
		report("deadline", time.Since(start).Milliseconds(), err)
	}
	// Cancellation mid-stream.
	{
		ctx, cancel := context.WithCancel(bg)
		stream, err := conn.NewStream(ctx, &serviceDesc.Streams[0], "/grpcecho.v1.Echo/ServerStream")
		seen := 0
		if err == nil {
			stream.SendMsg(&EchoRequest{Msg: "endless", Count: 100000, SleepMs: 10})
			stream.CloseSend()
			for err == nil {
				if err = stream.RecvMsg(new(EchoResponse)); err == nil {
					seen++
					if seen == 3 {
						cancel()
					}
				}
			}
		}
		cancel()
		report("cancel", seen, err)
	}
	// gzip both ways.
	{
		blob := []byte(strings.Repeat("z", 50000))
		reply, err := invoke(bg, conn, &EchoRequest{Msg: "zip", Blob: blob}, grpc.UseCompressor(gzip.Name))
		report("gzip", map[string]any{"msg": reply.Msg, "blobLength": len(reply.Blob)}, err)
	}
	// A message over the server's receive limit.
	{
		_, err := invoke(bg, conn, &EchoRequest{Blob: make([]byte, 200000)})
		report("too-large", nil, err)
	}
	println("DONE")
}

// ---- bench ----

func bench(address string, concurrency int, seconds int, size int) {
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(clientCredentials()), grpc.WithDefaultCallOptions(grpc.ForceCodec(codec{})))
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	req := &EchoRequest{Msg: strings.Repeat("x", size)}
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	var mu sync.Mutex
	var latencies []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			for time.Now().Before(deadline) {
				t := time.Now()
				if _, err := invoke(context.Background(), conn, req); err != nil {
					panic(err)
				}
				local = append(local, time.Since(t))
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	p99 := latencies[len(latencies)*99/100]
	b, _ := json.Marshal(map[string]any{"qps": float64(len(latencies)) / elapsed.Seconds(), "p99Ms": float64(p99.Microseconds()) / 1000})
	println(string(b))
}

func main() {
	switch os.Args[1] {
	case "server":
		serve()
	case "client":
		drive(os.Args[2])
	case "bench":
		c, _ := strconv.Atoi(os.Args[3])
		s, _ := strconv.Atoi(os.Args[4])
		n, _ := strconv.Atoi(os.Args[5])
		bench(os.Args[2], c, s, n)
	}
}
