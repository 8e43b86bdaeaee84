// shmipc-peer: a CloudWeGo shmipc-go program heddle's interop test runs against, in both roles.
//
//	shmipc-peer server -socket PATH
//	    Listens on PATH and echoes every Framed Thrift message it receives on any stream, after
//	    checking it is a strict Thrift Binary CALL. Prints "PEER READY" once listening; exits
//	    when stdin closes.
//	shmipc-peer client -socket PATH -mode v2|v3 -prefix /dev/shm/NAME -sizes 1,64,...
//	    For each payload size, sends one Framed Thrift CALL whose binary field holds that many
//	    bytes, reads the echo and compares every byte. Prints "PEER OK <size>" per size and
//	    "PEER DONE" at the end; exits non-zero on the first mismatch.
//
// Result lines start with "PEER " because shmipc-go logs to stdout too.
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cloudwego/shmipc-go"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: shmipc-peer server|client [flags]")
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	socket := flags.String("socket", "", "control socket path")
	mode := flags.String("mode", "v3", "client shared memory: v2 (files) or v3 (memfd)")
	prefix := flags.String("prefix", "/dev/shm/shmipc-peer", "client shared memory name prefix")
	sizes := flags.String("sizes", "1", "client payload sizes, comma separated")
	_ = flags.Parse(os.Args[2:])
	switch os.Args[1] {
	case "server":
		runServer(*socket)
	case "client":
		runClient(*socket, *mode, *prefix, *sizes)
	default:
		fail("unknown role " + os.Args[1])
	}
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, "shmipc-peer:", message)
	fmt.Println("PEER FAIL " + message)
	os.Exit(1)
}

// ---- Framed Thrift ---------------------------------------------------------------------------

// frame builds a Framed Thrift Binary message: u32 length, then a strict CALL "echo" with seqid,
// whose args struct has field 1 (binary) = payload.
func frame(seqID int32, payload []byte) []byte {
	var msg bytes.Buffer
	write32 := func(v uint32) { _ = binary.Write(&msg, binary.BigEndian, v) }
	write32(0x80010001) // version 1, type CALL
	write32(4)
	msg.WriteString("echo")
	write32(uint32(seqID))
	msg.Write([]byte{11, 0, 1}) // field 1, type STRING (binary)
	write32(uint32(len(payload)))
	msg.Write(payload)
	msg.WriteByte(0) // STOP
	out := make([]byte, 4, 4+msg.Len())
	binary.BigEndian.PutUint32(out, uint32(msg.Len()))
	return append(out, msg.Bytes()...)
}

// checkCall verifies a message body is a strict Binary CALL "echo" with one binary field and
// returns that field's length.
func checkCall(body []byte) (int, error) {
	if len(body) < 4+4+4+4+3+4+1 || binary.BigEndian.Uint32(body[0:4]) != 0x80010001 {
		return 0, errors.New("not a strict Thrift Binary CALL")
	}
	if binary.BigEndian.Uint32(body[4:8]) != 4 || string(body[8:12]) != "echo" {
		return 0, errors.New("method is not echo")
	}
	if body[16] != 11 || body[17] != 0 || body[18] != 1 {
		return 0, errors.New("field 1 is not binary")
	}
	n := int(binary.BigEndian.Uint32(body[19:23]))
	if 23+n+1 != len(body) || body[len(body)-1] != 0 {
		return 0, fmt.Errorf("binary field length %d does not match the frame", n)
	}
	return n, nil
}

func pattern(size, seed int) []byte {
	p := make([]byte, size)
	for i := range p {
		p[i] = byte(i*31 + seed*7 + i>>8)
	}
	return p
}

// ---- Server ----------------------------------------------------------------------------------

type echoCallback struct{}

func (echoCallback) OnNewStream(s *shmipc.Stream) { go echo(s) }
func (echoCallback) OnShutdown(reason string)     {}

func echo(s *shmipc.Stream) {
	defer s.Close()
	reader := s.BufferReader()
	writer := s.BufferWriter()
	for {
		header, err := reader.ReadBytes(4)
		if err != nil {
			return
		}
		length := binary.BigEndian.Uint32(header)
		headerCopy := append([]byte(nil), header...)
		body, err := reader.ReadBytes(int(length))
		if err != nil {
			return
		}
		if _, err := checkCall(body); err != nil {
			fail("server received a bad frame: " + err.Error())
		}
		if _, err := writer.WriteBytes(headerCopy); err != nil {
			return
		}
		if _, err := writer.WriteBytes(body); err != nil {
			return
		}
		reader.ReleasePreviousRead()
		if err := s.Flush(false); err != nil {
			return
		}
	}
}

func runServer(socket string) {
	config := shmipc.NewDefaultListenerConfig(socket, "unix")
	config.LogOutput = os.Stderr
	listener, err := shmipc.NewListener(echoCallback{}, config)
	if err != nil {
		fail("listen: " + err.Error())
	}
	go func() { _ = listener.Run() }()
	fmt.Println("PEER READY")
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = listener.Close()
}

// ---- Client ----------------------------------------------------------------------------------

func runClient(socket, mode, prefix, sizeList string) {
	config := shmipc.DefaultSessionManagerConfig()
	config.Network = "unix"
	config.Address = socket
	config.ShareMemoryPathPrefix = prefix
	config.LogOutput = os.Stderr
	if mode == "v2" {
		config.MemMapType = shmipc.MemMapTypeDevShmFile
	} else {
		config.MemMapType = shmipc.MemMapTypeMemFd
	}
	manager, err := shmipc.NewSessionManager(config)
	if err != nil {
		fail("connect: " + err.Error())
	}
	for i, field := range strings.Split(sizeList, ",") {
		size, err := strconv.Atoi(field)
		if err != nil {
			fail("bad size " + field)
		}
		if err := exchange(manager, int32(i+1), pattern(size, i)); err != nil {
			fail(fmt.Sprintf("size %d: %v", size, err))
		}
		fmt.Printf("PEER OK %d\n", size)
	}
	_ = manager.Close()
	// shmipc-go unmaps and removes its /dev/shm files asynchronously after Close: wait for that,
	// so a clean exit leaves nothing behind.
	if mode == "v2" {
		pattern := fmt.Sprintf("%s_%d_*", prefix, os.Getpid())
		for i := 0; i < 300; i++ {
			if left, _ := filepath.Glob(pattern); len(left) == 0 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	fmt.Println("PEER DONE")
}

func exchange(manager *shmipc.SessionManager, seqID int32, payload []byte) error {
	stream, err := manager.GetStream()
	if err != nil {
		return err
	}
	defer manager.PutBack(stream)
	request := frame(seqID, payload)
	if _, err := stream.BufferWriter().WriteBytes(request); err != nil {
		return err
	}
	if err := stream.Flush(false); err != nil {
		return err
	}
	reader := stream.BufferReader()
	header, err := reader.ReadBytes(4)
	if err != nil {
		return err
	}
	body, err := reader.ReadBytes(int(binary.BigEndian.Uint32(header)))
	if err != nil {
		return err
	}
	reply := append(append([]byte(nil), header...), body...)
	reader.ReleasePreviousRead()
	if !bytes.Equal(reply, request) {
		return fmt.Errorf("echo differs from the request (%d vs %d bytes)", len(reply), len(request))
	}
	return nil
}
