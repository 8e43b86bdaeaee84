// grpc-gateway-http: grpc-gateway v2's runtime binding a request as its generated handlers do
// (the JSON body through runtime.JSONPb with DiscardUnknown, path variables with
// runtime.PopulateFieldFromPath, the other fields with runtime.PopulateQueryParameters), and its
// JSONPb marshaler (EmitUnpopulated) on responses, on dynamic messages of the descriptor set heddle
// wrote. heddle's gateway tests compare their binding and rendering with it.
//
//	grpc-gateway-http <descriptor set file> < cases.json
//
// One JSON line per case: the request message (deterministic encoding) as hex, or the response's
// JSON, or the error; then one line with HTTPStatusFromCode for codes 0-16.
package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

type testCase struct {
	// Message is the request type (binding) or the response type (Response set).
	Message string `json:"message"`
	// Body is "*", a field name, or "" as in the rule.
	Body     string            `json:"body"`
	JSON     string            `json:"json"`
	Params   map[string]string `json:"params"`
	Query    string            `json:"query"`
	Response string            `json:"response"`
	// Render: Response holds a response message (which may be empty) to render.
	Render bool `json:"render"`
}

type outcome struct {
	Request string          `json:"request,omitempty"`
	JSON    json.RawMessage `json:"json,omitempty"`
	Error   string          `json:"error,omitempty"`
}

var marshaler = &runtime.JSONPb{
	MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: true},
	UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: true},
}

func bind(desc protoreflect.MessageDescriptor, c testCase) outcome {
	msg := dynamicpb.NewMessage(desc)
	var filter [][]string
	if c.Body != "" && c.JSON != "" {
		target := proto.Message(msg)
		if c.Body != "*" {
			fd := desc.Fields().ByName(protoreflect.Name(c.Body))
			if fd == nil || fd.Kind() != protoreflect.MessageKind {
				return outcome{Error: "body field is not a message field"}
			}
			target = msg.Mutable(fd).Message().Interface()
		}
		if err := marshaler.NewDecoder(bytes.NewReader([]byte(c.JSON))).Decode(target); err != nil {
			return outcome{Error: err.Error()}
		}
	}
	if c.Body != "" && c.Body != "*" {
		filter = append(filter, []string{c.Body})
	}
	for path, value := range c.Params {
		if err := runtime.PopulateFieldFromPath(msg, path, value); err != nil {
			return outcome{Error: err.Error()}
		}
		filter = append(filter, strings.Split(path, "."))
	}
	if c.Body != "*" {
		values, err := url.ParseQuery(c.Query)
		if err != nil {
			return outcome{Error: err.Error()}
		}
		if err := runtime.PopulateQueryParameters(msg, values, utilities.NewDoubleArray(filter)); err != nil {
			return outcome{Error: err.Error()}
		}
	}
	wire, err := proto.MarshalOptions{Deterministic: true}.Marshal(msg)
	if err != nil {
		return outcome{Error: err.Error()}
	}
	return outcome{Request: hex.EncodeToString(wire)}
}

func render(desc protoreflect.MessageDescriptor, c testCase) outcome {
	wire, err := hex.DecodeString(c.Response)
	if err != nil {
		return outcome{Error: err.Error()}
	}
	msg := dynamicpb.NewMessage(desc)
	if err := proto.Unmarshal(wire, msg); err != nil {
		return outcome{Error: err.Error()}
	}
	out, err := marshaler.Marshal(msg)
	if err != nil {
		return outcome{Error: err.Error()}
	}
	return outcome{JSON: out}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: grpc-gateway-http <descriptor set> < cases.json")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(raw, &set); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	files, err := protodesc.NewFiles(&set)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// grpc-gateway finds enum and message types of query values in the global registry.
	files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(fd.Path(), "google/protobuf/") {
			registerTypes(fd.Enums(), fd.Messages())
		}
		return true
	})
	var cases []testCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for _, c := range cases {
		var o outcome
		d, err := files.FindDescriptorByName(protoreflect.FullName(c.Message))
		if md, ok := d.(protoreflect.MessageDescriptor); err != nil || !ok {
			o = outcome{Error: fmt.Sprintf("no message %s", c.Message)}
		} else if c.Render {
			o = render(md, c)
		} else {
			o = bind(md, c)
		}
		line, _ := json.Marshal(o)
		w.Write(line)
		w.WriteString("\n")
	}
	statuses := make([]int, 17)
	for code := range statuses {
		statuses[code] = runtime.HTTPStatusFromCode(codes.Code(code))
	}
	line, _ := json.Marshal(map[string][]int{"httpStatus": statuses})
	w.Write(line)
	w.WriteString("\n")
}

// registerTypes adds enums and messages, nested ones included, to protoregistry.GlobalTypes.
func registerTypes(enums protoreflect.EnumDescriptors, messages protoreflect.MessageDescriptors) {
	for i := 0; i < enums.Len(); i++ {
		_ = protoregistry.GlobalTypes.RegisterEnum(dynamicpb.NewEnumType(enums.Get(i)))
	}
	for i := 0; i < messages.Len(); i++ {
		md := messages.Get(i)
		_ = protoregistry.GlobalTypes.RegisterMessage(dynamicpb.NewMessageType(md))
		registerTypes(md.Enums(), md.Messages())
	}
}
