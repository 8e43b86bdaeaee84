// dynamicgo-diff: CloudWeGo dynamicgo's JSON <-> Thrift Binary conversion (conv/j2t, conv/t2j) on
// cases heddle's differential test writes, so the test can compare heddle's transcoders with it.
//
//	dynamicgo-diff <idl> < cases.jsonl
//
// The IDL is read at run time and must declare a service whose methods each take one struct as
// argument 1; a case names the method whose argument it converts. One case per input line:
//
//	{"dir": "j2t" | "t2j", "method": "S3", "body": base64, "options": {"String2Int64": true, ...}, "optionalBitmap": false}
//
// "options" are conv.Options fields by their Go names; "optionalBitmap" picks the IDL parsed with
// thrift.Options.SetOptionalBitmap, under which optional fields take part in WriteOptionalField and
// their IDL defaults are written. One output line per case, in order:
// {"out": base64} or {"error": "..."}, so one process serves a whole test file's cases.
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	"github.com/cloudwego/dynamicgo/conv"
	"github.com/cloudwego/dynamicgo/conv/j2t"
	"github.com/cloudwego/dynamicgo/conv/t2j"
	"github.com/cloudwego/dynamicgo/thrift"
)

type testCase struct {
	Dir            string       `json:"dir"`
	Method         string       `json:"method"`
	Body           []byte       `json:"body"`
	Options        conv.Options `json:"options"`
	OptionalBitmap bool         `json:"optionalBitmap"`
}

type outcome struct {
	Out   *string `json:"out,omitempty"`
	Error string  `json:"error,omitempty"`
}

func run(ctx context.Context, svc *thrift.ServiceDescriptor, c testCase) outcome {
	fn, err := svc.LookupFunctionByMethod(c.Method)
	if err != nil {
		return outcome{Error: err.Error()}
	}
	desc := fn.Request().Struct().FieldById(1).Type()
	var out []byte
	switch c.Dir {
	case "j2t":
		cv := j2t.NewBinaryConv(c.Options)
		out, err = cv.Do(ctx, desc, c.Body)
	case "t2j":
		cv := t2j.NewBinaryConv(c.Options)
		out, err = cv.Do(ctx, desc, c.Body)
	default:
		err = fmt.Errorf("unknown direction %q", c.Dir)
	}
	if err != nil {
		return outcome{Error: err.Error()}
	}
	text := base64.StdEncoding.EncodeToString(out)
	return outcome{Out: &text}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: dynamicgo-diff <idl> < cases.jsonl")
		os.Exit(2)
	}
	ctx := context.Background()
	// UseDefaultValue: IDL defaults are written for absent default-requireness fields, as heddle does.
	svc, err := thrift.Options{UseDefaultValue: true}.NewDescritorFromPath(ctx, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	withOptional, err := thrift.Options{UseDefaultValue: true, SetOptionalBitmap: true}.NewDescritorFromPath(ctx, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 0, 1<<20), 64<<20)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for in.Scan() {
		var c testCase
		var o outcome
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			o = outcome{Error: "bad case: " + err.Error()}
		} else {
			if c.OptionalBitmap {
				o = run(ctx, withOptional, c)
			} else {
				o = run(ctx, svc, c)
			}
		}
		line, _ := json.Marshal(o)
		w.Write(line)
		w.WriteString("\n")
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
