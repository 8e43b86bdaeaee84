// dynamicgo-json: CloudWeGo dynamicgo's JSON <-> Thrift Binary conversion (conv/j2t, conv/t2j)
// timed on the bodies bench/gateway/json.mjs writes, for the side-by-side figure in that bench.
//
//	dynamicgo-json <idl with service Bench> <seconds> <method>:<json file>:<wire file> ...
//
// Each method of service Bench takes its struct as argument 1. Prints one JSON line per body:
// calls per wall and per CPU second each way, the sizes, and whether dynamicgo's bytes equal
// heddle's.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cloudwego/dynamicgo/conv"
	"github.com/cloudwego/dynamicgo/conv/j2t"
	"github.com/cloudwego/dynamicgo/conv/t2j"
	"github.com/cloudwego/dynamicgo/thrift"
)

type result struct {
	Method      string  `json:"method"`
	JSONBytes   int     `json:"jsonBytes"`
	WireBytes   int     `json:"wireBytes"`
	FromJSON    float64 `json:"fromJSON"`
	ToJSON      float64 `json:"toJSON"`
	FromJSONCPU float64 `json:"fromJSONPerCpuSecond"`
	ToJSONCPU   float64 `json:"toJSONPerCpuSecond"`
	SameWire    bool    `json:"sameWire"`
	ToJSONBytes int     `json:"toJSONBytes"`
}

// cpuSeconds is the process's user and system CPU time so far.
func cpuSeconds() float64 {
	var u syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return float64(u.Utime.Sec+u.Stime.Sec) + float64(u.Utime.Usec+u.Stime.Usec)/1e6
}

// rate runs fn for about d and returns calls per wall second and per CPU second of the process.
func rate(d time.Duration, fn func()) (float64, float64) {
	for i := 0; i < 500; i++ {
		fn()
	}
	n := 0
	cpu := cpuSeconds()
	start := time.Now()
	for time.Since(start) < d {
		for i := 0; i < 50; i++ {
			fn()
		}
		n += 50
	}
	return float64(n) / time.Since(start).Seconds(), float64(n) / (cpuSeconds() - cpu)
}

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: dynamicgo-json <idl> <seconds> <method>:<json>:<wire> ...")
		os.Exit(2)
	}
	ctx := context.Background()
	svc, err := thrift.NewDescritorFromPath(ctx, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	seconds, _ := strconv.ParseFloat(os.Args[2], 64)
	d := time.Duration(seconds * float64(time.Second))
	for _, spec := range os.Args[3:] {
		parts := strings.SplitN(spec, ":", 3)
		fn, err := svc.LookupFunctionByMethod(parts[0])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		desc := fn.Request().Struct().FieldById(1).Type()
		body, _ := os.ReadFile(parts[1])
		wire, _ := os.ReadFile(parts[2])
		from := j2t.NewBinaryConv(conv.Options{})
		to := t2j.NewBinaryConv(conv.Options{})
		out, err := from.Do(ctx, desc, body)
		if err != nil {
			fmt.Fprintln(os.Stderr, parts[0], "j2t:", err)
			os.Exit(1)
		}
		back, err := to.Do(ctx, desc, wire)
		if err != nil {
			fmt.Fprintln(os.Stderr, parts[0], "t2j:", err)
			os.Exit(1)
		}
		r := result{Method: parts[0], JSONBytes: len(body), WireBytes: len(wire), SameWire: bytes.Equal(out, wire), ToJSONBytes: len(back)}
		r.FromJSON, r.FromJSONCPU = rate(d, func() { _, _ = from.Do(ctx, desc, body) })
		r.ToJSON, r.ToJSONCPU = rate(d, func() { _, _ = to.Do(ctx, desc, wire) })
		line, _ := json.Marshal(r)
		fmt.Println(string(line))
	}
}
