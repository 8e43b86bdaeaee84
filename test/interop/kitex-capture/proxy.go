package main

import (
	"bytes"
	"io"
	"net"
	"sync"
)

// recording is the bytes one direction of a proxied connection carried.
type recording struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *recording) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Write(p)
}

func (r *recording) Bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.buf.Bytes()...)
}

// recordingProxy forwards the first connection it accepts to target and records every byte in
// each direction. Each byte is recorded before it is forwarded, so once the client has its reply,
// both recordings are complete.
type recordingProxy struct {
	listener net.Listener
	request  recording // client to server
	response recording // server to client
	done     chan struct{}
}

func startProxy(target string) (*recordingProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &recordingProxy{listener: ln, done: make(chan struct{})}
	go p.serve(target)
	return p, nil
}

func (p *recordingProxy) Addr() string { return p.listener.Addr().String() }

func (p *recordingProxy) serve(target string) {
	defer close(p.done)
	client, err := p.listener.Accept()
	p.listener.Close()
	if err != nil {
		return
	}
	server, err := net.Dial("tcp", target)
	if err != nil {
		client.Close()
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	pipe := func(dst, src net.Conn, rec *recording) {
		defer wg.Done()
		_, _ = io.Copy(io.MultiWriter(rec, dst), src)
		// One side finished: end both, so the other copy returns too.
		dst.Close()
		src.Close()
	}
	go pipe(server, client, &p.request)
	go pipe(client, server, &p.response)
	wg.Wait()
}
