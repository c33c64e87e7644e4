package loadtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Neo4jConnections counts a server process's connections to Neo4j. The
// driver publishes no pool figures, so they are counted from outside:
// the established TCP connections of process PID to the Bolt port (its
// sockets in /proc/PID/fd matched by inode against /proc/PID/net/tcp and
// tcp6), and, of those, the ones Neo4j runs a transaction for (SHOW
// TRANSACTIONS, matched by client address). The pool keeps an idle
// connection for an hour once it has opened it, so the open count only
// rises to the most Neo4j work the server had in flight at once; a
// connection that was never given back to the pool is busy.
type Neo4jConnections struct {
	PID, Port int
	// Driver asks Neo4j for its transactions; nil: busy not counted (-1).
	Driver neo4j.DriverWithContext
}

// Count returns the server's open and busy Neo4j connections.
func (c Neo4jConnections) Count(ctx context.Context) (open, busy int, err error) {
	// Neo4j first, /proc after: a connection of its own that the driver
	// opens for the question is then among the sockets read (when the
	// server is this process, in tests).
	var clients []string
	if c.Driver != nil {
		res, err := neo4j.ExecuteQuery(ctx, c.Driver, "SHOW TRANSACTIONS YIELD clientAddress RETURN clientAddress", nil,
			neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase("system"))
		if err != nil {
			return 0, 0, fmt.Errorf("SHOW TRANSACTIONS: %w", err)
		}
		for _, r := range res.Records {
			addr, _ := r.Values[0].(string)
			clients = append(clients, addr)
		}
	}
	ports, err := connectionPorts(fmt.Sprintf("/proc/%d", c.PID), c.Port)
	if err != nil {
		return 0, 0, err
	}
	if c.Driver == nil {
		return len(ports), -1, nil
	}
	for _, addr := range clients {
		if _, port, err := net.SplitHostPort(addr); err == nil {
			if p, err := strconv.Atoi(port); err == nil && ports[p] {
				busy++
			}
		}
	}
	return len(ports), busy, nil
}

// connectionPorts returns the local ports of the established TCP
// connections process proc (/proc/PID) holds to remote port port.
func connectionPorts(proc string, port int) (map[int]bool, error) {
	sockets, err := socketInodes(filepath.Join(proc, "fd"))
	if err != nil {
		return nil, err
	}
	out := map[int]bool{}
	for _, table := range []string{"tcp", "tcp6"} {
		f, err := os.Open(filepath.Join(proc, "net", table))
		if os.IsNotExist(err) {
			continue // no IPv6
		}
		if err != nil {
			return nil, err
		}
		err = established(f, port, sockets, out)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s/net/%s: %w", proc, table, err)
		}
	}
	return out, nil
}

// socketInodes lists the inodes of the sockets among a process's open
// files (links "socket:[INODE]").
func socketInodes(fdDir string) (map[string]bool, error) {
	entries, err := os.ReadDir(fdDir)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join(fdDir, e.Name()))
		if err != nil {
			continue // closed since it was listed
		}
		if inode, ok := strings.CutPrefix(target, "socket:["); ok {
			out[strings.TrimSuffix(inode, "]")] = true
		}
	}
	return out, nil
}

// established adds to local the local ports of the rows of a
// /proc/net/tcp table in state ESTABLISHED (01) whose remote port is port
// and whose inode is one of sockets. A row: "sl local_address rem_address
// st … uid timeout inode …", addresses as HEXIP:HEXPORT.
func established(r io.Reader, port int, sockets map[string]bool, local map[int]bool) error {
	sc := bufio.NewScanner(r)
	for first := true; sc.Scan(); first = false {
		f := strings.Fields(sc.Text())
		if first || len(f) < 10 || f[3] != "01" || !sockets[f[9]] {
			continue // the header, another state or another process's
		}
		lp, err1 := hexPort(f[1])
		rp, err2 := hexPort(f[2])
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		if rp == port {
			local[lp] = true
		}
	}
	return sc.Err()
}

func hexPort(addr string) (int, error) {
	_, port, ok := strings.Cut(addr, ":")
	p, err := strconv.ParseUint(port, 16, 16)
	if !ok || err != nil {
		return 0, fmt.Errorf("bad address %q", addr)
	}
	return int(p), nil
}
