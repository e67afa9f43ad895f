// identify sends a wsmid:Identify through the masterzen/winrm library's own
// HTTP transport (Basic auth, Content-Type checks) and prints the response.
// Usage: identify HOST PORT USER PASSWORD
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/masterzen/simplexml/dom"
	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: identify HOST PORT USER PASSWORD")
		os.Exit(2)
	}
	port, _ := strconv.Atoi(os.Args[2])
	endpoint := winrm.NewEndpoint(os.Args[1], port, false, false, nil, nil, nil, 0)
	client, err := winrm.NewClient(endpoint, os.Args[3], os.Args[4])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	transport := winrm.NewClientWithDial(nil)
	if err := transport.Transport(endpoint); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	message := soap.NewMessage()
	message.CreateBodyElement("Identify", dom.Namespace{
		Prefix: "wsmid",
		Uri:    "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd",
	})
	response, err := transport.Post(client, message)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Print(response)
}
