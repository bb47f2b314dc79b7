package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// nonGlobal lists the special-purpose ranges (IANA registries, RFC 6890 and
// successors) that are not globally reachable. Loopback, private, link-local,
// multicast and unspecified addresses are caught by netip's own predicates in
// isPublic; these are the rest.
var nonGlobal = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast (deprecated)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and 255.255.255.255
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments, Teredo
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("3fff::/20"),       // documentation
}

var (
	globalUnicast6 = netip.MustParsePrefix("2000::/3")
	nat64          = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour      = netip.MustParsePrefix("2002::/16")
)

// isPublic reports whether ip is a globally reachable unicast address that a
// fetch may connect to.
func isPublic(ip netip.Addr) bool {
	if !ip.IsValid() || ip.Zone() != "" {
		return false // a zone only makes sense for link-local addresses
	}
	// NOTE: ::ffff:127.0.0.1 reaches 127.0.0.1, so IPv4-mapped addresses are
	// judged as the IPv4 address they carry.
	ip = ip.Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			// DNS64 networks hand out these for IPv4-only hosts; the
			// translator connects to the embedded IPv4 address.
			return isPublic(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(ip):
			return isPublic(netip.AddrFrom4([4]byte(b[2:6])))
		case !globalUnicast6.Contains(ip):
			// Everything outside 2000::/3 (loopback, ULA fc00::/7, link-local,
			// site-local, multicast, IPv4-compatible ::/96) is not global.
			return false
		}
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsMulticast() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range nonGlobal {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// blockedError is returned by the dialer when the resolved address is not
// allowed. Host is filled in by dialContext, which knows the name dialled.
type blockedError struct {
	Host string
	Addr netip.Addr
}

func (e *blockedError) Error() string {
	return fmt.Sprintf("%s resolves to blocked address %s", e.Host, e.Addr)
}

// control is the net.Dialer hook run after the name is resolved and the socket
// is created but before it connects. Checking here, on the address actually
// dialled, is what defeats DNS rebinding: a name that resolved to a public
// address for a pre-check can resolve to 127.0.0.1 a moment later.
func (f *Fetcher) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &blockedError{Addr: netip.Addr{}} // not an IP:port; never dial it
	}
	if f.cfg.AllowPrivate || f.public(ap) {
		return nil
	}
	return &blockedError{Addr: ap.Addr()}
}

// dialContext dials through the guarded dialer and names the host in a
// blockedError, for the message shown to the user.
func (f *Fetcher) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := f.dialer.DialContext(ctx, network, addr)
	var be *blockedError
	if errors.As(err, &be) {
		host, _, _ := net.SplitHostPort(addr)
		be.Host = host
	}
	return conn, err
}
