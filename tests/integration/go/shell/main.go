// shell runs commands through the masterzen/winrm library against wsmand.
// Usage:
//   shell HOST PORT USER PASSWORD run COMMAND       -> Client.Run
//   shell HOST PORT USER PASSWORD stdin COMMAND IN  -> Client.RunWithString
// Prints "stdout=<quoted>", "stderr=<quoted>" and "exit=<code>".
package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"

	"github.com/masterzen/winrm"
)

func main() {
	if len(os.Args) < 7 {
		fmt.Fprintln(os.Stderr, "usage: shell HOST PORT USER PASSWORD run|stdin COMMAND [INPUT]")
		os.Exit(2)
	}
	port, _ := strconv.Atoi(os.Args[2])
	endpoint := winrm.NewEndpoint(os.Args[1], port, false, false, nil, nil, nil, 0)
	client, err := winrm.NewClient(endpoint, os.Args[3], os.Args[4])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var stdout, stderr string
	var code int
	switch os.Args[5] {
	case "run":
		var out, errb bytes.Buffer
		code, err = client.Run(os.Args[6], &out, &errb)
		stdout, stderr = out.String(), errb.String()
	case "stdin":
		input := ""
		if len(os.Args) > 7 {
			input = os.Args[7]
		}
		stdout, stderr, code, err = client.RunWithString(os.Args[6], input)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[5])
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Printf("stdout=%q\nstderr=%q\nexit=%d\n", stdout, stderr, code)
}
