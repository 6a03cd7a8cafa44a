package bench

import (
	"maps"
	"syscall"
	"time"

	"github.com/exoform/exoform/sim"
)

// fromSim records what the sim served, as the services themselves would count it.
func (m *Measurement) fromSim(st sim.Stats) {
	m.PerCmdlet = maps.Clone(st.Requests)
	m.Requests = map[string]int{"exchange": st.Exchange.Requests, "graph": st.Graph.Requests, "token": st.Token.Requests}
	m.BatchItems = st.Exchange.BatchItems + st.Graph.BatchItems
	m.Throttled = st.Exchange.Throttled + st.Graph.Throttled + st.Token.Throttled
	m.SimTable = st.Table()
}

// maxRSSBytes is the peak resident set of a finished child; Linux reports it in kilobytes.
func maxRSSBytes(ru *syscall.Rusage) int64 { return ru.Maxrss * 1024 }

// selfCPU is this process's user plus system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
