// kitex-thrift-compat is a real CloudWeGo Kitex client of the tutorial-shaped Calculator service
// (calculator.thrift, extending shared.SharedService), for heddle/thrift-compat's servers.
//
//	kitex-thrift-compat client -addr host:port -transport ttheader|framed
//
// It makes the calls the Node tutorial client makes, in order, and prints one line per answer.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/transport"

	calc "heddle/kitex-thrift-compat/kitex_gen/calculator"
	"heddle/kitex-thrift-compat/kitex_gen/calculator/calculator"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "client" {
		fmt.Fprintln(os.Stderr, "usage: kitex-thrift-compat client -addr host:port -transport ttheader|framed")
		os.Exit(2)
	}
	flags := flag.NewFlagSet("client", flag.ExitOnError)
	addr := flags.String("addr", "", "server host:port")
	transportName := flags.String("transport", "ttheader", "ttheader or framed")
	_ = flags.Parse(os.Args[2:])
	protocol := transport.TTHeader
	if *transportName == "framed" {
		protocol = transport.Framed
	}
	cli, err := calculator.NewClient("Calculator", client.WithHostPorts(*addr), client.WithTransportProtocol(protocol))
	if err != nil {
		fmt.Println("client:", err)
		os.Exit(1)
	}
	ctx := context.Background()
	must := func(what string, err error) {
		if err != nil {
			fmt.Printf("%s failed: %v\n", what, err)
			os.Exit(1)
		}
	}

	must("ping", cli.Ping(ctx))
	fmt.Println("ping()")
	sum, err := cli.Add(ctx, 1, 1)
	must("add", err)
	fmt.Printf("1+1=%d\n", sum)

	_, err = cli.Calculate(ctx, 1, &calc.Work{Num1: 1, Num2: 0, Op: calc.Operation_DIVIDE})
	var invalid *calc.InvalidOperation
	if errors.As(err, &invalid) {
		fmt.Printf("InvalidOperation whatOp=%d why=%s\n", invalid.WhatOp, invalid.Why)
	} else {
		fmt.Printf("expected InvalidOperation, got %v\n", err)
	}

	comment := "fifteen minus ten"
	diff, err := cli.Calculate(ctx, 1, &calc.Work{Num1: 15, Num2: 10, Op: calc.Operation_SUBTRACT, Comment: &comment})
	must("calculate", err)
	fmt.Printf("15-10=%d\n", diff)

	log, err := cli.GetStruct(ctx, 1)
	must("getStruct", err)
	fmt.Printf("Check log: %d %s\n", log.Key, log.Value)

	must("zip", cli.Zip(ctx))
	fmt.Println("zip sent")
}
